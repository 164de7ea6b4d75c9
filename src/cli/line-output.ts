import type { Writable } from 'node:stream';

const BLOCK_CHARS = 64 * 1024;

/**
 * Writes lines to a stream in blocks and waits while the stream's buffer is full, so a command that prints a line
 * per event of a large input keeps constant memory even when the reader of its output is slower than it.
 */
export class LineOutput {
  readonly #stream: Writable;
  #lines: string[] = [];
  #chars = 0;
  #error: Error | undefined;

  constructor(stream: Writable) {
    this.#stream = stream;
    // EPIPE (`auditwire hash big.jsonl | head`) and the like: reported by the next write rather than thrown at exit.
    stream.on('error', (error: Error) => (this.#error ??= error));
  }

  /** Resolves at once unless a block had to wait for the stream to drain. */
  line(text: string): Promise<void> | undefined {
    this.#lines.push(text);
    this.#chars += text.length + 1;
    return this.#chars >= BLOCK_CHARS ? this.flush() : undefined;
  }

  async flush(): Promise<void> {
    if (this.#error !== undefined) throw this.#error;
    if (this.#lines.length === 0) return;
    const block = `${this.#lines.join('\n')}\n`;
    this.#lines = [];
    this.#chars = 0;
    if (this.#stream.write(block)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.#stream.off('drain', done);
        this.#stream.off('error', done);
        resolve();
      };
      this.#stream.on('drain', done);
      this.#stream.on('error', done);
    });
    if (this.#error !== undefined) throw this.#error;
  }
}
