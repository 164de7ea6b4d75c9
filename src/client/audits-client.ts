import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Adapter, HttpRequest, PrepareContext } from '../adapters/adapter.js';
import { createAdapter } from '../adapters/create-adapter.js';
import {
  fronteggApiContext,
  getAudits,
  getAuditsMetadata,
  getAuditsStats,
  setAuditsMetadata,
  type FronteggApiContext,
  type FronteggAuditsMetadata,
  type FronteggAuditsPage,
  type FronteggAuditsQuery,
  type FronteggAuditsStats,
  type FronteggAuditsStatsQuery,
} from '../adapters/frontegg-audits-api.js';
import { createUnmappedFieldReporter } from '../adapters/unmapped-fields.js';
import { BatchDelivery, type Outcome } from '../delivery/batch-delivery.js';
import { PendingEvent } from '../delivery/pending-event.js';
import type { AuditReceipt } from '../delivery/receipt.js';
import { AuditsError, ClientClosedError, DeliveryError, HashMismatchError, QueueFullError, TimeoutError, ValidationError, type ValidationIssue } from '../errors.js';
import { silentLogger, type Logger, type LogLevel } from '../logger.js';
import type { ClientOptions, ResolvedOptions } from '../options.js';
import { BatchProcessor } from '../processor/batch-processor.js';
import { isDoneForSpool } from '../spool/ack-policy.js';
import type { SpoolBinding } from '../spool/journal-record.js';
import { describeDamage } from '../spool/describe-damage.js';
import { Spool, type SpoolEntry } from '../spool/spool.js';
import { HttpTransport } from '../transport/http-transport.js';
import type { AuditsClientEventMap, AuditsClientStats } from './client-events.js';
import { FLUSH_BEFORE_EXIT, flushBeforeExit } from './exit-flush.js';
import { PREPARED_INTAKE, type PreparedIntake } from './prepared-intake.js';
import { ProcessHold } from './process-hold.js';
import { resolveOptions } from './resolve-options.js';
import { redactingHooks } from '../delivery/redacting-hooks.js';
import { redactError } from '../redact/redact-error.js';
import { redactor, type Redact } from '../redact/redactor.js';
import type { AuditInput, ExactAuditInput } from './audit-input.js';
import { callUser, describeThrown, emitIsolated } from '../internal/call-user.js';
import { durationIssues, unrefTimer } from '../internal/duration.js';
import { unheardFailure, userCodeFailure } from './warnings.js';
import { LedgerStage } from './ledger-stage.js';

const noop = (): void => {};

type AcceptedEvent = PendingEvent & { readonly promise: Promise<AuditReceipt> };

export interface CloseOptions {
  /**
   * How long queued and in-flight events (and requests of the client's own, such as a Frontegg token exchange) may
   * take before they are cut off and the events fail with `TimeoutError`. A whole number of milliseconds up to
   * 2^31-1, or `Infinity` to wait for every event however long its retries take. @default 30_000
   */
  timeoutMs?: number;
}


/**
 * Sends audit events: validates each one synchronously, hashes it, queues and batches it, delivers it with
 * retries, and checks the hash the server returns.
 *
 * ```ts
 * const client = new AuditsClient({ adapter: 'auditlog', endpoint, apiKey });
 * const receipt = await client.sendAudit({ action: 'user.login', actor: { id: 'user-42' } });
 * await client.close();
 * ```
 *
 * A promise nobody awaits never becomes an unhandled rejection; every failure also reaches the `'error'` event
 * and the `onError` option.
 */
