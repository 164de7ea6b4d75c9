import { afterEach, describe, expect, it, vi } from 'vitest';
import { nodeJournalIo, type JournalIo } from '../../../src/spool/journal-io.js';
import { Spool } from '../../../src/spool/spool.js';
import { BINDING, journalFiles, leftovers, observedIo, openSpool, prepared, tempDir } from './spool-helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

/** Real I/O takes a few event-loop turns; waits (bounded) until `done` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 10_000 && !done(); turn++) await new Promise((resolve) => setImmediate(resolve));
  expect(done()).toBe(true);
}

describe('group commit', () => {
  it('writes nothing before commitIntervalMs, then the whole group with one write and one fdatasync', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { io, log } = observedIo();
    const { spool, persisted } = openSpool(tempDir(), { commitIntervalMs: 5 }, io);
    spool.append(prepared('a'));
    vi.advanceTimersByTime(2);
    spool.append(prepared('b'));
    spool.append(prepared('c'));
    vi.advanceTimersByTime(2);
    expect(log).toEqual([]);
    vi.advanceTimersByTime(1); // 5 ms after the group's first event, not its last
    expect(log).toEqual(['append 3 line(s)']);
    await spool.sync();
    expect(log).toEqual(['append 3 line(s)', 'datasync begins', 'datasync done']);
    expect(persisted).toEqual([['a', 'b', 'c']]);
  });

  it('reports an event persisted only after the fdatasync that covers it has completed', async () => {
    const { io, log, holdSync } = observedIo();
    const order: string[] = log;
    const spool = new Spool({ dir: tempDir(), commitIntervalMs: 0, maxBytes: 1 << 20 }, BINDING, {
      persisted: (ids) => order.push(`persisted ${ids.join(',')}`),
      failed: (error) => order.push(`failed ${String(error)}`),
    }, io);
    try {
      const release = holdSync();
      const entry = spool.append(prepared('e1'));
      let durable = false;
      void spool.whenDurable([entry])?.then(() => (durable = true));
      await until(() => log.includes('datasync begins'));
      // Held inside fdatasync for many turns: the data is written but not yet known durable.
      for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect({ durable, entryDurable: entry.durable, persisted: order.filter((line) => line.startsWith('persisted')) }).toEqual({ durable: false, entryDurable: false, persisted: [] });
      release();
      await until(() => durable);
      expect(order).toEqual(['append 1 line(s)', 'datasync begins', 'datasync done', 'persisted e1']);
    } finally {
      await spool.close();
    }
  });

  it('commits an acknowledgement made after a commit that was asked for again with nothing pending (no stuck request)', async () => {
    const { io, log, holdSync } = observedIo();
    const { spool } = openSpool(tempDir(), { commitIntervalMs: 1 }, io);
    const entry = spool.append(prepared('e1'));
    const release = holdSync();
    spool.commitNow();
    await until(() => log.includes('datasync begins'));
    // flush() and close() ask for a commit while one runs, whether or not anything is pending.
    spool.commitNow();
    release();
    await until(() => entry.durable);
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    let acknowledged = false;
    void spool.ack(entry)?.then(() => (acknowledged = true));
    await until(() => acknowledged);
    expect(log.filter((line) => line === 'datasync done')).toHaveLength(2);
  });

  it('collects the events that arrive during a commit into the next group, committed right after', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { io, log, holdSync } = observedIo();
    const { spool, persisted } = openSpool(tempDir(), { commitIntervalMs: 5 }, io);
    const release = holdSync();
    spool.append(prepared('first'));
    vi.advanceTimersByTime(5);
    await until(() => log.includes('datasync begins'));
    spool.append(prepared('second'));
    spool.append(prepared('third'));
    vi.advanceTimersByTime(5); // the next group's interval passes while the first commit is still running
    expect(log.filter((line) => line.startsWith('append'))).toEqual(['append 1 line(s)']);
    release();
    await until(() => persisted.length === 2);
    expect(persisted).toEqual([['first'], ['second', 'third']]);
    expect(log.filter((line) => line.startsWith('append'))).toEqual(['append 1 line(s)', 'append 2 line(s)']);
  });

  it('commits a group at once when it reaches maxGroupEvents, without waiting for the interval', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { io, log } = observedIo();
    const { spool } = openSpool(tempDir(), { commitIntervalMs: 60_000, maxGroupEvents: 3 }, io);
    spool.append(prepared('1'));
    spool.append(prepared('2'));
    expect(log).toEqual([]);
    spool.append(prepared('3'));
    expect(log).toEqual(['append 3 line(s)']);
  });

  it('writes acknowledgements in the group commit, so the next start no longer sees those events', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    const entries = ['x', 'y', 'z'].map((id) => spool.append(prepared(id)));
    await spool.sync();
    spool.ack(entries[0]!);
    spool.ack(entries[2]!);
    expect(spool.hasPending).toBe(true);
    await spool.sync();
    expect(openSpool(leftovers(dir)).spool.recovered.map((entry) => entry.event.id)).toEqual(['y']);
  });

  it('never writes an event taken back with cancel()', async () => {
    const dir = tempDir();
    const { spool, persisted } = openSpool(dir);
    spool.append(prepared('kept'));
    spool.cancel(spool.append(prepared('refused')));
    await spool.sync();
    expect(persisted).toEqual([['kept']]);
    expect(openSpool(leftovers(dir)).spool.recovered.map((entry) => entry.event.id)).toEqual(['kept']);
  });

  it('counts live bytes against maxBytes, and frees them on acknowledgement', () => {
    const event = prepared('sized');
    const { spool } = openSpool(tempDir(), { maxBytes: event.bytes * 2 });
    const first = spool.append(event);
    spool.append(event);
    expect(spool.hasRoomFor(event.bytes)).toBe(false);
    spool.ack(first);
    expect(spool.hasRoomFor(event.bytes)).toBe(true);
    expect(spool.liveBytes).toBe(event.bytes);
  });
});

describe('segment rotation', () => {
  it('rotates a full segment: copies the live events forward, then deletes the old one once the copy is durable', async () => {
    const dir = tempDir();
    const { io, log } = observedIo();
    const { spool } = openSpool(dir, { segmentBytes: 4096, commitIntervalMs: 0 }, io);
    const pinned = spool.append(prepared('pinned', 'p'.repeat(100)));
    for (let round = 0; round < 30; round++) {
      const entries = Array.from({ length: 5 }, (_, i) => spool.append(prepared(`r${round}-${i}`, 'x'.repeat(100))));
      await spool.sync();
      for (const entry of entries) spool.ack(entry);
    }
    const last = spool.append(prepared('last'));
    await spool.sync();

    const created = log.filter((line) => line.startsWith('create'));
    expect(created.length).toBeGreaterThan(3);
    expect(journalFiles(dir)).toHaveLength(1);
    // Each old segment goes only after the new one's data and directory entry were synced.
    const firstUnlink = log.findIndex((line) => line.startsWith('unlink'));
    expect(log.slice(0, firstUnlink)).toContain('datasync done');
    expect(openSpool(leftovers(dir)).spool.recovered.map((entry) => entry.event.id)).toEqual([pinned.event.id, last.event.id]);
  });
});

describe('segment rotation with many small live events', () => {
  it('rotates once, not on every commit: the copy is measured in journal records, which outweigh small events', async () => {
    const dir = tempDir();
    const { io, log } = observedIo();
    const { spool } = openSpool(dir, { segmentBytes: 4096, commitIntervalMs: 0 }, io);
    // 60 live events of ~60 bytes, each record ~170 bytes: ~10 KiB of records against ~3.6 KiB of events.
    for (let i = 0; i < 60; i++) spool.append(prepared(`live-${i}`));
    await spool.sync();
    for (let commit = 0; commit < 10; commit++) {
      spool.append(prepared(`next-${commit}`));
      await spool.sync();
    }
    // Everything is live, so a rotation would free nothing: none happens. (Measured in event bytes, the segment
    // looked more than twice the live set, and every commit past 4 KiB rewrote all of it.)
    expect(log.filter((line) => line.startsWith('create'))).toHaveLength(0);
    expect(journalFiles(dir)).toHaveLength(1);
  });
});

describe('a failing rotation', () => {
  it('closes the old segment once when the new one cannot be created', async () => {
    const closed: number[] = [];
    const denied = Object.assign(new Error('EACCES: permission denied, open'), { code: 'EACCES' });
    const io: JournalIo = {
      ...nodeJournalIo,
      create: () => Promise.reject(denied),
      close: async (fd) => {
        closed.push(fd);
        return nodeJournalIo.close(fd);
      },
    };
    const { spool, failures } = openSpool(tempDir(), { segmentBytes: 1024, commitIntervalMs: 0 }, io);
    const first = Array.from({ length: 10 }, (_, i) => spool.append(prepared(`a-${i}`, 'x'.repeat(100))));
    await spool.sync();
    for (const entry of first) spool.ack(entry);
    spool.append(prepared('rotates'));
    await spool.sync();
    expect(failures).toEqual([denied]);
    await spool.close();
    expect(closed).toHaveLength(1);
  });
});

describe('a failing disk', () => {
  it('stops journaling after a failed write, reports it once, and lets every event through', async () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const io: JournalIo = { ...nodeJournalIo, append: () => Promise.reject(full) };
    const { spool, persisted, failures } = openSpool(tempDir(), { commitIntervalMs: 0 }, io);
    const entry = spool.append(prepared('lost-durability'));
    const waiting = spool.whenDurable([entry]);
    expect(waiting).toBeInstanceOf(Promise);
    await waiting; // resolves: the event goes on to delivery from memory
    expect(failures).toEqual([full]);
    expect(persisted).toEqual([]);
    const later = spool.append(prepared('after'));
    expect(later.done).toBe(true);
    expect(spool.whenDurable([later])).toBeUndefined();
    expect(spool.hasRoomFor(Number.MAX_SAFE_INTEGER)).toBe(true);
  });
});
