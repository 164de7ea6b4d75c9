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
import type { PendingEvent } from '../delivery/pending-event.js';
import type { AuditReceipt } from '../delivery/receipt.js';
import { AuditsError, ClientClosedError, DeliveryError, HashMismatchError, QueueFullError, TimeoutError, ValidationError, type ValidationIssue } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { ClientOptions, ResolvedOptions } from '../options.js';
import { BatchProcessor } from '../processor/batch-processor.js';
import { isDoneForSpool } from '../spool/ack-policy.js';
import type { SpoolBinding } from '../spool/journal-record.js';
import { Spool, type SpoolEntry } from '../spool/spool.js';
import { HttpTransport } from '../transport/http-transport.js';
import type { AuditsClientEventMap, AuditsClientStats } from './client-events.js';
import { FLUSH_BEFORE_EXIT, flushBeforeExit } from './exit-flush.js';
import { ProcessHold } from './process-hold.js';
import { resolveOptions } from './resolve-options.js';
import type { AuditInput, ExactAuditInput } from './audit-input.js';

const noop = (): void => {};

type AcceptedEvent = PendingEvent & { readonly promise: Promise<AuditReceipt> };

export interface CloseOptions {
  /** How long queued and in-flight events may take to deliver before they fail with `TimeoutError`. @default 30_000 */
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
  readonly #onError: ((error: AuditsError) => void) | undefined;
  readonly #prepareContext: PrepareContext;
  #state: 'open' | 'closing' | 'closed' = 'open';
  #closing: Promise<void> | undefined;
  readonly #counters = { accepted: 0, delivered: 0, failed: 0, retried: 0, mismatched: 0, rejected: 0, recovered: 0, unmapped: 0 };
  readonly #unregisterExitFlush: () => void;
  readonly #spool: Spool | undefined;
  /** The spool whose recovered events wait for the first successful init(). */
  #replayAfterInit: Spool | undefined;
  /** Each accepted event's journal entry, when there is a spool. */
  readonly #journaled = new WeakMap<PendingEvent, SpoolEntry>();

  constructor(options: ClientOptions = {}) {
    super();
    this.#options = resolveOptions(options);
    this.#logger = options.logger ?? silentLogger;
    this.#onError = options.onError;
    this.#adapter = createAdapter(this.#options);
    this.#transport = new HttpTransport(this.#options);
    this.#spool = this.#openSpool();
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
      {
        settle: (event, outcome) => this.#settle(event, outcome),
        retrying: (info) => {
          this.#counters.retried += info.eventIds.length;
          this.#logger.warn(`auditwire: ${info.error.message}; retry ${info.attempt} of ${info.eventIds.length} event(s) in ${info.delayMs} ms`);
          this.emit('retry', info);
        },
      },
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
      .catch((error: unknown) => fail(asAuditsError(error)))
      .finally(release);
    promise.catch(noop);
    return promise;
  }

  /**
   * Validates `event` now (a bad event rejects at once with `ValidationError` and nothing is queued), then
   * queues it. Resolves when the server has acknowledged it and its hash was checked. A member no accepted shape
   * declares (`foo`, `actor.emial`) fails to compile ({@link ExactAuditInput}).
   */
  sendAudit<E extends AuditInput>(event: E & ExactAuditInput<E>): Promise<AuditReceipt> {
    const pending = this.#accept(event);
    if (pending instanceof AuditsError) return this.#refuse(pending);
    return pending.promise;
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
    if (this.#state !== 'open') return this.#refuse(new ClientClosedError('the client is closed; it accepts no new events'));
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

  /** Resolves when every event accepted before the call has settled (delivered or failed). Never rejects. */
  async flush(): Promise<void> {
    const release = this.#hold.acquire();
    this.#spool?.commitNow();
    try {
      await this.#processor.flush();
    } finally {
      release();
    }
  }

  /**
   * Stops intake (later sends reject with `ClientClosedError`), delivers what is queued, and settles every
   * promise. Events still undelivered after `timeoutMs` fail with `TimeoutError`. Idempotent.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.#closing ??= this.#shutdown(options.timeoutMs ?? 30_000);
    return this.#closing;
  }

  /** Stops at once: aborts requests in flight and fails every unsettled event with `ClientClosedError`. Idempotent. */
  destroy(): Promise<void> {
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
      persisted: (ids) => this.#emitSafely('persisted', ids),
      failed: (error) => {
        const reason = error instanceof Error ? error.message : String(error);
        this.#report(new DeliveryError(`spool: writing the journal failed (${reason}); events are still delivered but no longer journaled`, { cause: error }));
      },
    });
    if (spool.damage.corrupt > 0) this.#logger.warn(`auditwire: spool: ${spool.damage.corrupt} damaged journal line(s) skipped in ${settings.dir}`);
    if (spool.damage.torn > 0) this.#logger.debug(`auditwire: spool: dropped ${spool.damage.torn} line(s) cut short by the previous process's end`);
    return spool;
  }