export class AuditsClient extends EventEmitter<AuditsClientEventMap> {
  readonly #options: ResolvedOptions;
  readonly #adapter: Adapter;
  readonly #transport: HttpTransport;
  readonly #processor: BatchProcessor<PendingEvent>;
  readonly #abort = new AbortController();
  readonly #hold = new ProcessHold();
  readonly #logger: Logger;
  /** Whether the user passed a logger: then failures are heard through it, and need no process warning. */
  readonly #hasLogger: boolean;
  readonly #onError: ((error: AuditsError) => void) | undefined;
  readonly #prepareContext: PrepareContext;
  /** Masks every credential the client holds (options, init() credentials, vendor tokens) from what it emits. */
  readonly #redact: Redact;
  #state: 'open' | 'closing' | 'closed' = 'open';
  #closing: Promise<void> | undefined;
  /** Resolved by destroy(): cuts short a close() that is still waiting. */
  readonly #stopNow = Promise.withResolvers<void>();
  #destroyed = false;
  /** Exchanges started by init() and not yet finished: close() waits for them as for events. */
  readonly #initializing = new Set<Promise<void>>();
  readonly #counters = { accepted: 0, delivered: 0, failed: 0, retried: 0, mismatched: 0, rejected: 0, recovered: 0, unmapped: 0 };
  readonly #unregisterExitFlush: () => void;
  readonly #spool: Spool | undefined;
  /** The spool whose recovered events wait for the first successful init(). */
  #replayAfterInit: Spool | undefined;
  /** Each accepted event's journal entry, when there is a spool. */
  readonly #journaled = new WeakMap<PendingEvent, SpoolEntry>();
  /** Records each acknowledged event in the signed ledger, when `ledger` is set. */
  readonly #ledger: LedgerStage | undefined;

