import { closeSync, mkdirSync, openSync, unlinkSync } from 'node:fs';
import type { PreparedEvent } from '../adapters/adapter.js';
import { ValidationError } from '../errors.js';
import { syncDirSync, writeDurablySync } from './journal-io.js';
import { eventLine, segmentHeader, type SpoolBinding } from './journal-record.js';
import { listSegments, readSegment, segmentPath } from './segment-file.js';
import { acquireSpoolLock, SpoolLocked, type SpoolLockOptions } from './spool-lock.js';

/** A journal opened for appending, with what the previous owner left undone. */
export interface OpenedJournal {
  /** The new segment, opened for appending (`O_APPEND`). */
  readonly fd: number;
  readonly segment: number;
  /** Bytes already in the new segment (its header and the recovered events). */
  readonly fileBytes: number;
  /** Events journaled and never acknowledged, in the order they were accepted. */
  readonly live: ReadonlyArray<{ readonly seq: number; readonly event: PreparedEvent }>;
  readonly nextSeq: number;
  readonly torn: number;
  readonly corrupt: number;
  /** Recovered events whose segment header was unreadable everywhere, taken as this binding's. */
  readonly unbound: number;
  readonly release: () => void;
}

/**
 * Opens `dir` for one client, synchronously (the client's constructor needs the recovered events and must throw
 * its errors): locks it, reads every segment, keeps the events without an acknowledgement, and compacts them into
 * a fresh segment before deleting the old ones. Appending to a fresh file means a torn last line of the previous
 * run is never followed by new records (which would be read as part of it). Compaction is crash-safe: the old
 * segments are deleted only once the new one is fsynced, and events are merged by sequence number, so reading
 * both copies after a crash in between gives the same result.
 *
 * Throws `ValidationError` (path `options.spool.dir`) when the directory is locked by a live process, holds
 * unacknowledged events for another adapter or endpoint, or cannot be read or written.
 */
export function openJournal(dir: string, binding: SpoolBinding, lock: SpoolLockOptions = {}): OpenedJournal {
  let release: () => void;
  try {
    mkdirSync(dir, { recursive: true });
    release = acquireSpoolLock(dir, lock);
  } catch (error) {
    const message = error instanceof SpoolLocked ? `${error.message}; one client per spool directory` : `cannot be used: ${describe(error)}`;
    throw new ValidationError([{ path: 'options.spool.dir', message }], { cause: error });
  }
  try {
    return recover(dir, binding, release);
  } catch (error) {
    release();
    if (error instanceof ValidationError) throw error;
    throw new ValidationError([{ path: 'options.spool.dir', message: `cannot be used: ${describe(error)}` }], { cause: error });
  }
}

function recover(dir: string, binding: SpoolBinding, release: () => void): OpenedJournal {
  const segments = listSegments(dir);
  const events = new Map<number, { event: PreparedEvent; binding: SpoolBinding | undefined }>();
  const acked = new Set<number>();
  let maxSeq = 0;
  let torn = 0;
  let corrupt = 0;
  /** The header read last: the owner of events in a segment whose every header copy is damaged. */
  let lastHeader: SpoolBinding | undefined;
  for (const number of segments) {
    const contents = readSegment(segmentPath(dir, number));
    torn += contents.torn;
    corrupt += contents.corrupt;
    let header: SpoolBinding | undefined;
    for (const record of contents.records) {
      if (record.kind === 'header') {
        // The first readable copy counts (a segment starts with two).
        header ??= record.binding;
        lastHeader = header;
      } else if (record.kind === 'event') {
        // The first copy wins: a later one is the same event carried forward by a compaction or rotation.
        if (!events.has(record.seq)) events.set(record.seq, { event: record.event, binding: header });
        maxSeq = Math.max(maxSeq, record.seq);
      } else {
        for (const seq of record.seqs) acked.add(seq);
        maxSeq = Math.max(maxSeq, ...record.seqs);
      }
    }
  }
  // Events whose segment lost every header copy: a directory only ever holds live events of one binding (opening
  // refuses foreign ones), so another segment's header names theirs; with none readable at all, they are taken as
  // this client's (reported as such by the caller) rather than stranded.
  let unbound = 0;
  const live = [...events]
    .filter(([seq]) => !acked.has(seq))
    .sort(([a], [b]) => a - b)
    .map(([seq, { event, binding: owner }]) => {
      if (owner === undefined) unbound++;
      return { seq, event, binding: owner ?? lastHeader ?? binding };
    });
  const foreign = live.filter((entry) => !sameBinding(entry.binding, binding));
  if (foreign.length > 0) {
    const first = foreign[0]!.binding;
    throw new ValidationError([
      {
        path: 'options.spool.dir',
        message: `holds ${foreign.length} unacknowledged event(s) for ${describeBinding(first)}, not for ${describeBinding(binding)}; drain it with a client configured as before, or use another directory`,
      },
    ]);
  }

  const segment = (segments.at(-1) ?? 0) + 1;
  const text = segmentHeader(binding) + live.map((entry) => eventLine(entry.seq, entry.event)).join('');
  const fd = openSync(segmentPath(dir, segment), 'ax', 0o600);
  try {
    const data = Buffer.from(text);
    writeDurablySync(fd, data);
    syncDirSync(dir);
    for (const number of segments) unlinkSync(segmentPath(dir, number));
    if (segments.length > 0) syncDirSync(dir);
    return {
      fd,
      segment,
      fileBytes: data.length,
      live: live.map(({ seq, event }) => ({ seq, event })),
      nextSeq: maxSeq + 1,
      torn,
      corrupt,
      unbound,
      release,
    };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function sameBinding(a: SpoolBinding, b: SpoolBinding): boolean {
  return a.adapter === b.adapter && a.endpoint === b.endpoint && a.projectId === b.projectId;
}

function describeBinding(binding: SpoolBinding): string {
  const endpoint = binding.endpoint ?? "the adapter's default endpoint";
  const project = binding.projectId === null ? '' : `, project ${binding.projectId}`;
  return `adapter "${binding.adapter}" at ${endpoint}${project}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
