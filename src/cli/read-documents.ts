import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { JsonSyntaxError } from '../errors.js';
import { CliInputError } from './usage-error.js';

/** Standard input as a command reads it; `isTTY` tells a terminal (nothing piped in) from a pipe or a file. */
export type InputStream = Readable & { readonly isTTY?: boolean | undefined };

/** An input opened for reading, and its name in messages (the FILE as given, or `standard input`). */
export interface OpenedInput {
  readonly stream: Readable;
  readonly source: string;
  /** The file's size in bytes; undefined for standard input and pipes. */
  readonly size: number | undefined;
}

/**
 * Opens FILE, or standard input for no FILE or `-`. A named pipe (`<(zcat events.gz)`) is read like a file; a
 * directory or a missing file is refused here, before anything is read.
 */
export async function openInput(file: string | undefined, path: string | undefined = file, stdin: InputStream = process.stdin): Promise<OpenedInput> {
  if (file === undefined || file === '-' || path === undefined) {
    if (stdin.isTTY === true) throw new CliInputError('no input: give a FILE or pipe events into standard input');
    return { stream: stdin, source: 'standard input', size: undefined };
  }
  let size: number | undefined;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new CliInputError(`cannot read ${file}: it is a directory`);
    size = info.isFile() ? info.size : undefined;
  } catch (error) {
    if (error instanceof CliInputError) throw error;
    throw unreadableFile(file, error);
  }
  return { stream: createReadStream(path), source: file, size };
}

/** The one message for an input FILE that cannot be read (no such file, a permission, ...). */
export function unreadableFile(file: string, error: unknown): CliInputError {
  const code = (error as NodeJS.ErrnoException).code;
  return new CliInputError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}`);
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

/** `events.jsonl, line 3`; just the source for a single value, whose `where` is the source itself. */
export function located(source: string, where: string): string {
  return where === source ? source : `${source}, ${where}`;
}

/** Turns any parse, canonicalization or input failure into a one-line CLI error that says where. */
export function describe(error: unknown, where: string): CliInputError {
  return new CliInputError(`${where}: ${messageOf(error)}`);
}

/** The message; a syntax error's `$: ` (the whole text) says nothing where the line or element is named. */
function messageOf(error: unknown): string {
  if (error instanceof JsonSyntaxError && error.issues[0] !== undefined) return error.issues[0].message;
  return error instanceof Error ? error.message : String(error);
}
