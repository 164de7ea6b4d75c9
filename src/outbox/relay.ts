import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { PreparedIntake } from '../client/prepared-intake.js';
import type { AuditReceipt } from '../delivery/receipt.js';
import { AuditsError, DeliveryError, ValidationError } from '../errors.js';
import { describeThrown, emitIsolated } from '../internal/call-user.js';
import { redactor, type Redact } from '../redact/redactor.js';
import { driverSecrets } from './driver-secrets.js';
import { claimSql, deliveredSql, failedSql, freshStatisticsSql, heartbeatSql, releaseSql, type ClaimedRow } from './claim-sql.js';
import { startListener, type ListenTiming, type NotifyListener } from './notify-listener.js';
import type { ResolvedRelayOptions } from './relay-options.js';
import { backoffMs, classifyFailure, statusOf, type RowOutcome } from './row-outcome.js';
import type { SqlExecutor } from './sql-executor.js';
import type { TableNames } from './table-names.js';

/** The events a relay emits, for observing. Listeners that throw are logged and cannot change an outcome. */
export interface OutboxRelayEventMap {
  /** The server acknowledged a row's event (hash checked as the client's `verify` says); the row left the table. */
  delivered: [receipt: AuditReceipt];
  /** The server refused a row's event for its own reasons (or it kept failing `maxAttempts` times): kept as dead. */
  dead: [error: AuditsError, eventId: string];
  /** The relay could not reach the database (claim, heartbeat, settle, LISTEN); it keeps trying on its own. */
  error: [error: Error];
}

export interface RelayStopOptions {
  /** How long rows in flight may take to settle; what is still held then is released for another relay. @default 30_000 */
  timeoutMs?: number;
}

export interface RelayDependencies {
  readonly intake: PreparedIntake;
  readonly db: SqlExecutor;
  /** The user's driver object, for LISTEN. */
  readonly rawDb: unknown;
  readonly names: TableNames;
  readonly keepReceipts: boolean;
  readonly options: ResolvedRelayOptions;
  /** How the LISTEN checks itself; tests shorten it. */
  readonly listenTiming?: ListenTiming;
}

/** A claim's settle statement that failed is tried again this often, until the lease would have lapsed. */
const SETTLE_RETRY_MS = 250;
/** While claims come back full (a backlog), the table's statistics are looked at this often (freshStatisticsSql). */
const STATISTICS_CHECK_MS = 1_000;

/**
 * Moves committed outbox rows to the audit service: `concurrency` loops each claim a batch under a lease, hand the
 * events to the client (its batching, retries and hash checks), and settle the rows by lease token. Many relays,
 * in any number of processes, share one table; none is a leader.
 */
export class OutboxRelay extends EventEmitter<OutboxRelayEventMap> {
  readonly #deps: RelayDependencies;
  readonly #claim: string;
  readonly #freshStatistics: string;
  #statisticsCheckedAt = Number.NEGATIVE_INFINITY;
  /** The claims this relay holds now: lease token -> the ids of its rows. */
  readonly #held = new Map<string, readonly string[]>();
  readonly #waiters = new Set<() => void>();
  /** Counts wake-ups, so that one arriving while a loop is busy claiming is not lost (see #idle). */
  #wakes = 0;
  readonly #workers: Promise<void>[] = [];
  readonly #heartbeat: NodeJS.Timeout;
  readonly #listener: NotifyListener | undefined;
  #stopping = false;
  #stopped: Promise<void> | undefined;
  /** Masks the database password in driver errors; the client's logger masks the client's own credentials too. */
  readonly #redactDriverText: Redact;

  /** @internal Relays are made by `outbox.startRelay()`. */
  constructor(deps: RelayDependencies) {
    super();
    this.#deps = deps;
    this.#redactDriverText = redactor(driverSecrets(deps.rawDb));
    this.#claim = claimSql(deps.names);
    this.#freshStatistics = freshStatisticsSql(deps.names);
    const { options } = deps;
    this.#heartbeat = setInterval(() => void this.#extendLeases(), options.heartbeatMs);
    this.#listener = options.listen
      ? startListener(
          deps.rawDb,
          deps.names.channel,
          deps.db,
          {
            wake: () => this.#wakeAll(),
            failed: (error) => this.#report(error, 'LISTEN'),
            restored: (downMs) => deps.intake.log('warn', `auditwire: outbox relay: listening again for NOTIFY after ${downMs} ms without`),
          },
          deps.listenTiming,
        )
      : undefined;
    this.#checkStatistics();
    for (let i = 0; i < options.concurrency; i++) this.#workers.push(this.#work());
  }

  /**
   * Whether the relay hears NOTIFY now. False with `listen: false`, with an executor that cannot LISTEN, and while a
   * lost LISTEN is being made again (the relay polls meanwhile, and says so through 'error' and the logger).
   */
  get listening(): boolean {
    return this.#listener?.listening ?? false;
  }

