import type { PreparedEvent } from '../adapters/adapter.js';
import { nodeJournalIo, type JournalIo } from './journal-io.js';
import { ackLine, eventLine, segmentHeader, type SpoolBinding } from './journal-record.js';
import type { LockLease } from './lock-lease.js';
import { openJournal } from './open-journal.js';
import { segmentPath } from './segment-file.js';

/** One journaled event, as long as the spool tracks it. */
export interface SpoolEntry {
  /** The journal's sequence number (0 for an event accepted after the spool failed: it was never journaled). */
  readonly seq: number;
  readonly event: PreparedEvent;
  /** Written and fdatasync'ed. */
  durable: boolean;
  /** Acknowledged (or cancelled): the spool no longer holds it. */
  done: boolean;
  /** UTF-8 bytes of its journal record, once written (0 before): what a rotation copies. */
  lineBytes: number;
}

export interface SpoolHooks {
  /** A group commit made these events durable (ids in journal order). Must not throw. */
  readonly persisted: (ids: string[]) => void;
  /** Writing failed; the spool stopped journaling. Must not throw. */
  readonly failed: (error: unknown) => void;
}

export interface SpoolSettings {
  readonly dir: string;
  readonly commitIntervalMs: number;
  readonly maxBytes: number;
  /** A segment is rotated once it is this large and twice the live events. @default 8 MiB */
  readonly segmentBytes?: number;
  /** A group this large (events) is committed without waiting for its interval. @default 1024 */
  readonly maxGroupEvents?: number;
  /** A group this large (bytes of events) is committed without waiting for its interval. @default 1 MiB */
  readonly maxGroupBytes?: number;
  /** The lock's lease. @default DEFAULT_LEASE (a heartbeat every 500 ms, stale after 5 s) */
  readonly lease?: LockLease;
}

/** Acknowledgements per journal line, so a line stays short however many events one commit acknowledges. */
const ACKS_PER_LINE = 1000;

/**
 * The write-ahead journal of a client's accepted events (the `spool` option).
 *
 * Group commit: `append` only adds the event to the pending group (no I/O on the caller's path). The group is
 * written with one `write` and made durable with one `fdatasync` `commitIntervalMs` after its first record (or at
 * once when it reaches `maxGroupEvents` / `maxGroupBytes`, or on `commitNow`); one commit runs at a time, and the
 * records that arrive meanwhile form the next group. `persisted` is called only after the fdatasync that covers
 * an event, so an event waits at most `commitIntervalMs` plus two write-and-fdatasync times (the commit in
 * progress, then its own).
 *
 * Rotation and deletion: a segment is rotated once it is larger than both `segmentBytes` and twice the journal
 * bytes of the live (unacknowledged) events' records (the records, not the events: a record adds about 100 bytes
 * of checksum, sequence number, hash and id, so for small events the copy would otherwise be at the threshold
 * again at once and every commit would rotate). The new segment starts with a copy of the live events, so once it is fsynced
 * (and its directory entry too) the old segment holds nothing needed and is deleted. Copying at most half of
 * what was written keeps the cost of compaction amortized below one extra write per byte, and the journal never
 * has more than one segment for longer than a rotation takes.
 *
 * Failure: if a write or fdatasync fails (a full disk, an I/O error), the spool stops journaling for good (after
 * a failed fsync the kernel may have dropped the data, so retrying it cannot be trusted), reports the error once,
 * and lets every event through to delivery; events accepted afterwards live in memory only.
 */
