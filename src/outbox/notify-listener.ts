import { randomUUID } from 'node:crypto';
import { subscriberFor, type Subscribe, type Subscription } from './listen-drivers.js';
import type { SqlExecutor } from './sql-executor.js';

/**
 * Wakes idle relays when `record()` commits: a LISTEN on the table's channel, on a connection of its own, through
 * whichever driver the user gave. Polling stays the fallback (and covers notifications lost while reconnecting),
 * so a LISTEN that cannot start or drops never loses a row, only latency.
 *
 * The LISTEN is kept alive here rather than trusted to the driver: a driver's own re-LISTEN after a reconnect can
 * fail silently (postgres.js tries while the server may still be down, and reports nothing), and no driver notices a
 * connection that stopped answering. So the listener notices loss itself: the driver's 'end'/'error' where it has
 * them, and a probe (a NOTIFY of its own, which must come back) for the rest; then it listens again, with bounded
 * backoff, until it works.
 */
export interface NotifyListener {
  /** True while a LISTEN is believed to work (the last probe came back, or none is due yet). */
  readonly listening: boolean;
  close(): Promise<void>;
}

export interface ListenHooks {
  /** A notification arrived, or the LISTEN was (re)made and rows may have been missed meanwhile. */
  readonly wake: () => void;
  /** The LISTEN was lost, or an attempt to make it again failed. */
  readonly failed: (error: Error) => void;
  /** Listening again after `downMs` without. */
  readonly restored: (downMs: number) => void;
}

/** How often and how patiently the listener checks itself. Tests shorten these. */
export interface ListenTiming {
  /** Between probes while listening. */
  readonly probeIntervalMs: number;
  /** How long a probe's NOTIFY may take to come back before the LISTEN counts as lost. */
  readonly probeTimeoutMs: number;
  /** First and longest wait between attempts to listen again (doubling, with jitter). */
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  /** An attempt to LISTEN (or to stop listening) that takes longer counts as failed. */
  readonly attemptTimeoutMs: number;
}

export const DEFAULT_LISTEN_TIMING: ListenTiming = {
  probeIntervalMs: 5_000,
  probeTimeoutMs: 3_000,
  retryMinMs: 100,
  retryMaxMs: 5_000,
  attemptTimeoutMs: 10_000,
};

/** Payloads of the listener's own probes; the outbox's trigger notifies with an empty payload. */
const PROBE_PREFIX = 'auditwire-probe:';

/** Starts listening where the driver can; undefined where it cannot (a plain executor: polling only). */
export function startListener(
  db: unknown,
  channel: string,
  probeDb: SqlExecutor,
  hooks: ListenHooks,
  timing: ListenTiming = DEFAULT_LISTEN_TIMING,
): NotifyListener | undefined {
  const subscribe = subscriberFor(db, channel);
  return subscribe === undefined ? undefined : new KeptListener(subscribe, channel, probeDb, hooks, timing);
}

class KeptListener implements NotifyListener {
  readonly #subscribe: Subscribe;
  readonly #channel: string;
  readonly #probeDb: SqlExecutor;
  readonly #hooks: ListenHooks;
  readonly #timing: ListenTiming;
  #current: Subscription | undefined;
  /** The probe waiting for its NOTIFY to come back. */
  #probe: { readonly payload: string; readonly heard: () => void } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  /** When the LISTEN was last lost (or first failed); undefined while listening. */
  #downSince: number | undefined;
  #closed = false;

  constructor(subscribe: Subscribe, channel: string, probeDb: SqlExecutor, hooks: ListenHooks, timing: ListenTiming) {
    this.#subscribe = subscribe;
    this.#channel = channel;
    this.#probeDb = probeDb;
    this.#hooks = hooks;
    this.#timing = timing;
    void this.#listen();
  }

  get listening(): boolean {
    return this.#current !== undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const current = this.#current;
    this.#current = undefined;
    if (current !== undefined) await this.#bounded(current.close(), undefined);
  }

