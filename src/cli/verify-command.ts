import { parseArgs } from 'node:util';
import { hashEvent } from '../hash/event-hash.js';
import { retracedHash } from '../hash/retraced-hash.js';
import { retracedId } from './hash-command.js';
import { describe, parseDocuments, readInputText } from './read-documents.js';
import { CliInputError } from './usage-error.js';

export const VERIFY_HELP = `Usage: auditwire verify FILE [--retraced]

FILE (or "-" for standard input) holds [{ "event": ..., "hash": "..." }, ...] or JSONL of such objects.
Recomputes each event's hash and compares it with the recorded one.

  --retraced      use the Retraced hash formula; each entry also needs "id" (the server-assigned id)
  -h, --help      show this help

Exit status: 0 when every hash matches, 1 when any differs (each mismatch is printed), 2 on bad input.`;

interface Entry {
  readonly event: unknown;
  readonly hash: string;
  readonly id: string | undefined;
  readonly where: string;
}

export async function runVerify(
  args: string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      retraced: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(VERIFY_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new CliInputError('verify takes exactly one FILE (or "-" for standard input)');

  const entries = parseDocuments(await readInputText(positionals[0])).map(({ value, where }) => toEntry(value, where));
  let mismatches = 0;
  for (const entry of entries) {
    let actual: string;
    try {
      actual = values.retraced
        ? retracedHash(entry.event as object, retracedId(entry, entry.id, entry.where))
        : hashEvent(entry.event);
    } catch (error) {
      throw describe(error, entry.where);
    }
    if (actual !== entry.hash.toLowerCase()) {
      mismatches++;
      const id = idOf(entry);
      err(`mismatch at ${entry.where}${id ? ` (id ${id})` : ''}: expected ${entry.hash}, computed ${actual}`);
    }
  }
  out(`${entries.length - mismatches} of ${entries.length} hashes match`);
  return mismatches === 0 ? 0 : 1;
}

function toEntry(value: unknown, where: string): Entry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliInputError(`${where}: expected an object { "event": ..., "hash": "..." }`);
  }
  const record = value as Record<string, unknown>;
  if (!('event' in record)) throw new CliInputError(`${where}: missing "event"`);
  if (typeof record.hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(record.hash)) {
    throw new CliInputError(`${where}: "hash" must be 64 hex digits`);
  }
  const id = typeof record.id === 'string' ? record.id : undefined;
  return { event: record.event, hash: record.hash, id, where };
}

function idOf(entry: Entry): string | undefined {
  if (entry.id !== undefined) return entry.id;
  const own = (entry.event as { id?: unknown } | null)?.id;
  return typeof own === 'string' ? own : undefined;
}
