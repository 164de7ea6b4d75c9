import { crc32 } from 'node:zlib';
import type { PreparedEvent } from '../adapters/adapter.js';

/**
 * The journal's line format. Every record is one line, `<crc32 as 8 hex digits> <body>\n`, where the checksum
 * covers the body's UTF-8 bytes: a line cut short by a crash (no newline, or a checksum that does not match) is
 * recognized and dropped rather than misread. Bodies are tab-separated, with a one-letter tag:
 *
 * - `H <binding JSON>`: the first two lines of every segment (two copies, so one damaged line cannot leave its
 *   events without an owner); which adapter and endpoint its events are for.
 * - `E <seq> <hash> <id JSON> <wire>`: an accepted event. The wire text (the canonical JSON that is both sent and
 *   hashed) is stored as is, since canonical JSON never contains a raw newline; `J` is the same record with the
 *   wire JSON-quoted, for a custom adapter whose wire text has one.
 * - `A <seq>,<seq>,...`: those events are done (acknowledged, or refused for good).
 *
 * Events are acknowledged by their journal sequence number rather than their id, because two events may share
 * an id. The byte size is not stored: it is the UTF-8 length of the wire text.
 */

/** Where a spool's events are addressed; a spool holding events replays only into the same. */
export interface SpoolBinding {
  readonly adapter: string;
  readonly endpoint: string | null;
  readonly projectId: string | null;
}

export type JournalRecord =
  | { readonly kind: 'header'; readonly binding: SpoolBinding }
  | { readonly kind: 'event'; readonly seq: number; readonly event: PreparedEvent }
  | { readonly kind: 'ack'; readonly seqs: readonly number[] };

export const JOURNAL_VERSION = 1;

export function headerLine(binding: SpoolBinding): string {
  return line(`H\t${JSON.stringify({ v: JOURNAL_VERSION, ...binding })}`);
}

/** The start of every segment: the header twice. A reader takes the first readable copy. */
export function segmentHeader(binding: SpoolBinding): string {
  const header = headerLine(binding);
  return header + header;
}

export function eventLine(seq: number, event: PreparedEvent): string {
  const raw = !event.wire.includes('\n');
  return line(`${raw ? 'E' : 'J'}\t${seq}\t${event.hash}\t${JSON.stringify(event.id)}\t${raw ? event.wire : JSON.stringify(event.wire)}`);
}

export function ackLine(seqs: readonly number[]): string {
  return line(`A\t${seqs.join(',')}`);
}

function line(body: string): string {
  return `${crc32(body).toString(16).padStart(8, '0')} ${body}\n`;
}

/** A line's record, or why it is unreadable: `'checksum'` (torn or corrupted) or `'malformed'` (checksum fine, body not). */
export function parseLine(text: string): JournalRecord | 'checksum' | 'malformed' {
  if (text.length < 11 || text[8] !== ' ') return 'checksum';
  const body = text.slice(9);
  if (Number.parseInt(text.slice(0, 8), 16) !== crc32(body) || !/^[0-9a-f]{8}$/.test(text.slice(0, 8))) return 'checksum';
  try {
    return parseBody(body) ?? 'malformed';
  } catch {
    return 'malformed';
  }
}

function parseBody(body: string): JournalRecord | undefined {
  const tag = body.slice(0, 2);
  if (tag === 'E\t' || tag === 'J\t') {
    const fields = splitFields(body.slice(2), 4);
    if (fields === undefined) return undefined;
    const [seqText, hash, idJson, wireText] = fields;
    const seq = toSeq(seqText);
    const id: unknown = JSON.parse(idJson);
    const wire: unknown = tag === 'E\t' ? wireText : JSON.parse(wireText);
    if (seq === undefined || typeof id !== 'string' || typeof wire !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return undefined;
    return { kind: 'event', seq, event: { id, wire, hash, bytes: Buffer.byteLength(wire) } };
  }
  if (tag === 'A\t') {
    const seqs = body.slice(2).split(',').map(toSeq);
    return seqs.every((seq) => seq !== undefined) ? { kind: 'ack', seqs: seqs as number[] } : undefined;
  }
  if (tag === 'H\t') {
    const header: unknown = JSON.parse(body.slice(2));
    if (typeof header !== 'object' || header === null) return undefined;
    const { v, adapter, endpoint, projectId } = header as Record<string, unknown>;
    if (v !== JOURNAL_VERSION || typeof adapter !== 'string' || !nullableString(endpoint) || !nullableString(projectId)) return undefined;
    return { kind: 'header', binding: { adapter, endpoint, projectId } };
  }
  return undefined;
}

/** The first `count - 1` tab-separated fields and the rest of the text as the last one. */
function splitFields(text: string, count: number): [string, string, string, string] | undefined {
  const fields: string[] = [];
  let start = 0;
  for (let i = 1; i < count; i++) {
    const tab = text.indexOf('\t', start);
    if (tab === -1) return undefined;
    fields.push(text.slice(start, tab));
    start = tab + 1;
  }
  fields.push(text.slice(start));
  return fields as [string, string, string, string];
}

function toSeq(text: string): number | undefined {
  if (!/^[1-9][0-9]{0,15}$/.test(text)) return undefined;
  const seq = Number(text);
  return Number.isSafeInteger(seq) ? seq : undefined;
}

function nullableString(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}