export class Spool {
  readonly #io: JournalIo;
  readonly #hooks: SpoolHooks;
  readonly #binding: SpoolBinding;
  readonly #dir: string;
  readonly #commitIntervalMs: number;
  readonly #maxBytes: number;
  readonly #segmentBytes: number;
  readonly #maxGroupEvents: number;
  readonly #maxGroupBytes: number;
  readonly #release: () => void;
  /** Live events by sequence number; a Map iterates in insertion order, which is sequence order. */
  readonly #live = new Map<number, SpoolEntry>();
  #liveBytes = 0;
  /** Journal bytes of the live events' records: what a rotation would copy. */
  #liveLineBytes = 0;
  #fd: number;
  #segment: number;
  #fileBytes: number;
  #nextSeq: number;
  #group = emptyGroup();
  #timer: NodeJS.Timeout | undefined;
  /** A commit was asked for while one was running. */
  #due = false;
  #committing: Promise<void> | undefined;
  #durableSeq = 0;
  #waiters: Waiter[] = [];
  #state: 'open' | 'failed' | 'closed' = 'open';
  #closing: Promise<void> | undefined;
  #persisted = 0;
  /** Events the previous owner of the directory left unacknowledged, oldest first (already durable). */
  readonly recovered: readonly SpoolEntry[];
  /**
   * Unreadable lines found on opening: a torn tail (part of a line after the last newline, expected after a crash)
   * and damaged lines (anywhere else, the last record included: data once written whole).
   */
  readonly damage: { readonly torn: number; readonly corrupt: number };
  /** Recovered events whose segment header was unreadable everywhere: taken as this client's adapter's. */
  readonly unbound: number;

