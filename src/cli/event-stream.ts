import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { AuditsError } from '../errors.js';
import { parseIJson } from '../json/parse-i-json.js';
import { describe, isJson } from './read-documents.js';
import { JsonArraySplitter } from './json-array-splitter.js';
import { CliInputError } from './usage-error.js';

/** One event read from the input, or the reason it could not be read; either way it has a place in the input. */
export type InputEvent = {
  /** 0-based position among the events of the input. */
  readonly index: number;
  /** Where, for people: `line 7`, `element 3`, `input`. */
  readonly where: string;
  /** The event's text on one line, as the input spelled it (a pretty-printed element has its whitespace removed). */
  readonly text: string;
} & ({ readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: AuditsError });

/** Counts the bytes consumed, for a progress estimate on inputs of known size. */
export interface ReadProgress {
  bytesRead: number;
}

/**
 * Reads events from a stream without holding it whole: a JSON array element by element, JSONL line by line. A
 * single JSON value (possibly pretty-printed) is the one case read whole. An element or line that is not JSON (or
 * not I-JSON) is yielded as a failed event of its own; only a broken array structure, or input that is neither
 * JSON nor JSONL, throws `CliInputError`.
 */
export async function* readEvents(input: Readable, progress: ReadProgress = { bytesRead: 0 }): AsyncGenerator<InputEvent> {
  const decoder = new StringDecoder('utf8');
  // Held in an object: the nested generators change it, which TypeScript's narrowing of a plain `let` would miss.
  const state: { mode: 'detect' | 'array' | 'lines' | 'document' } = { mode: 'detect' };
  let splitter: JsonArraySplitter | undefined;
  let pendingLine: string[] = [];
  let lineNumber = 0;
  let index = 0;
  let document: string[] = [];
  let firstLine = true;

  function* fromLines(text: string, final: boolean): Generator<InputEvent> {
    const lines = text.split('\n');
    // A line longer than a chunk is collected in pieces: re-splitting the growing line at every chunk would be quadratic.
    if (lines.length === 1 && !final) {
      pendingLine.push(text);
      return;
    }
    lines[0] = pendingLine.join('') + (lines[0] as string);
    pendingLine = final ? [] : [lines.pop() as string];
    for (const raw of lines) {
      lineNumber++;
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (state.mode === 'document') {
        document.push(raw, '\n');
        continue;
      }
      if (line.trim() === '') continue;
      // A first line that is not JSON on its own starts a pretty-printed single value, read whole.
      if (firstLine && !isJson(line)) {
        state.mode = 'document';
        document = [raw, '\n'];
        continue;
      }
      firstLine = false;
      yield parsed(index++, `line ${lineNumber}`, line.trim(), line);
    }
  }

  function* fromText(text: string, final: boolean): Generator<InputEvent> {
    if (state.mode === 'detect') {
      const body = text.replace(/^\uFEFF/, '');
      const first = body.trimStart();
      if (first === '' && !final) return;
      state.mode = first.startsWith('[') ? 'array' : 'lines';
      text = body;
    }
    if (state.mode === 'array') {
      splitter ??= new JsonArraySplitter();
      for (const element of splitter.push(text)) {
        const where = `element ${index}`;
        yield parsed(index++, where, element, element);
      }
      if (final) splitter.end();
      return;
    }
    yield* fromLines(text, final);
  }

  let seenText = false;
  let carry = '';
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    progress.bytesRead += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    const text = carry + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    // Until the first non-blank character is seen the format is unknown: keep the blank prefix for the detector.
    if (state.mode === 'detect' && text.replace(/^\uFEFF/, '').trim() === '') {
      carry = text;
      continue;
    }
    carry = '';
    seenText = true;
    yield* fromText(text, false);
  }
  const rest = carry + decoder.end();
  if (!seenText && rest.replace(/^\uFEFF/, '').trim() === '') throw new CliInputError('no input: expected JSON, a JSON array or JSONL');
  yield* fromText(rest, true);

  if (state.mode === 'document') {
    const text = document.join('');
    let value: unknown;
    try {
      value = parseIJson(text);
    } catch (error) {
      throw describe(error, 'input');
    }
    yield { index: index++, where: 'input', text: JsonArraySplitter.compact(text), ok: true, value };
  }
}

function parsed(index: number, where: string, text: string, source: string): InputEvent {
  try {
    return { index, where, text, ok: true, value: parseIJson(source) };
  } catch (error) {
    if (error instanceof AuditsError) return { index, where, text, ok: false, error };
    throw error;
  }
}
