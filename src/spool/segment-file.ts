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
  /** Unreadable lines after the last readable one: a write the crash cut short, which nobody was promised. */
  readonly torn: number;
  /** Unreadable lines followed by readable ones: damage to data that was once fsynced. */
  readonly corrupt: number;
}

/** Reads every record of a segment, skipping unreadable lines (each line stands alone, so reading resumes after one). */
export function readSegment(path: string): SegmentContents {
  const lines = readFileSync(path, 'utf8').split('\n');
  // The text after the last newline is a line whose newline never reached the disk ('' when there is none).
  const unterminated = lines.pop() ?? '';
  const records: JournalRecord[] = [];
  let unreadable = 0;
  let corrupt = 0;
  for (const text of lines) {
    const record = parseLine(text);
    if (typeof record === 'string') {
      unreadable++;
    } else {
      corrupt += unreadable;
      unreadable = 0;
      records.push(record);
    }
  }
  return { records, torn: unreadable + (unterminated === '' ? 0 : 1), corrupt };
}

export function segmentPath(dir: string, number: number): string {
  return join(dir, segmentName(number));
}