  constructor(options: ClientOptions = {}) {
    super();
    this.#options = resolveOptions(options);
    this.#logger = options.logger ?? silentLogger;
    this.#hasLogger = options.logger !== undefined;
    this.#onError = options.onError;
    this.#adapter = createAdapter(this.#options);
    this.#redact = redactor(() => [this.#options.apiKey, this.#options.clientId, ...(this.#adapter.secrets?.() ?? [])]);
    this.#transport = new HttpTransport(this.#options);
    this.#spool = this.#openSpool();
    this.#ledger = this.#options.ledger && new LedgerStage(this.#options.ledger, (error) => this.#report(error));
    const unmapped = createUnmappedFieldReporter({
      policy: this.#options.onUnmappedField,
      adapter: this.#adapter.name,
      logger: options.logger,
      counted: () => void this.#counters.unmapped++,
    });
    this.#prepareContext = { server: this.#options.server, newId: randomUUID, now: () => new Date(), unmapped };
    const limits = this.#adapter.limits;
    const delivery = new BatchDelivery(
      this.#adapter,
      this.#transport,
      this.#options,
      redactingHooks({
        settle: (event, outcome) => this.#settle(event, outcome),
        retrying: (info) => {
          this.#counters.retried += info.eventIds.length;
          this.#log('warn', `auditwire: ${info.error.message}; retry ${info.attempt} of ${info.eventIds.length} event(s) in ${info.delayMs} ms`);
          this.#notify('retry', info);
        },
      }, this.#redact),
      this.#abort.signal,
    );
    this.#processor = new BatchProcessor<PendingEvent>({
      maxQueueSize: this.#options.maxQueueSize,
      maxQueueBytes: this.#options.maxQueueBytes,
      maxBatchSize: Math.min(this.#options.maxBatchSize ?? limits.maxBatchSize, limits.maxBatchSize),
      maxBatchBytes: Math.min(this.#options.maxBatchBytes ?? limits.maxBatchBytes, limits.maxBatchBytes),
      flushIntervalMs: this.#options.flushIntervalMs,
      maxConcurrentExports: this.#options.maxConcurrentRequests ?? limits.defaultConcurrentRequests ?? 4,
      // With a spool, a batch leaves only once every event in it is on disk: what was sent was journaled first.
      exportBatch: (batch) => {
        const durable = this.#spool?.whenDurable(batch.map((event) => this.#journaled.get(event)));
        return durable === undefined ? delivery.deliver(batch) : durable.then(() => delivery.deliver(batch));
      },
    });
    // An adapter waiting for init(clientId, apiKey) would fail the replayed events at once: they wait for init().
    const awaitsInit = this.#adapter.authenticate !== undefined && (this.#options.clientId === undefined || this.#options.apiKey === undefined);
    if (this.#spool !== undefined && !awaitsInit) this.#replay(this.#spool);
    else this.#replayAfterInit = this.#spool;
    this.#unregisterExitFlush = flushBeforeExit(this);
  }

  /** Called at 'beforeExit': a process that forgot close() still delivers what it accepted. */
  [FLUSH_BEFORE_EXIT](): void {
    const { accepted, delivered, failed } = this.#counters;
    if (this.#state === 'open' && accepted > delivered + failed) void this.flush();
    // Pending acknowledgements: written now, or the next start would send those events again.
    if (this.#spool?.hasPending === true) this.#spool.commitNow();
  }

  /** For `auditwire/outbox` (src/client/prepared-intake.ts): prepare as sendAudit does; deliver a prepared event. @internal */
  [PREPARED_INTAKE](): PreparedIntake {
    return {
      adapter: this.#adapter.name,
      log: (level, message) => this.#log(level, message),
      redact: (text) => this.#redact(text),
      prepare: (input) => {
        if (this.#state !== 'open') throw new ClientClosedError('the client is closed');
        try {
          return this.#adapter.prepare(input, this.#prepareContext);
        } catch (error) {
          throw unreadableInput(error);
        }
      },
      // A relay waits for room whatever `whenQueueFull` says: its rows are safe in the table meanwhile (their lease
      // kept alive), while a refusal would back each row off and count an attempt against it for a full queue.
      deliver: (prepared) =>
        this.#state === 'open' ? this.#enqueue(prepared, true).promise : this.#refuse(new ClientClosedError('the client is closed')),
    };
  }

  /** The name of the adapter in use, e.g. `auditlog`. */
  get adapter(): string {
    return this.#adapter.name;
  }

  /**
   * Frontegg's `init(clientId, apiKey)`: exchanges the credentials for a vendor token now, so refused credentials
   * reject here with `AuthenticationError` rather than at the first send. Sends made meanwhile wait for the same
   * exchange (one `/auth/vendor` request however many there are). Calling it again replaces the credentials.
   * Only the Frontegg adapter takes credentials this way; the others take them as options.
   */
  init(clientId: string, apiKey: string): Promise<void> {
    const fail = (error: AuditsError): Promise<void> => {
      this.#report(error);
      const rejected = Promise.reject(error);
      rejected.catch(noop);
      return rejected;
    };
    if (this.#state !== 'open') return fail(new ClientClosedError('the client is closed'));
    if (this.#adapter.authenticate === undefined) {
      return fail(new ValidationError([{ path: 'init', message: `init(clientId, apiKey) is for the frontegg adapter; the ${this.#adapter.name} adapter takes its credentials as options` }]));
    }
    const issues = [
      ...credentialIssues('clientId', clientId),
      ...credentialIssues('apiKey', apiKey),
    ];
    if (issues.length > 0) return fail(new ValidationError(issues));
    const exchange = (request: HttpRequest, signal: AbortSignal) => this.#transport.send(request, signal);
    const release = this.#hold.acquire();
    const promise = this.#adapter
      .authenticate({ clientId, apiKey }, { signal: this.#abort.signal, exchange })
      .then(() => {
        const spool = this.#replayAfterInit;
        this.#replayAfterInit = undefined;
        if (spool !== undefined && this.#state === 'open') this.#replay(spool);
      })
      .catch((error: unknown) => fail(redactError(asAuditsError(error), this.#redact)))
      .finally(() => {
        this.#initializing.delete(promise);
        release();
      });
    this.#initializing.add(promise);
    promise.catch(noop);
    return promise;
  }

  /**
   * Validates `event` now (a bad event rejects at once with `ValidationError` and nothing is queued), then
   * queues it. Resolves when the server has acknowledged it and its hash was checked. A member no accepted shape
   * declares (`foo`, `actor.emial`) fails to compile ({@link ExactAuditInput}).
   */
  sendAudit<E extends AuditInput>(event: E & ExactAuditInput<E>): Promise<AuditReceipt> {
    try {
      const pending = this.#accept(event);
      if (pending instanceof AuditsError) return this.#refuse(pending);
      return pending.promise;
    } catch (error) {
      // Never thrown at the caller: whatever went wrong is this call's rejection.
      return this.#refuse(unreadableInput(error));
    }
  }

  /** Frontegg's `getAudits`: one page of a tenant's stored audits (adapter 'frontegg'; same retries and errors as sends). */
  getAudits(params: FronteggAuditsQuery): Promise<FronteggAuditsPage> {
    return this.#fronteggRead((context) => getAudits(context, params));
  }

  /** Frontegg's `getAuditsStats` for a tenant. */
  getAuditsStats(params: FronteggAuditsStatsQuery): Promise<FronteggAuditsStats> {
    return this.#fronteggRead((context) => getAuditsStats(context, params));
  }

  /** Frontegg's `getAuditsMetadata`: the audits entity's metadata. */
  getAuditsMetadata(): Promise<FronteggAuditsMetadata> {
    return this.#fronteggRead((context) => getAuditsMetadata(context));
  }

  /** Frontegg's `setAuditsMetadata` (`entityName` is always `audits`). */
  setAuditsMetadata(metadata: Readonly<Record<string, unknown>>): Promise<FronteggAuditsMetadata> {
    return this.#fronteggRead((context) => setAuditsMetadata(context, metadata));
  }

  async #fronteggRead<T>(read: (context: FronteggApiContext) => Promise<T>): Promise<T> {
    const exchange = (request: HttpRequest, signal: AbortSignal) => this.#transport.send(request, signal);
    return read(fronteggApiContext(this.#adapter, { signal: this.#abort.signal, exchange }, this.#options.retry));
  }

  /**
   * Validates every event first: if any is invalid, the call rejects with one `ValidationError` (paths prefixed
   * `$[i]`) and nothing is queued. Otherwise resolves with the receipts in order, or rejects with the first
   * delivery failure (each failure is also reported through `'failed'`).
   */
  sendAudits(events: readonly AuditInput[]): Promise<AuditReceipt[]> {
    try {
      return this.#sendAll(events);
    } catch (error) {
      return this.#refuse(unreadableInput(error));
    }
  }

  #sendAll(events: readonly AuditInput[]): Promise<AuditReceipt[]> {
    if (this.#state !== 'open') return this.#refuse(new ClientClosedError('the client is closed; it accepts no new events'));
    if (!Array.isArray(events)) return this.#refuse(new ValidationError([{ path: '$', message: 'sendAudits takes an array of events' }]));
    const prepared = [];
    const issues = [];
    for (const [index, event] of events.entries()) {
      try {
        prepared.push(this.#adapter.prepare(event, this.#prepareContext));
      } catch (error) {
        const failure = unreadableInput(error);
        const nested = failure instanceof ValidationError ? failure.issues : [{ path: '$', message: failure.message }];
        issues.push(...nested.map((issue) => ({ path: `$[${index}]${issue.path.replace(/^\$/, '')}`, message: issue.message })));
      }
    }
    if (issues.length > 0) return this.#refuse(new ValidationError(issues));
    const promise = Promise.all(prepared.map((event) => this.#enqueue(event).promise));
    promise.catch(noop);
    return promise;
  }

  /**
   * Resolves when every event accepted before the call has settled (delivered or failed), those still waiting for
   * room in the queue and those recovered from the spool included. Never rejects.
   */
  async flush(): Promise<void> {
    const release = this.#hold.acquire();
    this.#spool?.commitNow();
    try {
      await this.#processor.flush();
      await this.#ledger?.flush();
    } finally {
      release();
    }
  }

  /**
   * Stops intake (later sends reject with `ClientClosedError`), delivers what is queued or waiting for room, and
   * settles every promise. Events still undelivered after `timeoutMs` fail with `TimeoutError`. Idempotent; a
   * `destroy()` meanwhile ends it at once. An invalid `timeoutMs` rejects with `ValidationError` and closes nothing.
   */
  close(options: CloseOptions = {}): Promise<void> {
    const timeoutMs = options?.timeoutMs ?? 30_000;
    const issues = durationIssues('close.timeoutMs', timeoutMs, { unlimited: true });
    if (issues.length > 0) {
      const rejected = Promise.reject(new ValidationError(issues));
      rejected.catch(noop);
      return rejected;
    }
    this.#closing ??= this.#shutdown(timeoutMs);
    return this.#closing;
  }

  /**
   * Stops at once: aborts requests in flight (token exchanges included) and fails every unsettled event with
   * `ClientClosedError`, also when a `close()` is already waiting. Idempotent.
   */
  destroy(): Promise<void> {
    this.#destroyed = true;
    this.#stopNow.resolve();
    this.#closing ??= this.#shutdown(0);
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** A snapshot of the counters. Holds no credentials. */
  stats(): AuditsClientStats {
    return {
      queued: this.#processor.queued,
      queuedBytes: this.#processor.queuedBytes,
      inFlight: this.#processor.inFlight,
      ...this.#counters,
      persisted: this.#spool?.persisted ?? 0,
      spooledBytes: this.#spool?.liveBytes ?? 0,
    };
  }

  #openSpool(): Spool | undefined {
    const settings = this.#options.spool;
    if (settings === undefined) return undefined;
    const binding: SpoolBinding = {
      adapter: this.#adapter.name,
      endpoint: this.#options.endpoint ?? null,
      // Retraced's URL carries the project, so a spool of one project must not replay into another.
      projectId: this.#options.adapter === 'retraced' ? (this.#options.projectId ?? null) : null,
    };
    const spool = new Spool(settings, binding, {
      persisted: (ids) => this.#notify('persisted', ids),
      failed: (error) => {
        const reason = error instanceof Error ? error.message : String(error);
        this.#report(new DeliveryError(`spool: writing the journal failed (${reason}); events are still delivered but no longer journaled`, { cause: error }), true);
      },
    });
    if (spool.damage.corrupt > 0 || spool.unbound > 0) this.#log('warn', `auditwire: spool: ${describeDamage(spool, settings.dir)}`);
    if (spool.damage.torn > 0) this.#log('debug', `auditwire: spool: dropped ${spool.damage.torn} line(s) cut short by the previous process's end`);
    return spool;
  }

  /** Queues the events a previous client left unacknowledged, ahead of any new one. */
  #replay(spool: Spool): void {
    const ids: string[] = [];
    for (const entry of spool.recovered) {
      const pending = new PendingEvent(entry.event, false);
      if (!this.#processor.couldEverFit(pending.bytes)) {
        this.#log('warn', `auditwire: spool: event ${entry.event.id} is larger than maxQueueBytes; it stays in the spool`);
        continue;
      }
      this.#journaled.set(pending, entry);
      this.#counters.recovered++;
      ids.push(entry.event.id);
      this.#admit(pending);
    }
    // Listeners are attached after the constructor returns; requests take longer than a tick, so this comes first.
    if (ids.length > 0) process.nextTick(() => this.#notify('recovered', ids));
  }

  /**
   * Queues an accepted event, or lets it wait for room. From here until it settles it counts as accepted, holds the
   * process open, and is covered by flush() and close(); a wait cut short by close or destroy settles it as failed.
   */
  #admit(pending: PendingEvent): void {
    this.#counters.accepted++;
    this.#hold.enter();
    if (this.#processor.offer(pending)) return;
    this.#processor.offerWhenRoom(pending, this.#abort.signal).catch(() => {
      this.#settle(pending, { ok: false, error: this.#cutOff('while the event waited for room in the queue') });
    });
  }

  /** The error of an event that close({ timeoutMs }) or destroy() stopped before it was delivered. */
  #cutOff(when: string): AuditsError {
    const reason = this.#abort.signal.reason;
    if (reason instanceof TimeoutError) return new TimeoutError(`${reason.message} ${when}`);
    return new ClientClosedError(`${reason instanceof Error ? reason.message : 'the client was closed'} ${when}`);
  }

  #accept(input: unknown): AcceptedEvent | AuditsError {
    if (this.#state !== 'open') return new ClientClosedError('the client is closed; it accepts no new events');
    // A queue full by count refuses the event whatever it is: said before paying for its validation and hash.
    if (this.#options.whenQueueFull !== 'wait' && this.#processor.isFull) return this.#queueFull();
    let prepared;
    try {
      prepared = this.#adapter.prepare(input, this.#prepareContext);
    } catch (error) {
      return unreadableInput(error);
    }
    return this.#enqueue(prepared);
  }

  /** `waitForRoom`: queue it once there is room instead of refusing it (`whenQueueFull: 'wait'`, and relays). */
  #enqueue(prepared: PendingEvent['prepared'], waitForRoom = this.#options.whenQueueFull === 'wait'): AcceptedEvent {
    const pending = new PendingEvent(prepared, true, this.#processor.queued, this.#ledger !== undefined) as AcceptedEvent;
    const spool = this.#spool;
    if (!this.#processor.couldEverFit(prepared.bytes)) {
      this.#fail(pending, new ValidationError([{ path: '$', message: `the event is ${prepared.bytes} bytes, more than maxQueueBytes` }]));
      return pending;
    }
    if (spool !== undefined && prepared.bytes > (this.#options.spool?.maxBytes ?? Number.POSITIVE_INFINITY)) {
      this.#fail(pending, new ValidationError([{ path: '$', message: `the event is ${prepared.bytes} bytes, more than spool.maxBytes` }]));
      return pending;
    }
    if (spool !== undefined && !spool.hasRoomFor(prepared.bytes)) {
      this.#fail(pending, new QueueFullError(`the spool holds ${spool.liveBytes} bytes of unacknowledged events (spool.maxBytes); the event was not accepted`));
      return pending;
    }
    // Journaled before it is queued: offer() may start a batch at once, and a batch waits for its entries.
    const entry = spool?.append(prepared);
    if (entry !== undefined) this.#journaled.set(pending, entry);
    if (waitForRoom) {
      // Queued now, or waiting for room; a journaled event that never gets room stays in the spool.
      this.#admit(pending);
      return pending;
    }
    this.#hold.enter();
    if (this.#processor.offer(pending)) {
      this.#counters.accepted++;
      return pending;
    }
    this.#hold.leave();
    if (entry !== undefined) spool?.cancel(entry);
    this.#fail(pending, this.#queueFull());
    return pending;
  }

  #queueFull(): QueueFullError {
    return new QueueFullError(`the queue is full (${this.#processor.queued} events, ${this.#processor.queuedBytes} bytes); the event was not accepted`);
  }

  /** Rejects an event that never entered the queue. */
  #fail(pending: PendingEvent, error: AuditsError): void {
    this.#counters.rejected++;
    this.#report(error);
    pending.reject(error);
  }

  #refuse<T>(error: AuditsError): Promise<T> {
    this.#counters.rejected++;
    this.#report(error);
    const promise = Promise.reject(error);
    promise.catch(noop);
    return promise;
  }

  #settle(event: PendingEvent, outcome: Outcome): void {
    if (event.settled) return;
    const entry = this.#journaled.get(event);
    // With a spool, the event settles (receipt, 'delivered', flush) once its acknowledgement is durable, so that
    // what the app was told and what a restart after a crash resends agree. The second call finds it acked.
    const acked = entry !== undefined && isDoneForSpool(outcome, this.#abort.signal.aborted) ? this.#spool?.ack(entry) : undefined;
    if (acked !== undefined) {
      acked.then(() => this.#settle(event, outcome)).catch((error: unknown) => this.#log('error', `auditwire: settling an event failed: ${String(error)}`));
      return;
    }
    this.#processor.markSettled(event);
    this.#hold.leave();
    // The promise settles first: nothing a listener does can change the outcome.
    if (outcome.ok) {
      this.#counters.delivered++;
      this.#ledger?.record(outcome.receipt, event.prepared);
      event.resolve(outcome.receipt);
      this.#notify('delivered', outcome.receipt);
      return;
    }
    this.#counters.failed++;
    event.reject(outcome.error);
    if (outcome.error instanceof HashMismatchError) {
      this.#counters.mismatched++;
      this.#notify('hashMismatch', outcome.error);
    }
    this.#notify('failed', outcome.error, event.prepared.id);
    this.#report(outcome.error, true);
  }

  /**
   * Tells the logger, `onError` and the 'error' listeners about a failure. A `background` failure (of an accepted
   * event, or of the spool) that none of them hears becomes a rate-limited process warning: it must not pass
   * without a word.
   */
  #report(error: AuditsError, background = false): void {
    this.#log('warn', `auditwire: ${error.name}: ${error.message}`);
    const onError = this.#onError;
    if (onError !== undefined) callUser(() => onError(error), (thrown) => this.#userCodeThrew('onError', thrown));
    const heard = onError !== undefined || this.#hasLogger || this.listenerCount('error') > 0;
    this.#notify('error', error);
    if (background && !heard) {
      unheardFailure.emit(`auditwire: ${error.name}: ${error.message} (no 'error' listener, onError or logger heard it)`);
    }
  }

  /** Calls every listener of `name` in isolation (see callUser); unlike emit(), never throws, even for 'error'. */
  #notify<K extends keyof AuditsClientEventMap>(name: K, ...args: AuditsClientEventMap[K]): void {
    emitIsolated(this, name, args, (event, thrown) => this.#userCodeThrew(`a '${event}' listener`, thrown));
  }

  #log(level: LogLevel, unmasked: string): void {
    // Without a logger there is nothing to mask or to call (a refused event under overload comes through here).
    if (!this.#hasLogger) return;
    const logger = this.#logger;
    // Every line, whatever built it (a relay passes on driver errors, a spool file names): no credential reaches a log.
    const message = this.#redact(unmasked);
    callUser(
      () => logger[level](message),
      (thrown) => userCodeFailure.emit(`auditwire: the logger's ${level}() threw (${describeThrown(thrown)}) on: ${message}`),
    );
  }

  /** User code failed: said through the logger when there is one, else as a process warning. */
  #userCodeThrew(what: string, thrown: unknown): void {
    const message = `auditwire: ${what} threw (${describeThrown(thrown)}); the event's outcome is unchanged`;
    if (this.#hasLogger) this.#log('error', message);
    else userCodeFailure.emit(message);
  }

  async #shutdown(timeoutMs: number): Promise<void> {
    this.#state = 'closing';
    this.#unregisterExitFlush();
    const release = this.#hold.acquire();
    this.#spool?.commitNow();
    const startedAt = Date.now();
    const left = (): number => Math.max(0, timeoutMs - (Date.now() - startedAt));
    try {
      const initializing = [...this.#initializing].map((promise) => promise.then(noop, noop));
      const drained = timeoutMs > 0 && (await this.#settlesInTime(Promise.all([this.#processor.flush(), ...initializing]), timeoutMs));
      // Requests of no event (a token renewal) get what is left of the time, then are cut off like the rest.
      const closed = drained && (await this.#settlesInTime(this.#transport.close(), left()));
      if (!closed) {
        // Requests in flight, waits for room and token exchanges fail with the same error as the queued events.
        this.#abort.abort(this.#destroyed ? new ClientClosedError('the client was destroyed') : new TimeoutError(`close() timed out after ${timeoutMs} ms`));
        for (const event of this.#processor.drainQueued()) this.#settle(event, { ok: false, error: this.#cutOff('before the event was sent') });
        // In-flight deliveries see the abort and settle their events; waits for room settle theirs.
        await this.#processor.flush();
        await this.#transport.destroy();
      }
    } catch (error) {
      this.#report(asAuditsError(error), true);
    } finally {
      this.#adapter.close?.();
      // After every event settled, so their acknowledgements are in the last commit.
      await this.#spool?.close().catch((error: unknown) => this.#report(asAuditsError(error), true));
      await this.#ledger?.close();
      this.#state = 'closed';
      release();
    }
  }

  /** Whether `promise` settles within `ms` (Infinity: no limit) and before a destroy() (the caller holds the process). */
  async #settlesInTime(promise: Promise<unknown>, ms: number): Promise<boolean> {
    let cancel = noop;
    const late = new Promise<false>((resolve) => {
      cancel = unrefTimer(ms, () => resolve(false));
    });
    try {
      return await Promise.race([promise.then(() => true as const), late, this.#stopNow.promise.then(() => false as const)]);
    } finally {
      cancel();
    }
  }
}

function credentialIssues(name: string, value: unknown): ValidationIssue[] {
  if (typeof value !== 'string' || value.trim() === '') return [{ path: `init.${name}`, message: 'must be a non-empty string' }];
  return [];
}

/**
 * What `prepare` threw, as the caller's problem: an input whose getter, `toJSON` or Proxy trap throws is bad input
 * (a ValidationError, nothing sent), not a delivery failure.
 */
function unreadableInput(error: unknown): AuditsError {
  if (error instanceof AuditsError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new ValidationError([{ path: '$', message: `the event could not be read: ${reason}` }], { cause: error });
}

function asAuditsError(error: unknown): AuditsError {
  return error instanceof AuditsError ? error : new DeliveryError(error instanceof Error ? error.message : String(error), { cause: error });
}
