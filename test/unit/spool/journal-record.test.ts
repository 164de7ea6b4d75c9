import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ackLine, eventLine, headerLine, parseLine } from '../../../src/spool/journal-record.js';
import { BINDING, prepared } from './spool-helpers.js';

/** A line as the reader sees it: without its newline. */
const strip = (line: string): string => {
  expect(line.endsWith('\n')).toBe(true);
  return line.slice(0, -1);
};

describe('journal records', () => {
  it('read back an event exactly: id, wire text, hash and byte size', () => {
    const event = prepared('evt-1', 'naïve ☃ 𝄞');
    expect(parseLine(strip(eventLine(42, event)))).toEqual({ kind: 'event', seq: 42, event });
  });

  it('keep ids with tabs, quotes and newlines intact (the id is JSON-quoted)', () => {
    const event = { ...prepared('x'), id: 'a\tb"c\nd' };
    expect(parseLine(strip(eventLine(1, event)))).toEqual({ kind: 'event', seq: 1, event });
  });

  it('quote the wire text of a custom adapter that contains a newline, so the record stays one line', () => {
    const wire = '{"a":\n1}';
    const event = { id: 'e', wire, hash: 'ab'.repeat(32), bytes: Buffer.byteLength(wire) };
    const line = eventLine(7, event);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(parseLine(strip(line))).toEqual({ kind: 'event', seq: 7, event });
  });

  it('read back acknowledgements and the header', () => {
    expect(parseLine(strip(ackLine([3, 1, 2])))).toEqual({ kind: 'ack', seqs: [3, 1, 2] });
    expect(parseLine(strip(headerLine(BINDING)))).toEqual({ kind: 'header', binding: BINDING });
  });

  it('detect a line cut short anywhere (a torn write)', () => {
    const line = strip(eventLine(5, prepared('evt-5')));
    for (let cut = 0; cut < line.length; cut += 7) expect(parseLine(line.slice(0, cut))).toBe('checksum');
  });

  it('detect one changed character anywhere in the body (checksum mismatch)', () => {
    const line = strip(eventLine(5, prepared('evt-5')));
    for (let at = 9; at < line.length; at += 5) {
      const changed = line.slice(0, at) + (line[at] === 'x' ? 'y' : 'x') + line.slice(at + 1);
      expect(parseLine(changed), `changed at ${at}`).toBe('checksum');
    }
  });

  it('refuse a line whose checksum matches but whose body is not a record', () => {
    const withChecksum = (body: string): string => `${crc32(body).toString(16).padStart(8, '0')} ${body}`;
    expect(parseLine(withChecksum('Z\tnothing'))).toBe('malformed');
    expect(parseLine(withChecksum('E\t0\tnot-a-hash\t"id"\t{}'))).toBe('malformed');
    expect(parseLine(withChecksum('A\t1,,2'))).toBe('malformed');
  });
});
