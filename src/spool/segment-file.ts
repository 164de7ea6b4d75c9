import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLine, type JournalRecord } from './journal-record.js';

/**
 * Segment files: `journal-<number>.log`, numbered upwards. The live segment is the highest; a lower one exists
 * only for the instant of a rotation (or after a crash during one), and is read before the higher ones.
 */
const SEGMENT_NAME = /^journal-(\d{12})\.log$/;

export function segmentName(number: number): string {
  return `journal-${String(number).padStart(12, '0')}.log`;
}

/** The segment numbers present in `dir`, ascending. */
export function listSegments(dir: string): number[] {
  const numbers: number[] = [];
  for (const name of readdirSync(dir)) {
    const match = SEGMENT_NAME.exec(name);
    if (match !== null) numbers.push(Number(match[1]));
  }
  return numbers.sort((a, b) => a - b);
}

export interface SegmentContents {
  readonly records: JournalRecord[];
  /**
   * 1 when the segment ends in a part of a line without its newline: a write the crash cut short, which nobody was
   * promised (an event is reported 'persisted' only once its whole record, newline included, is on disk).
   */
  readonly torn: number;
  /**
   * Newline-terminated lines that cannot be read: damage to data that was written whole, wherever it is (the last
   * record of a segment included), so it counts as corruption and is reported as such.
   */
  readonly corrupt: number;
}

const NEWLINE = 0x0a;

/**
 * Reads every record of a segment, skipping unreadable lines (each line stands alone, so reading resumes after
 * one). Lines are split on the newline byte before decoding, so a damaged multi-byte character cannot swallow a
 * newline.
 */
export function readSegment(path: string): SegmentContents {
  const bytes = readFileSync(path);
  const records: JournalRecord[] = [];
  let corrupt = 0;
  let start = 0;
  // Each pass consumes one line, so the loop ends after at most one pass per newline.
  for (let end = bytes.indexOf(NEWLINE, start); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
    const line = bytes.subarray(start, end);
    const record = parseBytes(line);
    if (typeof record === 'string') {
      corrupt++;
      records.push(...salvage(line).records);
    } else {
      records.push(record);
    }
    start = end + 1;
  }
  if (start === bytes.length) return { records, torn: 0, corrupt };
  // The bytes after the last newline. A crash can cut a write anywhere, so nobody was promised this line; but if it
  // holds whole records (their own checksums say so) whose newline is missing or damaged, they are kept and the
  // line reported as damaged: they may be events reported 'persisted'.
  const tail = bytes.subarray(start);
  const whole = parseBytes(tail);
  const withoutLast = parseBytes(tail.subarray(0, -1));
  if (typeof whole !== 'string') return { records: [...records, whole], torn: 0, corrupt: corrupt + 1 };
  if (typeof withoutLast !== 'string') return { records: [...records, withoutLast], torn: 0, corrupt: corrupt + 1 };
  const salvaged = salvage(tail);
  if (salvaged.records.length === 0) return { records, torn: 1, corrupt };
  return { records: [...records, ...salvaged.records], torn: salvaged.rest ? 1 : 0, corrupt: corrupt + 1 };
}

/** Where a record may begin inside a damaged line: its checksum, a space, a tag and a tab. */
const RECORD_START = /[0-9a-f]{8} [HEJA]\t/g;
/** How many such places are tried in one line (a wire text can look like one); bounds the work on any input. */
const MAX_SPLITS = 64;

/**
 * The records of a line that merges several because a newline between them was damaged: each piece between two
 * record starts is read on its own (the damaged byte, just before a start, belongs to no record). `rest` says
 * whether an unreadable remainder is left after the last record found.
 */
function salvage(line: Buffer): { records: JournalRecord[]; rest: boolean } {
  const text = line.toString('latin1'); // one character per byte, so indexes are byte offsets
  const records: JournalRecord[] = [];
  let from = 0;
  const starts = text.matchAll(RECORD_START);
  let tried = 0;
  for (const match of starts) {
    if (match.index < from + 11) continue; // no record is shorter than 11 bytes
    if (++tried > MAX_SPLITS) break;
    const piece = parseBytes(line.subarray(from, match.index - 1));
    if (typeof piece !== 'string') {
      records.push(piece);
      from = match.index;
    }
  }
  if (from === 0) return { records, rest: true };
  const last = parseBytes(line.subarray(from));
  if (typeof last === 'string') return { records, rest: true };
  records.push(last);
  return { records, rest: false };
}

function parseBytes(line: Buffer): ReturnType<typeof parseLine> {
  return parseLine(line.toString('utf8'));
}

export function segmentPath(dir: string, number: number): string {
  return join(dir, segmentName(number));
}
