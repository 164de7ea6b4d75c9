import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';

/** One failed event: its text as read, and why it failed. */
export interface FailureRecord {
  readonly index: number;
  readonly where: string;
  readonly id: string | null;
  readonly code: string;
  readonly message: string;
  readonly status?: number | undefined;
  /** The event as the input spelled it, on one line. */
  readonly text: string;
}

/** What `FailureLog.finish` did with the files of the run before. */
export interface FinishResult {
  /** Failures of an earlier run were removed: this run had none. */
  readonly removedStale: boolean;
}

/**
 * Writes failed events to `path` (one per line, unchanged, so the file can be sent again as it is) and their reasons
 * to `path.errors.jsonl`, line k of one matching line k of the other. Both are written beside their final names and
 * renamed at `finish()`: so the failures file can be the input being read (a failures file sent again is rewritten
 * with what still fails), a crash leaves the earlier files whole, and a run where everything was sent leaves no
 * failures file behind, not even an earlier run's.
 */
export class FailureLog {
  readonly path: string;
  readonly errorsPath: string;
  readonly #partialPath: string;
  readonly #partialErrorsPath: string;
  #events: WriteStream | undefined;
  #reasons: WriteStream | undefined;
  #writeError: Error | undefined;
  #count = 0;

  constructor(path: string) {
    this.path = path;
    this.errorsPath = `${path}.errors.jsonl`;
    this.#partialPath = `${path}.partial-${process.pid}`;
    this.#partialErrorsPath = `${this.errorsPath}.partial-${process.pid}`;
  }

  /** Failures recorded so far. */
  get count(): number {
    return this.#count;
  }

  record(failure: FailureRecord): void {
    if (this.#events === undefined || this.#reasons === undefined) {
      this.#events = this.#open(this.#partialPath);
      this.#reasons = this.#open(this.#partialErrorsPath);
    }
    this.#count++;
    this.#events.write(`${failure.text}\n`);
    const reason = {
      index: failure.index,
      id: failure.id,
      code: failure.code,
      message: failure.message,
      ...(failure.status === undefined ? {} : { status: failure.status }),
      where: failure.where,
    };
    this.#reasons.write(`${JSON.stringify(reason)}\n`);
  }

  /**
   * Flushes the files and puts them in place of the earlier ones, or, with no failures, removes the earlier ones.
   * `keepEarlier` leaves the earlier files as they were and drops this run's (the input was a failures file that
   * could not be read to its end, so this run's failures are not all of what it held). Rejects if a file could not be
   * written (the failures would otherwise be lost silently).
   */
  async finish(keepEarlier = false): Promise<FinishResult> {
    const streams = [this.#events, this.#reasons].filter((stream) => stream !== undefined);
    await Promise.all(streams.map((stream) => finished(stream.end()).catch((error: unknown) => this.#noteError(error))));
    if (this.#writeError !== undefined || keepEarlier) {
      await Promise.all([rm(this.#partialPath, { force: true }), rm(this.#partialErrorsPath, { force: true })]);
      if (this.#writeError !== undefined) throw this.#writeError;
      return { removedStale: false };
    }
    if (this.#count > 0) {
      await rename(this.#partialPath, this.path);
      await rename(this.#partialErrorsPath, this.errorsPath);
      return { removedStale: false };
    }
    const removed = await Promise.all([removeIfPresent(this.path), removeIfPresent(this.errorsPath)]);
    return { removedStale: removed.includes(true) };
  }

  #open(path: string): WriteStream {
    const stream = createWriteStream(path, { flags: 'w' });
    // Reported by finish(); until then writes are buffered, so a failing disk does not stop the send.
    stream.on('error', (error) => this.#noteError(error));
    return stream;
  }

  #noteError(error: unknown): void {
    this.#writeError ??= error instanceof Error ? error : new Error(String(error));
  }
}

async function removeIfPresent(path: string): Promise<boolean> {
  try {
    await rm(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
