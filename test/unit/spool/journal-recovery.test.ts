import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { ackLine, eventLine, headerLine, segmentHeader } from '../../../src/spool/journal-record.js';
import { segmentName } from '../../../src/spool/segment-file.js';
import { BINDING, journalFiles, leftovers, openSpool, prepared, tempDir } from './spool-helpers.js';

/** Opens `dir`, returns what it recovered (ids, oldest first) and closes it again. */
async function recoveredIds(dir: string): Promise<string[]> {
  const { spool } = openSpool(dir);
  const ids = spool.recovered.map((entry) => entry.event.id);
  await spool.close();
  return ids;
}

describe('recovering a journal', () => {
  it('gives back every event never acknowledged, in order, byte for byte', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    const events = ['a', 'b', 'c', 'd', 'e'].map((id) => prepared(id, `payload ${id}`));
    const entries = events.map((event) => spool.append(event));
    await spool.sync();
    spool.ack(entries[1]!);
    spool.ack(entries[3]!);
    await spool.sync();

    const next = openSpool(leftovers(dir)).spool;
    expect(next.recovered.map((entry) => entry.event)).toEqual([events[0], events[2], events[4]]);
    expect(next.recovered.every((entry) => entry.durable && !entry.done)).toBe(true);
    expect(next.liveBytes).toBe(events[0]!.bytes + events[2]!.bytes + events[4]!.bytes);
  });

  it('drops a torn last line (a write the crash cut short) and keeps everything before it', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    spool.append(prepared('kept-1'));
    spool.append(prepared('kept-2'));
    await spool.sync();
    const copy = leftovers(dir);
    const [segment] = journalFiles(copy);
    const torn = eventLine(99, prepared('torn'));
    appendFileSync(join(copy, segment!), torn.slice(0, torn.length - 20));

    const next = openSpool(copy).spool;
    expect(next.recovered.map((entry) => entry.event.id)).toEqual(['kept-1', 'kept-2']);
    expect(next.damage).toEqual({ torn: 1, corrupt: 0 });
  });

  it('skips a damaged line in the middle (checksum mismatch), reports it, and reads on', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    for (const id of ['one', 'two', 'three']) spool.append(prepared(id));
    await spool.sync();
    const copy = leftovers(dir);
    const path = join(copy, journalFiles(copy)[0]!);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"uuid":"two"', '"uuid":"tw0"'));

    const next = openSpool(copy).spool;
    expect(next.recovered.map((entry) => entry.event.id)).toEqual(['one', 'three']);
    expect(next.damage).toEqual({ torn: 0, corrupt: 1 });
  });

  it('compacts on opening: one new segment with only the live events, the old ones deleted', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    const entries = Array.from({ length: 40 }, (_, i) => spool.append(prepared(`evt-${i}`, 'x'.repeat(200))));
    await spool.sync();
    for (const entry of entries.slice(1)) spool.ack(entry);
    await spool.sync();
    const copy = leftovers(dir);
    const before = statSync(join(copy, journalFiles(copy)[0]!)).size;

    const next = openSpool(copy).spool;
    expect(journalFiles(copy)).toEqual([segmentName(2)]);
    const after = statSync(join(copy, segmentName(2))).size;
    expect(after).toBe(segmentHeader(BINDING).length + eventLine(1, prepared('evt-0', 'x'.repeat(200))).length);
    expect(after).toBeLessThan(before / 20);
    expect(next.recovered.map((entry) => entry.event.id)).toEqual(['evt-0']);
  });

  it('merges two segments left by a crash during a rotation, without losing or doubling an event', async () => {
    const dir = tempDir();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => prepared(id));
    // The old segment: a, b, c, then a's acknowledgement. The new one: its copy of b and c, then d, then b's ack.
    writeFileSync(join(dir, segmentName(1)), headerLine(BINDING) + eventLine(1, a!) + eventLine(2, b!) + eventLine(3, c!) + ackLine([1]));
    writeFileSync(join(dir, segmentName(2)), headerLine(BINDING) + eventLine(2, b!) + eventLine(3, c!) + eventLine(4, d!) + ackLine([2]));
    expect(await recoveredIds(dir)).toEqual(['c', 'd']);
  });

  it('numbers new events after every sequence number it has seen, acknowledgements included', async () => {
    const dir = tempDir();
    // Event 7's record went with a deleted segment; its acknowledgement survived.
    writeFileSync(join(dir, segmentName(3)), headerLine(BINDING) + eventLine(5, prepared('five')) + ackLine([7]));
    const { spool } = openSpool(dir);
    const entry = spool.append(prepared('new'));
    expect(entry.seq).toBe(8);
    spool.ack(spool.recovered[0]!);
    await spool.sync();
    expect(await recoveredIds(leftovers(dir))).toEqual(['new']);
  });

  it('deletes its segment on close once nothing is left to deliver', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    const entry = spool.append(prepared('only'));
    await spool.sync();
    spool.ack(entry);
    await spool.close();
    expect(journalFiles(dir)).toEqual([]);
    expect(await recoveredIds(dir)).toEqual([]);
  });

  it('keeps its segment on close while an event is unacknowledged, for the next client', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    spool.append(prepared('pending'));
    await spool.close();
    expect(journalFiles(dir)).toHaveLength(1);
    expect(await recoveredIds(dir)).toEqual(['pending']);
  });
});

