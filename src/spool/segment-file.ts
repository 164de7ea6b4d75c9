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
 * one). Lines are split on the newline byte before decoding, so a damaged byte cannot merge or split lines.
 */
export function readSegment(path: string): SegmentContents {
  const bytes = readFileSync(path);
  const records: JournalRecord[] = [];
  let corrupt = 0;
  let start = 0;
  // Each pass consumes one line, so the loop ends after at most one pass per newline.
  for (let end = bytes.indexOf(NEWLINE, start); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
    const record = parseLine(bytes.toString('utf8', start, end));
    if (typeof record === 'string') corrupt++;
    else records.push(record);
    start = end + 1;
  }
  if (start === bytes.length) return { records, torn: 0, corrupt };
  // The text after the last newline. A crash can cut a write anywhere, so nobody was promised this line; but if it
  // holds a whole record (its own checksum says so) whose newline is missing or damaged, that record is kept and
  // the line reported as damaged: it may be an event reported 'persisted'.
  const tail = bytes.subarray(start);
  const whole = [tail, tail.subarray(0, -1)].map((line) => parseLine(line.toString('utf8'))).find((record) => typeof record !== 'string');
  if (whole === undefined || typeof whole === 'string') return { records, torn: 1, corrupt };
  records.push(whole);
  return { records, torn: 0, corrupt: corrupt + 1 };
}

export function segmentPath(dir: string, number: number): string {
  return join(dir, segmentName(number));
}
