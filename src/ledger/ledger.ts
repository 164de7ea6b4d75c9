import { mkdirSync } from 'node:fs';
import { open, rename, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError, type ValidationIssue } from '../errors.js';
import { acquireSpoolLock, SpoolLocked } from '../spool/spool-lock.js';
import { nodeJournalIo } from '../spool/journal-io.js';
import { checkpointLine } from './checkpoint-log.js';
import { formatCheckpoint } from './checkpoint.js';
import { ledgerPaths } from './ledger-files.js';
import { resolveLedgerOptions, type LedgerOptions, type ResolvedLedgerOptions } from './ledger-options.js';
import { canonicalRecord, type LedgerRecord } from './ledger-record.js';
import { LedgerDamagedError, scanLedger } from './ledger-scan.js';
import type { MerkleFrontier } from './merkle-frontier.js';
import { encodeRecordBatch } from './record-batch.js';
import { signNote } from './signed-note.js';

/**
 * How long an appended record waits for company before the write and fdatasync that make it durable begin. The
 * ledger trails the acknowledgements by this plus one fdatasync; fewer, larger fsyncs keep it off the delivery
 * path's back (the spool's `commitIntervalMs` makes the same trade).
 */
const GROUP_COMMIT_MS = 10;

export interface LedgerHooks {
  /** A write failed: the ledger stops taking records (each later `append` is counted in `stats().lost`). */
  readonly failed?: (error: Error) => void;
}

export interface LedgerStats {
  /** Records on stable storage. */
  readonly size: number;
  /** Tree size of the last signed checkpoint. */
  readonly checkpointed: number;
  /** Records appended but not yet on stable storage. */
  readonly pending: number;
  /** Records that could not be written (after a write failure, or appended after close). */
  readonly lost: number;
}

/**
 * An append-only, signed ledger: each record is a leaf of an RFC 6962 Merkle tree, written to `records.log` with
 * a checksum and fdatasync'd in batches, and a C2SP checkpoint over the durable records is signed every
 * `checkpointIntervalMs` and at `close()`. Opened with `openLedger`.
 *
 * `append` is synchronous and does no I/O: records accumulate and one write + fdatasync takes everything that
 * arrived meanwhile (group commit), so a caller on a hot path pays for a schema check, the record's canonical JSON
 * and an array push.
 */
export class Ledger {
  readonly #options: ResolvedLedgerOptions;
  readonly #frontier: MerkleFrontier;
  readonly #records: FileHandle;
  readonly #checkpoints: FileHandle;
  readonly #release: () => void;
  readonly #hooks: LedgerHooks;
  readonly #timer: NodeJS.Timeout;
  /** Canonical JSON of the records appended since the last write began. */
  #pending: string[] = [];
  #writing: Promise<void> = Promise.resolve();
  #writeQueued = false;
  #scheduled = false;
  #checkpointed: number;
  #hasCheckpoint: boolean;
  #failure: Error | undefined;
  #lost = 0;
  #closed: Promise<void> | undefined;

  /** @internal Use `openLedger`. */
  constructor(parts: {
    options: ResolvedLedgerOptions;
    frontier: MerkleFrontier;
    records: FileHandle;
    checkpoints: FileHandle;
    release: () => void;
    checkpointed: number | undefined;
    hooks: LedgerHooks;
  }) {
    this.#options = parts.options;
    this.#frontier = parts.frontier;
    this.#records = parts.records;
    this.#checkpoints = parts.checkpoints;
    this.#release = parts.release;
    this.#hooks = parts.hooks;
    this.#checkpointed = parts.checkpointed ?? 0;
    this.#hasCheckpoint = parts.checkpointed !== undefined;
    this.#timer = setInterval(() => void this.checkpoint().catch(() => undefined), parts.options.checkpointIntervalMs);
    this.#timer.unref();
  }

  /** The directory (absolute). */
  get dir(): string {
    return this.#options.dir;
  }

  stats(): LedgerStats {
    return { size: this.#frontier.size, checkpointed: this.#checkpointed, pending: this.#pending.length, lost: this.#lost };
  }

  /**
   * Queues `record` for the next group write. Throws `ValidationError` for a record that is not a ledger record;
   * after a write failure or `close()` the record is counted as lost (and the failure was reported).
   */
  append(record: LedgerRecord): void {
    // Serialized now: the record's leaf bytes are fixed at the call, whatever the caller does with the object later.
    const json = canonicalRecord(record);
    if (this.#failure !== undefined || this.#closed !== undefined) {
      this.#lost++;
      return;
    }
    this.#pending.push(json);
    if (!this.#scheduled) {
      this.#scheduled = true;
      // Group commit: one write and fdatasync for everything appended within the window.
      // Not unref()ed: a process that ends right after an acknowledgement still writes it.
      setTimeout(() => void this.flush().catch(() => undefined), GROUP_COMMIT_MS);
    }
  }

  /** Resolves once every record appended before the call is on stable storage; rejects after a write failure. */
  flush(): Promise<void> {
    this.#scheduled = false;
    if (this.#pending.length > 0 && !this.#writeQueued) {
      this.#writeQueued = true;
      // The batch is taken when the write starts, not now: whatever arrives while the previous write and fdatasync
      // run joins it, so under load there is one fdatasync per disk round trip rather than one per timer tick.
      // Chained after a failed write too, so that what waited is counted as lost rather than forgotten.
      this.#writing = this.#writing.then(this.#writePending, this.#writePending);
    }
    return this.#writing;
  }

  readonly #writePending = (): Promise<void> => {
    this.#writeQueued = false;
    const batch = this.#pending;
    this.#pending = [];
    return this.#write(batch);
  };

