import type { Readable } from 'node:stream';
import { AuditsError } from '../errors.js';
import { parseIJson } from '../json/parse-i-json.js';
import { Utf8StreamDecoder } from '../json/utf8.js';
import { describe, isJson, unreadableFile } from './read-documents.js';
import { JsonArraySplitter } from './json-array-splitter.js';
import { CliInputError, EmptyInputError } from './usage-error.js';

/** One event read from the input, or the reason it could not be read; either way it has a place in the input. */
export type InputEvent = {
  /** 0-based position among the events of the input. */
  readonly index: number;
  /** Where, for people, counted from 1: `line 7`, `element 3`, or the source's name for a single value. */
  readonly where: string;
  /** The event's text on one line, as the input spelled it (a pretty-printed element has its whitespace removed). */
  readonly text: string;
} & ({ readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: AuditsError });

/** Counts the bytes consumed, for a progress estimate on inputs of known size. */
export interface ReadProgress {
  bytesRead: number;
}

export interface ReadOptions {
  /** The input's name in messages: the FILE as given, or `standard input`. @default 'input' */
  readonly source?: string | undefined;
  readonly progress?: ReadProgress | undefined;
}

/**
 * Reads events from a stream without holding it whole: a JSON array element by element, JSONL line by line. A
 * single JSON value (possibly pretty-printed) is the one case read whole. An element or line that is not JSON (or
 * not I-JSON) is yielded as a failed event of its own; a broken array structure, bytes that are not UTF-8, input
 * that is neither JSON nor JSONL, or a read error throws `CliInputError` (`EmptyInputError` for no events at all),
 * its message starting with the source's name.
 */
export async function* readEvents(input: Readable, options: ReadOptions = {}): AsyncGenerator<InputEvent> {
  const source = options.source ?? 'input';
  try {
    yield* readUnlabelled(input, source, options.progress ?? { bytesRead: 0 });
  } catch (error) {
    if (error instanceof EmptyInputError) throw new EmptyInputError(`${source} is empty: expected JSON, a JSON array or JSONL`);
    if (error instanceof CliInputError || error instanceof AuditsError) throw describe(error, source);
    if (typeof (error as NodeJS.ErrnoException | null)?.code === 'string') throw unreadableFile(source, error);
    throw error;
  }
}

async function* readUnlabelled(input: Readable, source: string, progress: ReadProgress): AsyncGenerator<InputEvent> {
  const decoder = new Utf8StreamDecoder();
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
        const where = `element ${index + 1}`;
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
  if (!seenText && rest.replace(/^\uFEFF/, '').trim() === '') throw new EmptyInputError('no input');
  yield* fromText(rest, true);

  if (state.mode === 'document') {
    const text = document.join('');
    // A parse error is labelled with the source by readEvents.
    const value = parseIJson(text);
    yield { index: index++, where: source, text: JsonArraySplitter.compact(text), ok: true, value };
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
