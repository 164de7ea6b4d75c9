import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import type { LockLease } from '../../../src/spool/lock-lease.js';
import { openSpool, prepared, tempDir } from './spool-helpers.js';

function lockBy(dir: string, owner: { pid: number; host?: string; lease?: LockLease; ageMs?: number }): void {
  const path = join(dir, 'LOCK');
  writeFileSync(path, JSON.stringify({ pid: owner.pid, host: owner.host ?? hostname(), nonce: 'someone-else', ...owner.lease }));
  if (owner.ageMs !== undefined) {
    const then = new Date(Date.now() - owner.ageMs);
    utimesSync(path, then, then);
  }
}

/** A lease short enough for tests: renewed every 20 ms, stale after 300 ms. */
const SHORT: LockLease = { heartbeatMs: 20, staleAfterMs: 300 };

/**
 * Another process holding `dir`'s lock "on another host" and renewing its lease; resolves once the lock is in place.
 * Killed after the test.
 */
async function liveHolderElsewhere(dir: string, host = 'container-b'): Promise<ChildProcess> {
  const script = `
    const { writeFileSync, utimesSync } = require('node:fs');
    const path = ${JSON.stringify(join(dir, 'LOCK'))};
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: ${JSON.stringify(host)}, nonce: 'elsewhere', heartbeatMs: 20, staleAfterMs: 300 }));
    setInterval(() => { const now = new Date(); utimesSync(path, now, now); }, 20);
    process.stdout.write('locked\\n');
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
  });
  return child;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function refusal(open: () => unknown): ValidationError {
  try {
    open();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected the spool to be refused');
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const { pid, status } = spawnSync(process.execPath, ['-e', '']);
  expect(status).toBe(0);
  return pid;
}

describe('the spool lock', () => {
  it('refuses a second spool on the same directory in this process, and allows it once the first is closed', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    const error = refusal(() => openSpool(dir));
    expect(error.issues[0]).toEqual({ path: 'options.spool.dir', message: `another client in this process (pid ${process.pid}) uses it; one client per spool directory` });
    await spool.close();
    expect(existsSync(join(dir, 'LOCK'))).toBe(false);
    expect(openSpool(dir).spool.recovered).toEqual([]);
  });

  it('writes its pid into the lock file while open', () => {
    const dir = tempDir();
    openSpool(dir);
    expect(JSON.parse(readFileSync(join(dir, 'LOCK'), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
  });

  it('refuses a directory locked by another live process, naming it, and leaves its lock alone', () => {
    const dir = tempDir();
    lockBy(dir, { pid: process.ppid });
    expect(refusal(() => openSpool(dir)).message).toContain(`locked by the running process ${process.ppid}`);
    expect(JSON.parse(readFileSync(join(dir, 'LOCK'), 'utf8'))).toMatchObject({ pid: process.ppid });
  });

  it('takes over the lock of a process that died, and recovers what it left', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    spool.append(prepared('left-behind'));
    await spool.close();
    lockBy(dir, { pid: deadPid() });

    const next = openSpool(dir).spool;
    expect(next.recovered.map((entry) => entry.event.id)).toEqual(['left-behind']);
    expect(JSON.parse(readFileSync(join(dir, 'LOCK'), 'utf8'))).toMatchObject({ pid: process.pid });
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('takes over a lock carrying its own pid that this process does not hold (a container restarted as pid 1)', () => {
    const dir = tempDir();
    lockBy(dir, { pid: process.pid });
    expect(openSpool(dir).spool.recovered).toEqual([]);
  });

  it('takes over the lock of a process on another host (a container re-created on the same volume) once its lease lapsed', async () => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    spool.append(prepared('before-the-redeploy'));
    await spool.close();
    lockBy(dir, { pid: 1, host: 'container-a', lease: SHORT, ageMs: 60_000 });

    const next = openSpool(dir).spool;
    expect(next.recovered.map((entry) => entry.event.id)).toEqual(['before-the-redeploy']);
    expect(JSON.parse(readFileSync(join(dir, 'LOCK'), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
  });

  it('waits for a fresh lease from another host to lapse, no longer than its staleAfterMs, then takes it over', () => {
    const dir = tempDir();
    lockBy(dir, { pid: 1, host: 'container-a', lease: SHORT, ageMs: 0 });
    const startedAt = performance.now();
    expect(openSpool(dir).spool.recovered).toEqual([]);
    const waited = performance.now() - startedAt;
    expect(waited).toBeGreaterThanOrEqual(SHORT.staleAfterMs - 50);
    expect(waited).toBeLessThan(SHORT.staleAfterMs + 2_000);
  });

  it('takes over a lock auditwire 0.1 left on another host (no lease stated) once it is older than the default lease', () => {
    const dir = tempDir();
    lockBy(dir, { pid: 1, host: 'container-a', ageMs: 60_000 });
    expect(openSpool(dir).spool.recovered).toEqual([]);
  });

  it('refuses a lock from another host whose holder keeps renewing its lease, and leaves it alone', async () => {
    const dir = tempDir();
    const holder = await liveHolderElsewhere(dir);
    const message = refusal(() => openSpool(dir)).message;
    expect(message).toContain(`pid ${holder.pid} on host container-b, which renews its lease`);
    expect(JSON.parse(readFileSync(join(dir, 'LOCK'), 'utf8'))).toMatchObject({ nonce: 'elsewhere' });
  });

  it('renews its own lease while open: the lock file\'s time moves', async () => {
    const dir = tempDir();
    openSpool(dir, { lease: SHORT });
    const first = statSync(join(dir, 'LOCK')).mtimeMs;
    await vi.waitFor(() => expect(statSync(join(dir, 'LOCK')).mtimeMs).not.toBe(first), { timeout: 2_000, interval: 10 });
  });

  it('stops journaling, and says why, once another process has taken its lock over', async () => {
    const dir = tempDir();
    const { spool, failures } = openSpool(dir, { lease: SHORT });
    lockBy(dir, { pid: 4242, host: 'container-c', lease: SHORT });
    await vi.waitFor(() => expect(failures).toHaveLength(1), { timeout: 2_000, interval: 10 });
    expect(String(failures[0])).toContain('taken over by pid 4242 on host container-c');
    // It no longer writes, and closing leaves the new holder's lock in place.
    expect(spool.append(prepared('after')).seq).toBe(0);
    await spool.close();
    expect(JSON.parse(readFileSync(join(dir, 'LOCK'), 'utf8'))).toMatchObject({ pid: 4242 });
  });
});

describe('who may take a spool over (the whole table)', () => {
  const cases: ReadonlyArray<readonly [string, 'taken over' | 'refused', (dir: string) => Promise<unknown>]> = [
    ['a dead pid on this host', 'taken over', async (dir) => lockBy(dir, { pid: deadPid(), lease: SHORT, ageMs: 0 })],
    ['our own pid, from a previous life', 'taken over', async (dir) => lockBy(dir, { pid: process.pid, lease: SHORT, ageMs: 0 })],
    ['a holder on another host whose lease lapsed', 'taken over', async (dir) => lockBy(dir, { pid: 1, host: 'container-a', lease: SHORT, ageMs: 60_000 })],
    ['a holder on another host, killed just now', 'taken over', async (dir) => lockBy(dir, { pid: 1, host: 'container-a', lease: SHORT, ageMs: 0 })],
    ['a live holder on this host that renews its lease', 'refused', (dir) => liveHolderElsewhere(dir, hostname())],
    ['a live holder on another host that renews its lease', 'refused', (dir) => liveHolderElsewhere(dir, 'container-b')],
    ['a live process on this host that states no lease (auditwire 0.1)', 'refused', async (dir) => lockBy(dir, { pid: process.ppid })],
  ];

  it.each(cases)('given %s, the directory is %s', async (_holder, expected, lock) => {
    const dir = tempDir();
    const { spool } = openSpool(dir);
    spool.append(prepared('left-behind'));
    await spool.close();
    await lock(dir);
    if (expected === 'refused') {
      refusal(() => openSpool(dir));
      // Refused without touching the holder's lock or the journal.
      expect(JSON.parse(readFileSync(join(dir, 'LOCK'), 'utf8')).nonce).not.toBeUndefined();
      expect(readdirSync(dir).filter((name) => name.startsWith('journal-'))).toHaveLength(1);
    } else {
      expect(openSpool(dir).spool.recovered.map((entry) => entry.event.id)).toEqual(['left-behind']);
    }
  });
});
