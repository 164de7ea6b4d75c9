import { canonicalJson } from '../hash/canonical-json.js';
import { hashEvent } from '../hash/event-hash.js';
import { retracedHash } from '../hash/retraced-hash.js';
import { readEvents } from './event-stream.js';
import { describe, located, openInput, type InputStream } from './read-documents.js';
import { parseCommandArgs } from './parse-command-args.js';
import { CliInputError } from './usage-error.js';

export const HASH_HELP = `Usage: auditwire hash [FILE] [--canonical] [--retraced [--id ID]]

Reads a JSON value, a JSON array (one event per element) or JSONL (one event per line) from FILE, or from
standard input when FILE is absent or "-", and prints one lowercase hex hash per event. The input is read as a
stream, so a file of any size is hashed in constant memory, and each hash is printed as soon as it is computed.

  --canonical     print the RFC 8785 canonical JSON instead of the hash
  --retraced      use the Retraced hash formula; needs the server-assigned id
  --id ID         the id for --retraced (otherwise each event's own "id" field)
  -h, --help      show this help

Hash: SHA-256 over the RFC 8785 canonical JSON of the event (spec/HASHING.md).
Exit status: 0 on success, 2 on bad input (invalid JSON, bytes that are not UTF-8, or a value that is not
I-JSON); the message names the line or element (counted from 1), and the hashes printed before it are those of
the events before it.`;

/**
 * `auditwire hash`. `out` may return a promise (an output stream that is full): reading waits for it, so memory
 * stays constant however large the input.
 */
export async function runHash(args: string[], out: (line: string) => void | Promise<void>, stdin?: InputStream): Promise<number> {
  const { values, positionals } = parseCommandArgs('hash', {
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

  const { stream, source } = await openInput(positionals[0], positionals[0], stdin);
  for await (const item of readEvents(stream, { source })) {
    const where = located(source, item.where);
    if (!item.ok) throw describe(item.error, where);
    let line: string;
    try {
      if (values.canonical) line = canonicalJson(item.value);
      else if (values.retraced) line = retracedHash(retracedEvent(item.value), retracedId(item.value, values.id));
      else line = hashEvent(item.value);
    } catch (error) {
      throw describe(error, where);
    }
    await out(line);
  }
  return 0;
}

/** The event as the Retraced formula takes it: a JSON object. */
export function retracedEvent(value: unknown): object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliInputError('a Retraced event must be a JSON object');
  return value;
}

/** The id the Retraced formula needs; the caller adds where the event is. */
export function retracedId(value: unknown, explicit: string | undefined): string {
  if (explicit !== undefined) return explicit;
  const own = (value as { id?: unknown } | null)?.id;
  if (typeof own === 'string' && own !== '') return own;
  throw new CliInputError('the Retraced hash needs the event id: pass --id ID or give the event an "id"');
}
