import { CliInputError, EmptyInputError } from './usage-error.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/**
 * Cuts the text of one JSON array, fed in chunks, into the texts of its elements without parsing them, so a large
 * array is never held whole. Only strings and brackets are tracked; each element is parsed (and any syntax error in
 * it reported) by the caller, so one bad element costs only itself. The whitespace between tokens is dropped and
 * everything else kept byte for byte: a pretty-printed element comes out on one line, unchanged otherwise, as a
 * JSONL failures file needs it.
 */
export class JsonArraySplitter {
  #state: 'before' | 'inside' | 'after' = 'before';
  #depth = 0;
  #inString = false;
  #escaped = false;
  #parts: string[] = [];
  #elements = 0;
  #afterComma = false;

  /** Returns the elements completed by `chunk`. Throws `CliInputError` when the array's structure is broken. */
  push(chunk: string): string[] {
    const done: string[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const code = chunk.charCodeAt(i);
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (code === BACKSLASH) this.#escaped = true;
        else if (code === QUOTE) this.#inString = false;
        continue;
      }
      if (this.#state !== 'inside') {
        if (isWhitespace(code)) continue;
        if (this.#state === 'after') throw new CliInputError('text after the end of the JSON array');
        if (code !== OPEN_BRACKET) throw new CliInputError('expected a JSON array');
        this.#state = 'inside';
        start = i + 1;
        continue;
      }
      if (isWhitespace(code)) {
        if (i > start) this.#parts.push(chunk.slice(start, i));
        start = i + 1;
        continue;
      }
      if (this.#depth === 0 && (code === COMMA || code === CLOSE_BRACKET)) {
        if (i > start) this.#parts.push(chunk.slice(start, i));
        start = i + 1;
        const element = this.#parts.join('');
        this.#parts = [];
        const closesEmptyArray = code === CLOSE_BRACKET && this.#elements === 0 && !this.#afterComma;
        if (element === '' && !closesEmptyArray) throw new CliInputError(`element ${this.#elements + 1}: missing (a stray comma?)`);
        if (element !== '') {
          done.push(element);
          this.#elements++;
        }
        this.#afterComma = code === COMMA;
        if (code === CLOSE_BRACKET) this.#state = 'after';
        continue;
      }
      if (code === QUOTE) this.#inString = true;
      else if (code === OPEN_BRACE || code === OPEN_BRACKET) this.#depth++;
      else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        if (this.#depth === 0) throw new CliInputError(`element ${this.#elements + 1}: unbalanced "${String.fromCharCode(code)}"`);
        this.#depth--;
      }
    }
    if (this.#state === 'inside' && chunk.length > start) this.#parts.push(chunk.slice(start));
    return done;
  }

  /** Call at the end of input: throws unless the array was closed. */
  end(): void {
    if (this.#state === 'before') throw new EmptyInputError('no input');
    if (this.#state === 'inside') throw new CliInputError(`element ${this.#elements + 1}: the input ends before the JSON array is closed`);
  }

  /** One JSON value's text with the whitespace between its tokens removed (for a pretty-printed single event). */
  static compact(text: string): string {
    const splitter = new JsonArraySplitter();
    const [element] = [...splitter.push('['), ...splitter.push(text), ...splitter.push(']')];
    return element ?? text;
  }
}
