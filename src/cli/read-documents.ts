import { readFile } from 'node:fs/promises';
import { text as readStream } from 'node:stream/consumers';
import { AuditsError, JsonSyntaxError } from '../errors.js';
import { parseIJson } from '../json/parse-i-json.js';
import { CliInputError } from './usage-error.js';

/** One input document and where it came from, for error messages ("line 3", "element 2"). */
export interface InputDocument {
  readonly value: unknown;
  readonly where: string;
}

/** Reads FILE, or standard input for no FILE or `-`. */
export async function readInputText(file: string | undefined): Promise<string> {
  if (file === undefined || file === '-') {
    if (process.stdin.isTTY) throw new CliInputError('no input: give a FILE or pipe JSON into standard input');
    return readStream(process.stdin);
  }
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw unreadableFile(file, error);
  }
}

/** The one message for an input FILE that cannot be read (no such file, a permission, ...). */
export function unreadableFile(file: string, error: unknown): CliInputError {
  const code = (error as NodeJS.ErrnoException).code;
  return new CliInputError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}`);
}

/**
 * Splits input text into documents: a JSON array gives one document per element, any other JSON value one
 * document, and text that is not one JSON value is read as JSONL (one value per non-blank line).
 */
export function parseDocuments(text: string): InputDocument[] {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw new CliInputError('no input: expected JSON, a JSON array or JSONL');
  try {
    const whole = parseIJson(body);
    return Array.isArray(whole)
      ? whole.map((value, index) => ({ value, where: `element ${index}` }))
      : [{ value: whole, where: 'input' }];
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw describe(error, 'input');
    const lines = body.split(/\r?\n/).filter((line) => line.trim() !== '');
    // One line, or a first line that is not JSON on its own (a pretty-printed document): report it as one text.
    if (lines.length <= 1 || !isJson(lines[0] as string)) throw describe(error, 'input');
  }
  const documents: InputDocument[] = [];
  body.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `line ${index + 1}`;
    try {
      documents.push({ value: parseIJson(line), where });
    } catch (error) {
      throw describe(error, where);
    }
  });
  return documents;
}

/** Whether `text` is one whole JSON value (tells a JSON document from the first line of JSONL). */
export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Turns any parse or canonicalization failure into a one-line CLI error that says where. */
export function describe(error: unknown, where: string): CliInputError {
    if (error instanceof AuditsError) return new CliInputError(`${where}: ${error.message}`);
  return new CliInputError(`${where}: ${error instanceof Error ? error.message : String(error)}`);
}
