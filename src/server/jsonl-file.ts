import { open, type FileHandle } from 'node:fs/promises';

/**
 * Appends JSON lines in call order. Writes are chained, so concurrent requests cannot interleave or reorder
 * lines, and `close()` resolves only after every line asked for has been written.
 */
export class JsonlFile {
  readonly #handle: FileHandle;
  #tail: Promise<void> = Promise.resolve();
  #closing: Promise<void> | undefined;

  private constructor(handle: FileHandle) {
    this.#handle = handle;
  }

  /** Opens (creating if missing) `path` for appending; rejects at once if it cannot be opened. */
  static async open(path: string): Promise<JsonlFile> {
    return new JsonlFile(await open(path, 'a'));
  }

  append(record: unknown): Promise<void> {
    if (this.#closing) return Promise.reject(new Error('the JSONL file is closed'));
    const line = `${JSON.stringify(record)}\n`;
    // A failed write is reported to its own request; the lines after it are still attempted.
    const write = this.#tail.catch(() => undefined).then(() => this.#handle.appendFile(line, 'utf8'));
    this.#tail = write;
    return write;
  }

  close(): Promise<void> {
    this.#closing ??= this.#tail.catch(() => undefined).then(() => this.#handle.close());
    return this.#closing;
  }
}
