import { open } from 'node:fs/promises';

export interface FileLine {
  /** The line's text without its newline. */
  readonly text: string;
  /** Byte offset of the line's first byte. */
  readonly offset: number;
  /** False for a last line whose newline never reached the disk. */
  readonly terminated: boolean;
}

const CHUNK_BYTES = 1 << 20;

/**
 * The lines of a file, read in 1 MiB chunks: memory stays one chunk plus the longest line, whatever the file's
 * size. A missing file has no lines.
 */
export async function* readLines(path: string): AsyncGenerator<FileLine> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    let carry = Buffer.alloc(0);
    let carryOffset = 0;
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      const data = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      let start = 0;
      for (let newline = data.indexOf(10, start); newline !== -1; newline = data.indexOf(10, start)) {
        yield { text: data.toString('utf8', start, newline), offset: carryOffset + start, terminated: true };
        start = newline + 1;
      }
      // Copied: the chunk buffer is reused by the next read.
      carry = Buffer.from(data.subarray(start));
      carryOffset += start;
    }
    if (carry.length > 0) yield { text: carry.toString('utf8'), offset: carryOffset, terminated: false };
  } finally {
    await handle.close();
  }
}
