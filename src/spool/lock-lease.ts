import { statSync } from 'node:fs';
import { readFile, utimes } from 'node:fs/promises';

/**
 * The lease that keeps a spool lock alive. The holder renews it by setting the lock file's modification time every
 * `heartbeatMs`; a lock whose time has not moved for `staleAfterMs` belongs to a process that is gone (or frozen for
 * that long), and may be taken over. The lock file states its holder's lease, so whoever finds it judges it by the
 * holder's own timing.
 *
 * Why a lease: a lock names a pid, and a pid can be checked only on the host (the pid namespace) that made it. After
 * a container is re-created on the same volume (new hostname, new pid namespace) the old process cannot be checked,
 * but a lease can: its heartbeat stops with the process, whatever host it ran on. Node offers no OS advisory lock
 * (flock/fcntl) without a native module, and those do not hold across every network file system either.
 */
export interface LockLease {
  readonly heartbeatMs: number;
  readonly staleAfterMs: number;
}

export const DEFAULT_LEASE: LockLease = { heartbeatMs: 500, staleAfterMs: 5_000 };

/** How long anyone waits for a lease to lapse, whatever a lock file claims. */
const MAX_STALE_AFTER_MS = 60_000;
const WATCH_POLL_MS = 50;

/** The lease a lock file states, bounded; the default for a lock file that states none (written by auditwire 0.1). */
export function statedLease(value: { heartbeatMs?: unknown; staleAfterMs?: unknown }): LockLease {
  const { heartbeatMs, staleAfterMs } = value;
  if (typeof heartbeatMs !== 'number' || typeof staleAfterMs !== 'number' || !(heartbeatMs > 0) || !(staleAfterMs >= heartbeatMs)) return DEFAULT_LEASE;
  return { heartbeatMs, staleAfterMs: Math.min(staleAfterMs, MAX_STALE_AFTER_MS) };
}

/**
 * Watches the lock file at `path`, synchronously (the spool is opened in the client's constructor), until its lease
 * is renewed ('renewed': its holder lives) or lapses ('lapsed'), or the file goes away ('gone'). It waits until the
 * time has not moved for `staleAfterMs` by this host's clock (at most that long), and at least three heartbeats; a
 * renewal is seen within a heartbeat. Only a change of the time counts as a renewal, so a live holder is recognised
 * whether or not the two hosts' clocks agree; agreeing clocks only shorten the wait for a dead one.
 */
export function watchLease(path: string, lease: LockLease): 'renewed' | 'lapsed' | 'gone' {
  const first = mtimeOf(path);
  if (first === undefined) return 'gone';
  const age = Math.min(Math.max(Date.now() - first, 0), lease.staleAfterMs);
  // At least three heartbeats, whatever the age says: a holder whose clock runs far behind ours stamps times that
  // look old, and must still be seen renewing before its lock is taken.
  const deadline = Date.now() + Math.max(lease.staleAfterMs - age, 3 * lease.heartbeatMs);
  // Each pass sleeps WATCH_POLL_MS at most and the deadline is fixed, so the loop ends.
  for (let now = Date.now(); now < deadline; now = Date.now()) {
    sleepSync(Math.min(WATCH_POLL_MS, deadline - now));
    const current = mtimeOf(path);
    if (current === undefined) return 'gone';
    if (current !== first) return 'renewed';
  }
  return 'lapsed';
}

/**
 * Renews the lease of the lock at `path` every `heartbeatMs` while it still names `nonce`; calls `lost` once (and
 * stops) when it no longer does, i.e. another process took it over after this one failed to renew it in time.
 * Returns the function that stops the heartbeat. The timer never keeps the process alive.
 */
export function startHeartbeat(path: string, nonce: string, lease: LockLease, lost: (reason: string) => void): () => void {
  let stopped = false;
  let beating = false;
  const beat = async (): Promise<void> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return; // try again at the next beat
      text = '';
    }
    if (stopped) return;
    const holder = parseHolder(text);
    if (holder?.nonce !== nonce) {
      stop();
      lost(
        holder === undefined
          ? 'the spool lock file was removed or replaced by another process'
          : `the spool lock was taken over by pid ${String(holder.pid)} on host ${String(holder.host)}, after this process did not renew it in time`,
      );
      return;
    }
    const now = new Date();
    await utimes(path, now, now).catch(() => {}); // a missed renewal is retried at the next beat
  };
  const timer = setInterval(() => {
    if (beating) return;
    beating = true;
    void beat().finally(() => (beating = false));
  }, lease.heartbeatMs);
  timer.unref();
  const stop = (): void => {
    stopped = true;
    clearInterval(timer);
  };
  return stop;
}

function parseHolder(text: string): { pid?: unknown; host?: unknown; nonce?: unknown } | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms`: the caller is synchronous by contract and waits a bounded time. */
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
