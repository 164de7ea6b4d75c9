import { createWriteStream, type WriteStream } from 'node:fs';
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

/**
 * Writes failed events to `path` (one per line, unchanged, so the file can be sent again as it is) and their reasons
 * to `path.errors.jsonl`, line k of one matching line k of the other. Both files are created at the first failure
 * only: a run where everything was sent leaves no files behind.
 */
export class FailureLog {
  readonly path: string;
  readonly errorsPath: string;
  #events: WriteStream | undefined;
  #reasons: WriteStream | undefined;
  #writeError: Error | undefined;

  constructor(path: string) {
    this.path = path;
    this.errorsPath = `${path}.errors.jsonl`;
  }

  record(failure: FailureRecord): void {
    if (this.#events === undefined || this.#reasons === undefined) {
      this.#events = this.#open(this.path);
      this.#reasons = this.#open(this.errorsPath);
    }
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

  /** Flushes and closes both files. Rejects if either could not be written (the failures would otherwise be lost silently). */
  async close(): Promise<void> {
    const streams = [this.#events, this.#reasons].filter((stream) => stream !== undefined);
    await Promise.all(streams.map((stream) => finished(stream.end()).catch((error: unknown) => this.#noteError(error))));
    if (this.#writeError !== undefined) throw this.#writeError;
  }

  #open(path: string): WriteStream {
    const stream = createWriteStream(path, { flags: 'w' });
    // Reported by close(); until then writes are buffered, so a failing disk does not stop the send.
    stream.on('error', (error) => this.#noteError(error));
    return stream;
  }

  #noteError(error: unknown): void {
    this.#writeError ??= error instanceof Error ? error : new Error(String(error));
  }
}
