import { JsonSyntaxError } from '../errors.js';

// I-JSON (RFC 7493 section 2.1) requires UTF-8, and RFC 8259 section 8.1 says JSON exchanged between systems
// is UTF-8. A lenient decoder turns invalid bytes into U+FFFD, so two different byte strings would hash the same:
// every reader of JSON bytes decodes with these functions and refuses invalid UTF-8 instead.

/**
 * The offset of the first byte that does not belong to a well-formed UTF-8 sequence (RFC 3629 section 4: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or -1 when every sequence from `start` on is well-formed.
 * A sequence cut off by the end of `bytes` counts as invalid at its first byte unless `partialEnd` allows it.
 */
export function invalidUtf8Offset(bytes: Uint8Array, start = 0, partialEnd = false): number {
  let i = start;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length = sequenceLength(lead);
    if (length === 0) return i;
    // The second byte's range also rules out overlong forms (E0, F0), surrogates (ED) and > U+10FFFF (F4).
    const [low, high] = secondByteRange(lead);
    for (let k = 1; k < length; k++) {
      if (i + k >= bytes.length) return partialEnd ? -1 : i;
      const next = bytes[i + k] as number;
      const ok = k === 1 ? next >= low && next <= high : next >= 0x80 && next <= 0xbf;
      if (!ok) return i;
    }
    i += length;
  }
  return -1;
}

function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0; // a continuation byte, an overlong C0/C1 lead, or F5..FF
}

function secondByteRange(lead: number): readonly [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xed) return [0x80, 0x9f];
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f];
  return [0x80, 0xbf];
}

/** The error for invalid UTF-8 at byte `offset` of the input (0-based, printed as such: byte offsets usually are). */
export function invalidUtf8Error(offset: number, byte: number | undefined): JsonSyntaxError {
  const shown = byte === undefined ? 'the input ends inside a character' : `byte 0x${byte.toString(16).padStart(2, '0')}`;
  return new JsonSyntaxError(`invalid UTF-8 at byte offset ${offset} (${shown}); I-JSON text must be UTF-8`);
}

/** Decodes UTF-8 bytes whole. @throws JsonSyntaxError naming the offset of the first invalid byte. */
export function decodeUtf8(bytes: Uint8Array): string {
  const decoder = new Utf8StreamDecoder();
  return decoder.write(bytes) + decoder.end();
}

/**
 * Decodes a stream of UTF-8 chunks (a character may be split between chunks). Uses the fast native decoder and
 * only scans byte by byte, to name the offset, once that decoder has refused a chunk.
 */
export class Utf8StreamDecoder {
  readonly #decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  /** Bytes before the current chunk. */
  #offset = 0;
  /** The last bytes of the previous chunk, where a character split by the chunk boundary started. */
  #tail: Uint8Array = new Uint8Array(0);

  /** @throws JsonSyntaxError at the first invalid byte. */
  write(chunk: Uint8Array): string {
    let text: string;
    try {
      text = this.#decoder.decode(chunk, { stream: true });
    } catch {
      throw this.#locate(chunk);
    }
    this.#tail = chunk.length >= 3 ? chunk.subarray(chunk.length - 3) : concat(this.#tail, chunk).subarray(-3);
    this.#offset += chunk.length;
    return text;
  }

  /** @throws JsonSyntaxError when the input ends inside a character. */
  end(): string {
    try {
      return this.#decoder.decode();
    } catch {
      throw this.#locate(new Uint8Array(0), true);
    }
  }

  #locate(chunk: Uint8Array, atEnd = false): JsonSyntaxError {
    // The previous chunks decoded, so scanning from the first lead byte of their last three bytes is in step.
    let from = 0;
    while (from < this.#tail.length && ((this.#tail[from] as number) & 0xc0) === 0x80) from++;
    const bytes = concat(this.#tail.subarray(from), chunk);
    const base = this.#offset - (this.#tail.length - from);
    const found = Math.max(0, invalidUtf8Offset(bytes, 0, !atEnd));
    return invalidUtf8Error(base + found, atEnd ? undefined : bytes[found]);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}
