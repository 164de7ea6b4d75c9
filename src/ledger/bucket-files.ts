import { appendFile } from 'node:fs/promises';

/** Lines buffered per bucket before they are appended to its file. */
const FLUSH_LINES = 2_000;

/** Lines spread over `count` files (`<prefix>-<n>.jsonl`), written in batches so memory stays a few buffers. */
export class BucketFiles {
  readonly #prefix: string;
  readonly #buffers: string[][];
  #writes: Promise<void> = Promise.resolve();

  constructor(prefix: string, count: number) {
    this.#prefix = prefix;
    this.#buffers = Array.from({ length: count }, () => []);
  }

  path(bucket: number): string {
    return `${this.#prefix}-${bucket}.jsonl`;
  }

  add(bucket: number, line: string): void {
    const buffer = this.#buffers[bucket] as string[];
    buffer.push(line);
    if (buffer.length >= FLUSH_LINES) this.#flush(bucket);
  }

  /** Writes what is buffered; every bucket's file exists afterwards, empty or not. */
  async close(): Promise<void> {
    for (let bucket = 0; bucket < this.#buffers.length; bucket++) this.#flush(bucket);
    await this.#writes;
  }

  #flush(bucket: number): void {
    const lines = this.#buffers[bucket] as string[];
    this.#buffers[bucket] = [];
    const text = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
    this.#writes = this.#writes.then(() => appendFile(this.path(bucket), text));
  }
}