  /**
   * Flushes, then signs and writes a checkpoint of the durable records, unless the last one already covers them.
   * Resolves with the signed note (or undefined when none was needed).
   */
  async checkpoint(): Promise<string | undefined> {
    await this.flush();
    let note: string | undefined;
    this.#writing = this.#writing.then(async () => {
      if (this.#failure !== undefined) throw this.#failure;
      const size = this.#frontier.size;
      if (this.#hasCheckpoint && size === this.#checkpointed) return;
      note = signNote(formatCheckpoint({ origin: this.#options.origin, size, root: this.#frontier.root() }), this.#options.signer);
      await this.#guard(async () => {
        await nodeJournalIo.append(this.#checkpoints.fd, Buffer.from(checkpointLine(note as string)));
        await nodeJournalIo.datasync(this.#checkpoints.fd);
        await writeLatest(this.#options.dir, note as string);
      });
      this.#checkpointed = size;
      this.#hasCheckpoint = true;
    });
    await this.#writing;
    return note;
  }

  /** Writes what is pending, signs a final checkpoint, and releases the directory. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      clearInterval(this.#timer);
      try {
        await this.checkpoint();
      } finally {
        await this.#records.close().catch(() => undefined);
        await this.#checkpoints.close().catch(() => undefined);
        this.#release();
      }
    })();
    return this.#closed;
  }

  async #write(batch: readonly string[]): Promise<void> {
    if (this.#failure !== undefined) {
      this.#lost += batch.length;
      throw this.#failure;
    }
    const { bytes, leaves } = encodeRecordBatch(batch);
    await this.#guard(async () => {
      await nodeJournalIo.append(this.#records.fd, bytes);
      await nodeJournalIo.datasync(this.#records.fd);
    }, batch.length);
    // Only durable records enter the tree, so a checkpoint never covers a record a crash could take back.
    for (const leaf of leaves) this.#frontier.append(leaf);
  }

  /** Runs a write; a failure stops the ledger for good (a half-written line must not be followed by more). */
  async #guard(write: () => Promise<void>, records = 0): Promise<void> {
    try {
      await write();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#failure = new Error(`ledger: writing to ${this.#options.dir} failed (${reason}); no further records are kept`, { cause: error });
      this.#lost += records;
      try {
        this.#hooks.failed?.(this.#failure);
      } catch {
        // A hook that throws must not turn a reported failure into an unhandled one.
      }
      throw this.#failure;
    }
  }
}

/**
 * Opens (or creates) the ledger in `options.dir` for appending: validates the options (`ValidationError`, the
 * signing key never quoted), takes the directory's lock, reads the records back to rebuild the tree (cutting off
 * a torn last write), and refuses a ledger whose records no longer match its last checkpoint.
 */
export async function openLedger(options: LedgerOptions, hooks: LedgerHooks = {}): Promise<Ledger> {
  const issues: ValidationIssue[] = [];
  const resolved = resolveLedgerOptions(options, 'ledger', issues);
  if (resolved === undefined) throw new ValidationError(issues);
  return openResolvedLedger(resolved, hooks);
}

/** `openLedger` for options already checked (by the client's constructor). */
export async function openResolvedLedger(options: ResolvedLedgerOptions, hooks: LedgerHooks = {}): Promise<Ledger> {
  mkdirSync(options.dir, { recursive: true });
  let release: () => void;
  try {
    release = acquireSpoolLock(options.dir);
  } catch (error) {
    if (error instanceof SpoolLocked) throw new LedgerDamagedError(`the ledger ${options.dir} is in use: ${error.message}`);
    throw error;
  }
  try {
    const paths = ledgerPaths(options.dir);
    const state = await scanLedger(options.dir);
    // Cut a torn tail: nothing after it was written, and no checkpoint covers it.
    if (state.recordsTornAt !== undefined) await truncateDurably(paths.records, state.recordsTornAt);
    if (state.checkpointsTornAt !== undefined) await truncateDurably(paths.checkpoints, state.checkpointsTornAt);
    const records = await open(paths.records, 'a', 0o600);
    const checkpoints = await open(paths.checkpoints, 'a', 0o600);
    await nodeJournalIo.syncDir(options.dir);
    return new Ledger({ options, frontier: state.frontier, records, checkpoints, release, checkpointed: state.lastCheckpoint?.size, hooks });
  } catch (error) {
    release();
    throw error;
  }
}

async function truncateDurably(path: string, length: number): Promise<void> {
  await truncate(path, length);
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `checkpoint` atomically (write, fsync, rename, fsync the directory): a reader sees the old note or the new. */
async function writeLatest(dir: string, note: string): Promise<void> {
  const paths = ledgerPaths(dir);
  const temp = join(dir, `checkpoint.${process.pid}.tmp`);
  await writeFile(temp, note, { mode: 0o644, flush: true });
  await rename(temp, paths.latest);
  await nodeJournalIo.syncDir(dir);
}
