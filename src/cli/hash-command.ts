import { parseArgs } from 'node:util';
import { canonicalJson } from '../hash/canonical-json.js';
import { hashEvent } from '../hash/event-hash.js';
import { retracedHash } from '../hash/retraced-hash.js';
import { describe, parseDocuments, readInputText } from './read-documents.js';
import { CliInputError } from './usage-error.js';

export const HASH_HELP = `Usage: auditwire hash [FILE] [--canonical] [--retraced [--id ID]]

Reads a JSON value, a JSON array (one event per element) or JSONL (one event per line) from FILE, or from
standard input when FILE is absent or "-", and prints one lowercase hex hash per event.

  --canonical     print the RFC 8785 canonical JSON instead of the hash
  --retraced      use the Retraced hash formula; needs the server-assigned id
  --id ID         the id for --retraced (otherwise each event's own "id" field)
  -h, --help      show this help

Hash: SHA-256 over the RFC 8785 canonical JSON of the event (spec/HASHING.md).
Exit status: 0 on success, 2 on bad input (invalid JSON, or a value that is not I-JSON).`;

export async function runHash(args: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      canonical: { type: 'boolean', default: false },
      retraced: { type: 'boolean', default: false },
      id: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(HASH_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new CliInputError('hash takes at most one FILE');
  if (values.canonical && values.retraced) throw new CliInputError('--canonical and --retraced do not combine');
  if (values.id !== undefined && !values.retraced) throw new CliInputError('--id goes with --retraced');

  const documents = parseDocuments(await readInputText(positionals[0]));
  // Compute every line before printing any, so bad input never leaves half an answer on stdout.
  const lines = documents.map(({ value, where }) => {
    try {
      if (values.canonical) return canonicalJson(value);
      if (values.retraced) return retracedHash(asObject(value, where), retracedId(value, values.id, where));
      return hashEvent(value);
    } catch (error) {
      throw describe(error, where);
    }
  });
  for (const line of lines) out(line);
  return 0;
}

function asObject(value: unknown, where: string): object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliInputError(`${where}: a Retraced event must be a JSON object`);
  }
  return value;
}

export function retracedId(value: unknown, explicit: string | undefined, where: string): string {
  if (explicit !== undefined) return explicit;
  const own = (value as { id?: unknown } | null)?.id;
  if (typeof own === 'string' && own !== '') return own;
  throw new CliInputError(`${where}: the Retraced hash needs the event id: pass --id ID or give the event an "id"`);
}