  constructor(settings: SpoolSettings, binding: SpoolBinding, hooks: SpoolHooks, io: JournalIo = nodeJournalIo) {
    // The lock's heartbeat calls back only later, from a timer, once the fields below are set.
    const opened = openJournal(settings.dir, binding, { lease: settings.lease, lost: (reason) => this.#lockLost(reason) });
    this.#io = io;
    this.#hooks = hooks;
    this.#binding = binding;
    this.#dir = settings.dir;
    this.#commitIntervalMs = settings.commitIntervalMs;
    this.#maxBytes = settings.maxBytes;
    this.#segmentBytes = settings.segmentBytes ?? 8 * 1024 * 1024;
    this.#maxGroupEvents = settings.maxGroupEvents ?? 1024;
    this.#maxGroupBytes = settings.maxGroupBytes ?? 1024 * 1024;
    this.#release = opened.release;
    this.#fd = opened.fd;
    this.#segment = opened.segment;
    this.#fileBytes = opened.fileBytes;
    this.#nextSeq = opened.nextSeq;
    this.damage = { torn: opened.torn, corrupt: opened.corrupt };
    this.unbound = opened.unbound;
    const recovered: SpoolEntry[] = [];
    for (const { seq, event } of opened.live) {
      const entry = { seq, event, durable: true, done: false, lineBytes: Buffer.byteLength(eventLine(seq, event)) };
      this.#live.set(seq, entry);
      this.#liveBytes += event.bytes;
      this.#liveLineBytes += entry.lineBytes;
      recovered.push(entry);
    }
    this.#durableSeq = opened.nextSeq - 1;
    this.recovered = recovered;
  }

  /** Events made durable by this spool (recovered ones not included). */
  get persisted(): number {
    return this.#persisted;
  }

  /** Bytes of the events the spool holds (not yet acknowledged). */
  get liveBytes(): number {
    return this.#liveBytes;
  }

  /** Whether an event of `bytes` fits under `maxBytes`. Always true once the spool stopped journaling. */
  hasRoomFor(bytes: number): boolean {
    return this.#state !== 'open' || this.#liveBytes + bytes <= this.#maxBytes;
  }

  /** Adds `event` to the pending group. Synchronous and free of I/O. */
  append(event: PreparedEvent): SpoolEntry {
    if (this.#state !== 'open') return { seq: 0, event, durable: false, done: true, lineBytes: 0 };
    const entry: SpoolEntry = { seq: this.#nextSeq++, event, durable: false, done: false, lineBytes: 0 };
    this.#live.set(entry.seq, entry);
    this.#liveBytes += event.bytes;
    this.#group.events.push(entry);
    this.#group.bytes += event.bytes;
    this.#schedule();
    return entry;
  }

  /** Takes back the entry `append` just returned (the queue refused the event), so it is never written. */
  cancel(entry: SpoolEntry): void {
    if (this.#group.events.at(-1) === entry) {
      this.#group.events.pop();
      this.#group.bytes -= entry.event.bytes;
      this.#forget(entry);
    } else {
      void this.ack(entry);
    }
  }

  /**
   * Records that the event is done: it is not replayed, and its bytes leave the spool. Returns a promise that
   * resolves once the acknowledgement is durable (the group commit that writes it has been fdatasync'ed, or the
   * spool stopped journaling, which it reports): what the client waits for before it resolves a receipt, so that
   * an event reported delivered is never sent again after a crash. Undefined when nothing is written (already
   * done, or the spool no longer journals). Never rejects.
   */
  ack(entry: SpoolEntry): Promise<void> | undefined {
    if (entry.done || this.#state !== 'open') return undefined;
    this.#forget(entry);
    const group = this.#group;
    group.acks.push(entry.seq);
    group.acksDurable ??= Promise.withResolvers<void>();
    this.#schedule();
    return group.acksDurable.promise;
  }

  /**
   * Resolves once every entry is durable; undefined when they already are (or the spool no longer journals), so
   * the common path allocates nothing.
   */
  whenDurable(entries: Iterable<SpoolEntry | undefined>): Promise<void> | undefined {
    if (this.#state !== 'open') return undefined;
    let last = 0;
    for (const entry of entries) if (entry !== undefined && !entry.durable && entry.seq > last) last = entry.seq;
    if (last <= this.#durableSeq) return undefined;
    return new Promise((resolve) => this.#waiters.push({ seq: last, resolve }));
  }

  /** Starts committing the pending group now (for flush, close and exit), rather than at its interval. */
  commitNow(): void {
    this.#clearTimer();
    if (this.#state !== 'open') return;
    if (this.#committing !== undefined) {
      this.#due = true;
      return;
    }
    // A request made during the last commit is answered now, even when nothing is pending: a stale one would stop
    // #schedule from ever setting the timer again, and acknowledgements (which receipts wait for) would never be
    // written.
    this.#due = false;
    if (this.#group.events.length === 0 && this.#group.acks.length === 0) return;
    this.#committing = this.#commit();
  }

  /** Whether records are waiting for a commit. */
  get hasPending(): boolean {
    return this.#group.events.length > 0 || this.#group.acks.length > 0;
  }

  /** Commits what is pending now and resolves once it is durable (or the spool stopped journaling). Never rejects. */
  async sync(): Promise<void> {
    // Each pass commits what the previous one left pending (records appended while it ran); bounded all the same.
    for (let pass = 0; pass < 10 && this.#state === 'open' && (this.#committing !== undefined || this.hasPending); pass++) {
      this.commitNow();
      await this.#committing;
    }
  }

  /**
   * Commits what is pending, closes the segment and releases the directory. Deletes the segment when it holds
   * no live event, leaving an empty directory. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    try {
      await this.sync();
    } finally {
      const clean = this.#state === 'open' && this.#live.size === 0 && !this.hasPending;
      this.#state = 'closed';
      this.#clearTimer();
      this.#resolveWaiters(Number.POSITIVE_INFINITY);
      this.#group.acksDurable?.resolve();
      await this.#io.close(this.#fd).catch(() => {});
      if (clean) {
        await this.#io.unlink(segmentPath(this.#dir, this.#segment)).catch(() => {});
        await this.#io.syncDir(this.#dir);
      }
      this.#release();
    }
  }

  #forget(entry: SpoolEntry): void {
    entry.done = true;
    this.#live.delete(entry.seq);
    this.#liveBytes -= entry.event.bytes;
    this.#liveLineBytes -= entry.lineBytes;
  }

  #schedule(): void {
    const group = this.#group;
    if (group.events.length >= this.#maxGroupEvents || group.bytes >= this.#maxGroupBytes) {
      this.commitNow();
    } else if (this.#timer === undefined && !this.#due) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.commitNow();
      }, this.#commitIntervalMs);
      // Never keeps the process alive on its own: close(), flush() and the beforeExit hook commit at once.
      this.#timer.unref();
    }
  }

  async #commit(): Promise<void> {
    const group = this.#group;
    this.#group = emptyGroup();
    this.#due = false;
    let retired: { fd: number; segment: number } | undefined;
    let ids: string[] | undefined;
    try {
      let text = '';
      if (this.#fileBytes >= Math.max(this.#segmentBytes, 2 * this.#liveLineBytes)) {
        // Created first: if that fails, the old segment's descriptor stays the only one, closed once by close().
        const created = await this.#io.create(segmentPath(this.#dir, this.#segment + 1));
        retired = { fd: this.#fd, segment: this.#segment };
        this.#fd = created;
        this.#segment++;
        this.#fileBytes = 0;
        text = segmentHeader(this.#binding);
        // The live events already durable in the old segment; those of this group follow below.
        for (const entry of this.#live.values()) if (entry.durable) text += eventLine(entry.seq, entry.event);
      }
      for (const entry of group.events) {
        const record = eventLine(entry.seq, entry.event);
        text += record;
        if (!entry.done) {
          entry.lineBytes = Buffer.byteLength(record);
          this.#liveLineBytes += entry.lineBytes;
        }
      }
      for (let i = 0; i < group.acks.length; i += ACKS_PER_LINE) text += ackLine(group.acks.slice(i, i + ACKS_PER_LINE));
      const data = Buffer.from(text);
      await this.#io.append(this.#fd, data);
      this.#fileBytes += data.length;
      await this.#io.datasync(this.#fd);
      if (retired !== undefined) {
        // The new segment's name must be durable before the old segment, the only other copy, goes.
        await this.#io.syncDir(this.#dir);
        const { fd, segment } = retired;
        retired = undefined;
        await this.#io.close(fd);
        await this.#io.unlink(segmentPath(this.#dir, segment));
      }
      ids = [];
      for (const entry of group.events) {
        entry.durable = true;
        ids.push(entry.event.id);
      }
      const last = group.events.at(-1);
      if (last !== undefined) this.#durableSeq = last.seq;
      this.#persisted += ids.length;
      // Settles promises only: the code waiting on them runs after the persisted hook below.
      this.#resolveWaiters(this.#durableSeq);
    } catch (error) {
      if (retired !== undefined) await this.#io.close(retired.fd).catch(() => {});
      this.#fail(error);
    } finally {
      this.#committing = undefined;
      group.acksDurable?.resolve();
    }
    if (ids !== undefined && ids.length > 0) this.#hooks.persisted(ids);
    if (this.#state === 'open' && this.#due) this.commitNow();
  }

  /** Another process took the directory over: this one must stop writing to it at once. */
  #lockLost(reason: string): void {
    if (this.#state === 'open') this.#fail(new Error(reason));
  }

  #fail(error: unknown): void {
    this.#state = 'failed';
    this.#clearTimer();
    // Its acknowledgements will never be written; the failure is reported, and nobody may wait for them.
    this.#group.acksDurable?.resolve();
    this.#group = emptyGroup();
    // Their events go on to delivery from memory; nothing will make them durable now.
    this.#resolveWaiters(Number.POSITIVE_INFINITY);
    this.#hooks.failed(error);
  }

  #resolveWaiters(upTo: number): void {
    if (this.#waiters.length === 0) return;
    const waiting: Waiter[] = [];
    for (const waiter of this.#waiters) {
      if (waiter.seq <= upTo) waiter.resolve();
      else waiting.push(waiter);
    }
    this.#waiters = waiting;
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

interface Waiter {
  readonly seq: number;
  readonly resolve: () => void;
}

interface Group {
  readonly events: SpoolEntry[];
  readonly acks: number[];
  bytes: number;
  /** Settled once the group's acknowledgements are durable (or will never be: the spool failed). */
  acksDurable?: PromiseWithResolvers<void>;
}

function emptyGroup(): Group {
  return { events: [], acks: [], bytes: 0 };
}