describe('the binding of a spool to its adapter and endpoint', () => {
  it('refuses to replay events into another adapter, with a clear ValidationError, and leaves them in place', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    spool.append(prepared('for-auditlog'));
    await spool.close();

    let thrown: unknown;
    try {
      openSpool(dir, {}, undefined, { adapter: 'retraced', endpoint: 'http://127.0.0.1:4318', projectId: 'p' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).issues[0]?.path).toBe('options.spool.dir');
    expect((thrown as ValidationError).message).toMatch(/1 unacknowledged event\(s\) for adapter "auditlog" at http:\/\/127\.0\.0\.1:4318, not for adapter "retraced"/);
    // The refusal released the lock and kept the events.
    expect(await recoveredIds(dir)).toEqual(['for-auditlog']);
  });

  it('refuses another endpoint of the same adapter too', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    spool.append(prepared('e'));
    await spool.close();
    expect(() => openSpool(dir, {}, undefined, { ...BINDING, endpoint: 'https://app.auditlog.co' })).toThrow(/not for adapter "auditlog" at https:\/\/app\.auditlog\.co/);
  });

  it('lets an empty spool be used by any adapter', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    spool.ack(spool.append(prepared('done')));
    await spool.sync();
    const copy = leftovers(dir); // acknowledged events remain in the file until a compaction
    expect(journalFiles(copy)).toHaveLength(1);
    const other = openSpool(copy, {}, undefined, { adapter: 'logzab', endpoint: null, projectId: null }).spool;
    expect(other.recovered).toEqual([]);
  });
});

describe('damage found on opening', () => {
  /** A journal of five events, the last one durable, as a killed process leaves it; returns its segment's path. */
  async function fiveEvents(): Promise<{ dir: string; path: string }> {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    for (const id of ['e1', 'e2', 'e3', 'e4', 'e5']) spool.append(prepared(id));
    await spool.sync();
    const copy = leftovers(dir);
    return { dir: copy, path: join(copy, journalFiles(copy)[0]!) };
  }

  function flipByte(path: string, position: number): void {
    const bytes = readFileSync(path);
    bytes[position] = bytes[position]! ^ 0x01;
    writeFileSync(path, bytes);
  }

  it('recovers every intact event when a byte of the header line is damaged, and counts the damage', async () => {
    const { dir, path } = await fiveEvents();
    flipByte(path, 20);
    const next = openSpool(dir).spool;
    expect(next.recovered.map((entry) => entry.event.id)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(next.damage.corrupt).toBe(1);
  });

  it('counts damage to the last newline-terminated record as corruption, not as a torn tail', async () => {
    const { dir, path } = await fiveEvents();
    flipByte(path, statSync(path).size - 10);
    const next = openSpool(dir).spool;
    expect(next.recovered.map((entry) => entry.event.id)).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(next.damage).toEqual({ torn: 0, corrupt: 1 });
  });
});
