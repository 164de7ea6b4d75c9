import { randomUUID } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, realpathSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeDurablySync } from './journal-io.js';
import { DEFAULT_LEASE, startHeartbeat, statedLease, watchLease, type LockLease } from './lock-lease.js';

/** Directories this process holds, so a second client in the same process is refused while a stale lock that
 * merely carries our pid (a container restarted as the same pid 1) is not. */
const heldHere = new Set<string>();

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly nonce: string;
  /** The holder's lease (absent in a lock written by auditwire 0.1). */
  readonly heartbeatMs?: number;
  readonly staleAfterMs?: number;
}

/** Why the directory could not be locked, for the caller's `ValidationError`. */
export class SpoolLocked extends Error {}

export interface SpoolLockOptions {
  readonly lease?: LockLease | undefined;
  /** Called once if another process takes the lock over (this one failed to renew its lease in time). */
  readonly lost?: (reason: string) => void;
}

/**
 * Takes `dir/LOCK` for this process, or throws `SpoolLocked` naming the process that holds it. The lock file is
 * written in full under a temporary name and hard-linked into place, so a reader never sees it empty or half
 * written, and two processes racing for a free directory cannot both win (`link` fails when the name exists).
 *
 * The lock is a lease (see lock-lease.ts): while held, its file's modification time is renewed every heartbeat.
 * A lock found in place is taken over when its holder is certainly gone: a pid of this host that no longer runs,
 * our own pid without our registry entry (a container restarted as the same pid 1), or a lease that has lapsed
 * (no renewal for `staleAfterMs`, the holder's own figure), which covers a holder on another host or in another pid
 * namespace: a container re-created with a new hostname on the same volume. Opening waits, synchronously, at most
 * that long for the lease to lapse, and refuses as soon as it sees a renewal. A live process of this host that
 * states no lease (auditwire 0.1) is refused as before.
 *
 * Guarantees and limits: two live processes that renew their leases never hold one directory together. A holder
 * frozen for longer than `staleAfterMs` (a stopped or swapped-out process) can lose the lock; it notices at its next
 * heartbeat (`lost`), and the spool then stops journaling (reported), so two processes write the journal together at
 * most until then. The takeover (unlink, then link) is not atomic against a third process taking over the same
 * stale lock in the same instant.
 *
 * Returns the function that releases it.
 */
export function acquireSpoolLock(dir: string, options: SpoolLockOptions = {}): () => void {
  const key = realpathSync(dir);
  if (heldHere.has(key)) throw new SpoolLocked(`another client in this process (pid ${process.pid}) uses it`);
  const lease = options.lease ?? DEFAULT_LEASE;
  const path = join(dir, 'LOCK');
  const owner: LockOwner = { pid: process.pid, host: hostname(), nonce: randomUUID(), ...lease };
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
        const reason = holder === 'gone' ? undefined : liveHolder(path, holder);
        if (reason !== undefined) throw new SpoolLocked(reason);
        if (holder !== 'gone') unlinkQuietly(path);
      }
    }
  } finally {
    unlinkQuietly(temp);
  }
  heldHere.add(key);
  const stopHeartbeat = startHeartbeat(path, owner.nonce, lease, (reason) => options.lost?.(reason));
  let released = false;
  return () => {
    if (released) return;
    released = true;
    stopHeartbeat();
    heldHere.delete(key);
    // Only our own lock: never remove one another process took over after we were presumed dead.
    const holder = readOwner(path);
    if (holder !== 'gone' && holder !== 'unreadable' && holder.nonce === owner.nonce) unlinkQuietly(path);
  };
}

/** Why `holder` still holds the lock, or undefined when it is stale. */
function liveHolder(path: string, holder: LockOwner | 'unreadable'): string | undefined {
  // Only a crash while writing the temporary file could leave it unreadable, and it is linked only once complete.
  if (holder === 'unreadable') return undefined;
  if (holder.host === hostname()) {
    if (holder.pid === process.pid) return undefined; // a previous life of this pid: this process's locks are in heldHere
    if (!isAlive(holder.pid)) return undefined;
    // A live pid that states no lease: auditwire 0.1, which never renews; refused, as it was then.
    if (holder.heartbeatMs === undefined) return `it is locked by the running process ${holder.pid}`;
  }
  // Another host, or a live pid here that may be another pid namespace's number: the lease decides.
  const lease = statedLease(holder);
  const where = holder.host === hostname() ? `the running process ${holder.pid}` : `pid ${holder.pid} on host ${holder.host}`;
  switch (watchLease(path, lease)) {
    case 'renewed':
      return `it is locked by ${where}, which renews its lease (the lock file's time moved within ${lease.staleAfterMs} ms)`;
    case 'gone':
    case 'lapsed':
      return undefined;
  }
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