  async #listen(): Promise<void> {
    if (this.#closed) return;
    const attempt = this.#subscribe({ notified: (payload) => this.#notified(payload), relistened: () => this.#hooks.wake() });
    let subscription: Subscription | undefined;
    try {
      subscription = await this.#bounded(attempt, new Error(`LISTEN took longer than ${this.#timing.attemptTimeoutMs} ms`));
    } catch (error) {
      // An attempt that comes through after all is given straight back.
      void attempt.then((late) => late.close(), () => {});
      if (this.#closed) return;
      this.#downSince ??= Date.now();
      this.#hooks.failed(asError(error));
      this.#retryLater();
      return;
    }
    if (this.#closed) {
      await subscription.close();
      return;
    }
    this.#current = subscription;
    this.#failures = 0;
    if (this.#downSince !== undefined) this.#hooks.restored(Date.now() - this.#downSince);
    this.#downSince = undefined;
    void subscription.lost.then((reason) => this.#lose(subscription, reason));
    this.#schedule(() => this.#check(), this.#timing.probeIntervalMs);
    // Rows committed while nobody listened notified nobody.
    this.#hooks.wake();
  }

  /** Drops a subscription found lost and starts listening again (once per subscription). */
  #lose(subscription: Subscription, reason: Error): void {
    if (this.#closed || this.#current !== subscription) return;
    this.#current = undefined;
    this.#probe = undefined;
    this.#downSince = Date.now();
    this.#hooks.failed(new Error(`the LISTEN connection was lost (${reason.message}); polling until it is back`, { cause: reason }));
    void this.#bounded(subscription.close(reason), undefined).catch(() => {});
    this.#retryLater();
  }

  /** Sends a NOTIFY of its own; the LISTEN is lost if it does not come back in time. */
  async #check(): Promise<void> {
    const subscription = this.#current;
    if (this.#closed || subscription === undefined) return;
    const payload = `${PROBE_PREFIX}${randomUUID()}`;
    let timer: NodeJS.Timeout | undefined;
    const heard = new Promise<boolean>((resolve) => {
      this.#probe = { payload, heard: () => resolve(true) };
      timer = setTimeout(() => resolve(false), this.#timing.probeTimeoutMs);
    });
    try {
      await this.#bounded(this.#probeDb.query('SELECT pg_notify($1, $2)', [this.#channel, payload]), new Error('the probe NOTIFY took too long'));
    } catch {
      // The database is away: nothing learned about the LISTEN (the relay reports the outage). Look again soon,
      // so that a LISTEN lost in the outage is found soon after the database is back.
      clearTimeout(timer);
      this.#probe = undefined;
      if (this.#current === subscription) this.#schedule(() => this.#check(), Math.min(this.#timing.probeIntervalMs, 500));
      return;
    }
    const cameBack = await heard;
    clearTimeout(timer);
    if (this.#current !== subscription) return;
    this.#probe = undefined;
    if (cameBack) this.#schedule(() => this.#check(), this.#timing.probeIntervalMs);
    else this.#lose(subscription, new Error(`its probe NOTIFY did not come back within ${this.#timing.probeTimeoutMs} ms`));
  }

  #notified(payload: string): void {
    if (!payload.startsWith(PROBE_PREFIX)) {
      this.#hooks.wake();
      return;
    }
    // Other relays' probes on the same channel are theirs; they wake nobody.
    if (this.#probe?.payload === payload) this.#probe.heard();
  }

  #retryLater(): void {
    const { retryMinMs, retryMaxMs } = this.#timing;
    const ceiling = Math.min(retryMaxMs, retryMinMs * 2 ** Math.min(20, this.#failures++));
    this.#schedule(() => this.#listen(), Math.round(ceiling / 2 + (Math.random() * ceiling) / 2));
  }

  #schedule(run: () => Promise<void>, ms: number): void {
    clearTimeout(this.#timer);
    if (this.#closed) return;
    this.#timer = setTimeout(() => void run(), ms);
    // Listening alone never keeps the host process alive.
    this.#timer.unref();
  }

  /** `work`, or a rejection with `late` (or undefined, resolving) once it takes longer than an attempt may. */
  #bounded<T>(work: Promise<T>, late: Error | undefined): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<T>((resolve, reject) => {
      timer = setTimeout(() => (late === undefined ? resolve(undefined as T) : reject(late)), this.#timing.attemptTimeoutMs);
    });
    return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
