import { randomUUID } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, realpathSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeDurablySync } from './journal-io.js';

/** Directories this process holds, so a second client in the same process is refused while a stale lock that
 * merely carries our pid (a container restarted as the same pid 1) is not. */
const heldHere = new Set<string>();

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly nonce: string;
}

/** Why the directory could not be locked, for the caller's `ValidationError`. */
export class SpoolLocked extends Error {}

/**
 * Takes `dir/LOCK` for this process, or throws `SpoolLocked` naming the process that holds it. The lock file is
 * written in full under a temporary name and hard-linked into place, so a reader never sees it empty or half
 * written, and two processes racing for a free directory cannot both win (`link` fails when the name exists).
 *
 * A lock left by a dead process on this host (no such pid, or our own pid without our registry entry) is taken
 * over. That takeover (unlink, then link) is not atomic against a third process taking over the same stale lock
 * in the same instant; two live clients on one directory are otherwise always refused. A lock from another host
 * (a shared file system) cannot be checked and is refused.
 *
 * Returns the function that releases it.
 */
export function acquireSpoolLock(dir: string): () => void {
  const key = realpathSync(dir);
  if (heldHere.has(key)) throw new SpoolLocked(`another client in this process (pid ${process.pid}) uses it`);
  const path = join(dir, 'LOCK');
  const owner: LockOwner = { pid: process.pid, host: hostname(), nonce: randomUUID() };
  const temp = join(dir, `LOCK.${process.pid}.${owner.nonce}.tmp`);
  const fd = openSync(temp, 'wx');
  try {
    writeDurablySync(fd, Buffer.from(JSON.stringify(owner)));
  } finally {
    closeSync(fd);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(temp, path);
        break;
      } catch (error) {
        if (!isCode(error, 'EEXIST') || attempt >= 2) throw error;
        const holder = readOwner(path);
        const reason = holder === 'gone' ? undefined : liveHolder(holder);
        if (reason !== undefined) throw new SpoolLocked(reason);
        if (holder !== 'gone') unlinkQuietly(path);
      }
    }
  } finally {
    unlinkQuietly(temp);
  }
  heldHere.add(key);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    heldHere.delete(key);
    // Only our own lock: never remove one another process took over after we were presumed dead.
    const holder = readOwner(path);
    if (holder !== 'gone' && holder !== 'unreadable' && holder.nonce === owner.nonce) unlinkQuietly(path);
  };
}

/** Why `holder` still holds the lock, or undefined when it is stale. */
function liveHolder(holder: LockOwner | 'unreadable'): string | undefined {
  // Only a crash while writing the temporary file could leave it unreadable, and it is linked only once complete.
  if (holder === 'unreadable') return undefined;
  if (holder.host !== hostname()) return `it is locked by pid ${holder.pid} on host ${holder.host}, which cannot be checked from here`;
  if (holder.pid === process.pid) return undefined; // a previous life of this pid: this process's locks are in heldHere
  return isAlive(holder.pid) ? `it is locked by the running process ${holder.pid}` : undefined;
}

function readOwner(path: string): LockOwner | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return 'gone';
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isInteger(parsed.pid) && typeof parsed.host === 'string' && typeof parsed.nonce === 'string') return parsed as LockOwner;
  } catch {
    // fall through
  }
  return 'unreadable';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return !isCode(error, 'ESRCH');
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function isCode(error: unknown, code: string): boolean {
  return (error as { code?: unknown } | null)?.code === code;
}