  /** Queues the events a previous client left unacknowledged, ahead of any new one. */
  #replay(spool: Spool): void {
    const ids: string[] = [];
    for (const entry of spool.recovered) {
      const pending: PendingEvent = { prepared: entry.event, bytes: entry.event.bytes, attempts: 0, seq: 0, settled: false, resolve: noop, reject: noop };
      if (!this.#processor.couldEverFit(pending.bytes)) {
        this.#logger.warn(`auditwire: spool: event ${entry.event.id} is larger than maxQueueBytes; it stays in the spool`);
        continue;
      }
      this.#journaled.set(pending, entry);
      this.#counters.recovered++;
      ids.push(entry.event.id);
      if (this.#processor.offer(pending)) this.#counters.accepted++;
      else this.#processor.offerWhenRoom(pending, this.#abort.signal).then(() => void this.#counters.accepted++, noop);
    }
    // Listeners are attached after the constructor returns; requests take longer than a tick, so this comes first.
    if (ids.length > 0) process.nextTick(() => this.#emitSafely('recovered', ids));
  }

  #emitSafely(name: 'persisted' | 'recovered', ids: readonly string[]): void {
    try {
      if (name === 'persisted') this.emit('persisted', ids);
      else this.emit('recovered', ids);
    } catch (error) {
      this.#logger.error(`auditwire: a '${name}' listener threw: ${String(error)}`);
    }
  }

  #accept(input: unknown): AcceptedEvent | AuditsError {
    if (this.#state !== 'open') return new ClientClosedError('the client is closed; it accepts no new events');
    let prepared;
    try {
      prepared = this.#adapter.prepare(input, this.#prepareContext);
    } catch (error) {
      return unreadableInput(error);
    }
    return this.#enqueue(prepared);
  }

  #enqueue(prepared: PendingEvent['prepared']): AcceptedEvent {
    const { promise, resolve, reject } = Promise.withResolvers<AuditReceipt>();
    // Marks the promise handled: a caller who never awaits it gets no unhandled rejection (failures still reach
    // 'error' and onError). A caller who awaits it still sees the rejection.
    promise.catch(noop);
    const pending = { prepared, bytes: prepared.bytes, attempts: 0, seq: 0, settled: false, resolve, reject, promise };
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
    if (this.#processor.offer(pending)) {
      this.#counters.accepted++;
    } else if (this.#options.whenQueueFull === 'reject') {
      if (entry !== undefined) spool?.cancel(entry);
      this.#fail(pending, new QueueFullError(`the queue is full (${this.#processor.queued} events, ${this.#processor.queuedBytes} bytes); the event was not accepted`));
    } else {
      // A journaled event that never gets room stays in the spool (it may already be reported 'persisted').
      this.#processor.offerWhenRoom(pending, this.#abort.signal).then(
        () => void this.#counters.accepted++,
        () => this.#fail(pending, new ClientClosedError('the client was closed while the event waited for room in the queue')),
      );
    }
    return pending;
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
    this.#processor.markSettled(event);
    const entry = this.#journaled.get(event);
    if (entry !== undefined && isDoneForSpool(outcome, this.#abort.signal.aborted)) this.#spool?.ack(entry);
    if (outcome.ok) {
      this.#counters.delivered++;
      event.resolve(outcome.receipt);
      this.emit('delivered', outcome.receipt);
      return;
    }
    this.#counters.failed++;
    if (outcome.error instanceof HashMismatchError) {
      this.#counters.mismatched++;
      this.emit('hashMismatch', outcome.error);
    }
    this.emit('failed', outcome.error, event.prepared.id);
    this.#report(outcome.error);
    event.reject(outcome.error);
  }

  #report(error: AuditsError): void {
    this.#logger.warn(`auditwire: ${error.name}: ${error.message}`);
    try {
      this.#onError?.(error);
    } catch (callbackError) {
      this.#logger.error(`auditwire: onError threw: ${String(callbackError)}`);
    }
    // EventEmitter throws on an 'error' nobody listens to; background failures must never throw.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  async #shutdown(timeoutMs: number): Promise<void> {
    this.#state = 'closing';
    this.#unregisterExitFlush();
    const release = this.#hold.acquire();
    this.#spool?.commitNow();
    try {
      const drained = timeoutMs > 0 && (await settlesWithin(this.#processor.flush(), timeoutMs));
      if (!drained) {
        const reason = timeoutMs > 0 ? `close() timed out after ${timeoutMs} ms` : 'the client was destroyed';
        // Requests still in flight fail with the same error as the queued events.
        this.#abort.abort(timeoutMs > 0 ? new TimeoutError(reason) : new ClientClosedError(reason));
        for (const event of this.#processor.drainQueued()) {
          const error = timeoutMs > 0 ? new TimeoutError(`${reason} before the event was sent`) : new ClientClosedError(`${reason} before the event was sent`);
          this.#settle(event, { ok: false, error });
        }
        // In-flight deliveries see the abort and settle their events.
        await this.#processor.flush();
      }
      await (drained ? this.#transport.close() : this.#transport.destroy());
    } catch (error) {
      this.#report(asAuditsError(error));
    } finally {
      this.#adapter.close?.();
      // After every event settled, so their acknowledgements are in the last commit.
      await this.#spool?.close().catch((error: unknown) => this.#report(asAuditsError(error)));
      this.#state = 'closed';
      release();
    }
  }
}

/** Whether `promise` settles within `ms` (the timer does not hold the process: the caller holds it). */
async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
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