  /** Claims held now (each up to `batchSize` rows). */
  get claimsInFlight(): number {
    return this.#held.size;
  }

  /**
   * Stops claiming, lets the rows in flight settle (up to `timeoutMs`), then gives back what is still held, so
   * another relay takes it at once instead of after the lease. Idempotent. Never rejects; a `timeoutMs` that is
   * not an integer >= 0 throws `ValidationError` at once.
   */
  stop(options: RelayStopOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 0) {
      throw new ValidationError([{ path: 'stop.timeoutMs', message: 'must be an integer >= 0' }]);
    }
    this.#stopped ??= this.#shutdown(timeoutMs);
    return this.#stopped;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  async #shutdown(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    this.#wakeAll();
    const all = Promise.all(this.#workers).then(() => true as const);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const finished = await Promise.race([all, late]);
    clearTimeout(timer);
    if (!finished && this.#held.size > 0) {
      await this.#deps.db.query(releaseSql(this.#deps.names), this.#heldIdsAndTokens()).catch((error: unknown) => this.#report(error, 'release'));
    }
    clearInterval(this.#heartbeat);
    await this.#listener?.close().catch((error: unknown) => this.#report(error, 'UNLISTEN'));
  }

  async #work(): Promise<void> {
    let failures = 0;
    while (!this.#stopping) {
      const token = randomUUID();
      const wakesBefore = this.#wakes;
      let rows: ClaimedRow[];
      try {
        rows = await this.#claimRows(token);
        failures = 0;
      } catch (error) {
        this.#report(error, 'claim');
        // The database is away (restarting, failing over): wait longer each time, up to the poll interval.
        // Only stop() cuts this wait short: a NOTIFY says nothing about why the claim failed (a revoked grant, a
        // statement timeout), and waking on each would retry, and log, at the rate rows are recorded.
        await this.#idle(Math.min(this.#deps.options.pollIntervalMs, 50 * 2 ** Math.min(10, failures++)), undefined);
        continue;
      }
      if (rows.length === 0) {
        await this.#idle(this.#deps.options.pollIntervalMs, wakesBefore);
        continue;
      }
      if (rows.length === this.#deps.options.batchSize) this.#checkStatistics();
      this.#held.set(token, rows.map((row) => row.rowId));
      try {
        const outcomes = await Promise.all(rows.map((row) => this.#deliver(row)));
        await this.#settle(token, rows, outcomes);
      } finally {
        this.#held.delete(token);
      }
    }
  }

  async #claimRows(token: string): Promise<ClaimedRow[]> {
    const { db, intake, options } = this.#deps;
    const rows = await db.query(this.#claim, [options.leaseMs, options.batchSize, intake.adapter, token]);
    return rows.map((row) => ({
      rowId: String(row.row_id),
      eventId: String(row.event_id),
      hash: String(row.hash),
      wire: String(row.wire),
      bytes: Number(row.bytes),
      attempts: Number(row.attempts),
    }));
  }

  /** Never rejects: every row ends with an outcome. */
  async #deliver(row: ClaimedRow): Promise<RowOutcome> {
    try {
      const receipt = await this.#deps.intake.deliver({ id: row.eventId, hash: row.hash, wire: row.wire, bytes: row.bytes });
      return { kind: 'delivered', receipt };
    } catch (error) {
      const failure = error instanceof AuditsError ? error : new DeliveryError(String(error), { cause: error });
      return { kind: classifyFailure(failure), error: failure };
    }
  }

  async #settle(token: string, rows: readonly ClaimedRow[], outcomes: readonly RowOutcome[]): Promise<void> {
    const { db, names, keepReceipts, options } = this.#deps;
    const delivered: { row: ClaimedRow; receipt: AuditReceipt }[] = [];
    const failed: { row: ClaimedRow; dead: boolean; delayMs: number; error: AuditsError }[] = [];
    outcomes.forEach((outcome, index) => {
      const row = rows[index] as ClaimedRow;
      if (outcome.kind === 'delivered') delivered.push({ row, receipt: outcome.receipt });
      else {
        const dead = outcome.kind === 'dead' || row.attempts >= options.maxAttempts;
        failed.push({ row, dead, delayMs: dead ? 0 : backoffMs(row.attempts, options.initialBackoffMs, options.maxBackoffMs), error: outcome.error });
      }
    });
    const statements: Promise<void>[] = [];
    if (delivered.length > 0) {
      const ids = delivered.map((d) => d.row.rowId);
      const values = keepReceipts
        ? [
            ids,
            token,
            delivered.map((d) => d.receipt.hash),
            delivered.map((d) => d.receipt.serverId ?? null),
            delivered.map((d) => d.receipt.serverHash ?? null),
            delivered.map((d) => d.receipt.verified),
          ]
        : [ids, token];
      statements.push(this.#settleStatement(deliveredSql(names, keepReceipts), values));
    }
    if (failed.length > 0) {
      const values = [
        failed.map((f) => f.row.rowId),
        token,
        failed.map((f) => f.dead),
        failed.map((f) => f.delayMs),
        failed.map((f) => f.error.message.slice(0, 2000)),
        failed.map((f) => statusOf(f.error)),
      ];
      statements.push(this.#settleStatement(failedSql(names), values));
      const transient = failed.filter((f) => !f.dead);
      if (transient.length > 0) {
        this.#deps.intake.log('warn', `auditwire: outbox: ${transient.length} event(s) not delivered (${transient[0]?.error.message}); retried after a backoff`);
      }
    }
    await Promise.all(statements);
    for (const { receipt } of delivered) this.#emitSafely('delivered', receipt);
    for (const { row, dead, error } of failed) {
      if (!dead) continue;
      this.#deps.intake.log('warn', `auditwire: outbox: event ${row.eventId} is dead after ${row.attempts} attempt(s): ${error.message}`);
      this.#emitSafely('dead', error, row.eventId);
    }
  }

  /**
   * Runs one settle statement, again after a failure, for as long as the lease would last: past that another relay
   * may own the rows (the lease token fences them anyway) and the rows are simply delivered again.
   */
  async #settleStatement(text: string, values: unknown[]): Promise<void> {
    const giveUpAt = Date.now() + this.#deps.options.leaseMs;
    for (;;) {
      try {
        await this.#deps.db.query(text, values);
        return;
      } catch (error) {
        this.#report(error, 'settle');
        if (Date.now() + SETTLE_RETRY_MS > giveUpAt) return;
        await new Promise((resolve) => setTimeout(resolve, SETTLE_RETRY_MS));
      }
    }
  }

  /** Analyzes the table if its statistics are stale, off the claim path and at most every STATISTICS_CHECK_MS. */
  #checkStatistics(): void {
    const now = Date.now();
    if (now - this.#statisticsCheckedAt < STATISTICS_CHECK_MS) return;
    this.#statisticsCheckedAt = now;
    void this.#deps.db.query(this.#freshStatistics, []).catch((error: unknown) => this.#report(error, 'ANALYZE'));
  }

  async #extendLeases(): Promise<void> {
    if (this.#held.size === 0) return;
    const { db, names, options } = this.#deps;
    await db.query(heartbeatSql(names), [options.leaseMs, ...this.#heldIdsAndTokens()]).catch((error: unknown) => this.#report(error, 'heartbeat'));
  }

  /** [row ids, lease tokens] of every claim held now. */
  #heldIdsAndTokens(): [string[], string[]] {
    return [[...this.#held.values()].flat(), [...this.#held.keys()]];
  }

  /**
   * Waits for a NOTIFY, `ms`, or stop(), whichever comes first; at once if a wake-up came since `wakesBefore` (the
   * count when the loop began its claim): a NOTIFY that arrives while a claim is in flight may be for a row that
   * claim's snapshot did not see, and waiting for the next poll would leave that row for a whole interval.
   */
  #idle(ms: number, wakesBefore: number | undefined): Promise<void> {
    if (this.#stopping || (wakesBefore !== undefined && this.#wakes !== wakesBefore)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      // Without `wakesBefore` (a backoff), only stop() wakes it early.
      const wake = wakesBefore === undefined ? () => void (this.#stopping && done()) : done;
      const timer = setTimeout(done, ms);
      this.#waiters.add(wake);
    });
  }

  #wakeAll(): void {
    this.#wakes++;
    for (const wake of [...this.#waiters]) wake();
  }

  #report(error: unknown, during: string): void {
    const raw = error instanceof Error ? error.message : String(error);
    const masked = this.#redactDriverText(raw);
    const reason = this.#deps.intake.redact?.(masked) ?? masked;
    // The driver's error stays the cause unless its message held a credential (its other members could echo it too).
    const failure = new Error(`outbox relay: ${during} failed: ${reason}`, reason === raw ? { cause: error } : undefined);
    this.#deps.intake.log('warn', `auditwire: ${failure.message}`);
    // Not EventEmitter.emit, which throws an 'error' nobody listens to: a background relay never throws into the host.
    this.#emitSafely('error', failure);
  }

  /** Emits to the relay's listeners, each isolated: a throw or a rejected promise is logged and changes nothing. */
  #emitSafely<K extends keyof OutboxRelayEventMap>(name: K, ...args: OutboxRelayEventMap[K]): void {
    emitIsolated(this, name, args, (event, thrown) =>
      this.#deps.intake.log('error', `auditwire: an outbox relay '${event}' listener threw (${describeThrown(thrown)}); the event's outcome is unchanged`),
    );
  }
}
