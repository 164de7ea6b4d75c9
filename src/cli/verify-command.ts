import { hashEvent } from '../hash/event-hash.js';
import { retracedHash } from '../hash/retraced-hash.js';
import { oneLine } from './error-line.js';
import { readEvents } from './event-stream.js';
import { retracedEvent, retracedId } from './hash-command.js';
import { parseCommandArgs } from './parse-command-args.js';
import { describe, located, openInput, type InputStream } from './read-documents.js';
import { CliInputError, EmptyInputError } from './usage-error.js';

export const VERIFY_HELP = `Usage: auditwire verify FILE [--retraced]

FILE (or "-" for standard input) holds [{ "event": ..., "hash": "..." }, ...] or JSONL of such objects.
Recomputes each event's hash and compares it with the recorded one. The file is read as a stream, so a file of
any size is checked in constant memory.

  --retraced      use the Retraced hash formula; each entry also needs "id" (the server-assigned id)
  -h, --help      show this help

Exit status: 0 when every hash matches; 1 when any differs (each mismatch is printed, with its line or element
counted from 1) or when FILE holds no entries at all (an emptied file must not pass a check); 2 on bad input.`;

interface Entry {
  readonly event: unknown;
  readonly hash: string;
  readonly id: string | undefined;
}

export async function runVerify(
  args: string[],
  out: (line: string) => void,
  err: (line: string) => void,
  stdin?: InputStream,
): Promise<number> {
  const { values, positionals } = parseCommandArgs('verify', {
    args,
    allowPositionals: true,
    options: {
      retraced: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(VERIFY_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new CliInputError('verify takes exactly one FILE (or "-" for standard input)');

  const { stream, source } = await openInput(positionals[0], positionals[0], stdin);
  let entries = 0;
  let mismatches = 0;
  try {
    for await (const item of readEvents(stream, { source })) {
      const where = located(source, item.where);
      if (!item.ok) throw describe(item.error, where);
      let entry: Entry;
      let actual: string;
      try {
        entry = toEntry(item.value);
        actual = values.retraced ? retracedHash(retracedEvent(entry.event), retracedId(entry, entry.id)) : hashEvent(entry.event);
      } catch (error) {
        throw describe(error, where);
      }
      entries++;
      if (actual !== entry.hash.toLowerCase()) {
        mismatches++;
        const id = idOf(entry);
        err(oneLine(`mismatch at ${where}${id ? ` (id ${id})` : ''}: expected ${entry.hash}, computed ${actual}`));
      }
    }
  } catch (error) {
    if (!(error instanceof EmptyInputError)) throw error;
  }
  if (entries === 0) {
    err(`auditwire: ${source} holds no entries, so nothing was verified; a file of pinned hashes that is empty fails the check`);
    return 1;
  }
  out(`${entries - mismatches} of ${entries} hashes match`);
  return mismatches === 0 ? 0 : 1;
}

function toEntry(value: unknown): Entry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliInputError('expected an object { "event": ..., "hash": "..." }');
  }
  const record = value as Record<string, unknown>;
  if (!('event' in record)) throw new CliInputError('missing "event"');
  if (!('hash' in record)) throw new CliInputError('missing "hash" (the recorded hash to compare with)');
  if (typeof record.hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(record.hash)) {
    throw new CliInputError('"hash" must be 64 hex digits (a SHA-256)');
  }
  const id = typeof record.id === 'string' ? record.id : undefined;
  return { event: record.event, hash: record.hash, id };
}

function idOf(entry: Entry): string | undefined {
  if (entry.id !== undefined) return entry.id;
  const own = (entry.event as { id?: unknown } | null)?.id;
  return typeof own === 'string' ? own : undefined;
}
