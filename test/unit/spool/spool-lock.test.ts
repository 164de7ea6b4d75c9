import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { openSpool, prepared, tempDir } from './spool-helpers.js';

function lockBy(dir: string, owner: { pid: number; host?: string }): void {
  writeFileSync(join(dir, 'LOCK'), JSON.stringify({ pid: owner.pid, host: owner.host ?? hostname(), nonce: 'someone-else' }));
}

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

  it('refuses a lock taken on another host, whose process it cannot check', () => {
    const dir = tempDir();
    lockBy(dir, { pid: 1, host: 'some-other-host' });
    expect(refusal(() => openSpool(dir)).message).toContain('on host some-other-host');
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
});
