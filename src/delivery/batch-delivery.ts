import pRetry from 'p-retry';
import type { Adapter, BatchResult, EventResult, HttpRequest } from '../adapters/adapter.js';
import { AuditsError, DeliveryError, HashMismatchError, TimeoutError } from '../errors.js';
import type { DeliveryGuarantee, RetryOptions, VerifyPolicy } from '../options.js';
import type { HttpTransport } from '../transport/http-transport.js';
import { fullJitterDelay } from '../transport/retry-policy.js';
import { errorFromFailure, isAmbiguous } from './classify-failure.js';
import type { PendingEvent } from './pending-event.js';
import type { AuditReceipt } from './receipt.js';
import { sleep } from './sleep.js';

const NOTHING_TO_RESEND: ReadonlySet<number> = new Set();

export type Outcome = { readonly ok: true; readonly receipt: AuditReceipt } | { readonly ok: false; readonly error: AuditsError };

export interface RetryInfo {
  /** The attempt that failed (1 = the first request). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: AuditsError;
  readonly eventIds: readonly string[];
}

export interface DeliveryHooks {
  readonly settle: (event: PendingEvent, outcome: Outcome) => void;
  readonly retrying: (info: RetryInfo) => void;
}

export interface DeliverySettings {
  readonly retry: Required<RetryOptions>;
  readonly verify: VerifyPolicy;
  readonly delivery: DeliveryGuarantee;
}

/**
 * Delivers one batch: encode, send, decode, retry what may succeed later, resend what the server did not take
 * because of other events, verify hashes, and settle every event exactly once. It never rejects.
 *
 * Retries go through p-retry, which counts attempts, applies the deadline and stops on non-retryable errors; the
 * wait itself is ours (full jitter, or the server's Retry-After), because p-retry has no Retry-After support.
 */
export class BatchDelivery {
  /** How an adapter makes a request of its own (Frontegg's token exchange): through the same transport. */
  readonly #exchange = (request: HttpRequest, signal: AbortSignal) => this.transport.send(request, signal);

  constructor(
    private readonly adapter: Adapter,
    private readonly transport: HttpTransport,
    private readonly settings: DeliverySettings,
    private readonly hooks: DeliveryHooks,
    private readonly signal: AbortSignal,
  ) {}

  async deliver(batch: readonly PendingEvent[]): Promise<void> {
    let pending = [...batch];
    const startedAt = Date.now();
    // Each round settles at least one event or ends the loop, so it runs at most batch.length + 1 times.
    for (let round = 0; pending.length > 0 && round <= batch.length; round++) {
      try {
        const results = await this.#sendWithRetries(pending, startedAt);
        pending = this.#applyResults(pending, results.outcomes, results.resend.length === 0 ? NOTHING_TO_RESEND : new Set(results.resend));
      } catch (error) {
        const failure = error instanceof AuditsError ? error : new DeliveryError('unexpected delivery failure', { cause: error });
        for (const event of pending) this.hooks.settle(event, { ok: false, error: failure });
        pending = [];
      }
    }
    for (const event of pending) {
      this.hooks.settle(event, { ok: false, error: new DeliveryError('the server kept asking to resend these events') });
    }
  }

  async #sendWithRetries(pending: PendingEvent[], startedAt: number) {
    const { retry, delivery } = this.settings;
    let rejected: HttpRequest | undefined;
    let renewed = false;
    const shouldRetry = (error: unknown): boolean =>
      error instanceof AuditsError && error.retryable && !(delivery === 'at-most-once' && isAmbiguous(error));

    const attempt = async (): Promise<Extract<BatchResult, { kind: 'per-event' }>> => {
      for (const event of pending) event.attempts++;
      const prepared = pending.map((event) => event.prepared);
      const request = await this.adapter.encode(prepared, { signal: this.signal, rejected, exchange: this.#exchange });
      rejected = undefined;
      const response = await this.transport.send(request, this.signal);
      const result = this.adapter.decode(response, prepared);
      if (result.kind === 'per-event') return result;
      const error = errorFromFailure(result.error, this.adapter.name);
      // One fresh token is worth a retry: a token can be revoked or expire between the check and the send.
      if (result.error.status === 401 && !renewed && this.adapter.renewsCredentials === true) {
        renewed = true;
        rejected = request;
        throw new DeliveryError(error.message, { status: 401, retryable: true, retryAfterMs: 0 });
      }
      throw error;
    };

    // The first attempt runs outside p-retry, whose per-call setup (options, validation, frozen contexts) every batch
    // would otherwise pay although most succeed at once; the signal is checked before and after as p-retry does. A
    // failed first attempt enters p-retry as its attempt 1 (the error replayed, nothing sent again), so the retries,
    // callbacks and deadline are exactly p-retry's.
    this.signal.throwIfAborted();
    let firstError: unknown;
    try {
      const result = await attempt();
      this.signal.throwIfAborted();
      return result;
    } catch (error) {
      // As in p-retry, a cancellation outranks the attempt's own failure.
      this.signal.throwIfAborted();
      firstError = error;
    }
    return pRetry(
      (attemptNumber) => {
        if (attemptNumber === 1) throw firstError;
        return attempt();
      },
      {
        retries: retry.maxRetries,
        // No p-retry delay: onFailedAttempt waits (full jitter or Retry-After), bounded by the deadline.
        minTimeout: 0,
        maxTimeout: 0,
        factor: 1,
        signal: this.signal,
        shouldRetry: ({ error }) => shouldRetry(error),
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (!shouldRetry(error) || retriesLeft === 0) return;
          const failure = error as AuditsError;
          const requested = failure instanceof DeliveryError ? failure.retryAfterMs : undefined;
          const delayMs =
            requested !== undefined
              ? Math.min(requested, retry.maxRetryAfterMs)
              : fullJitterDelay(attemptNumber - 1, retry.initialDelayMs, retry.maxDelayMs);
          if (Date.now() + delayMs - startedAt > retry.deadlineMs) {
            // Waiting would pass the deadline: give up now rather than sleep for nothing.
            throw new TimeoutError(`delivery deadline of ${retry.deadlineMs} ms reached: ${failure.message}`, { cause: failure });
          }
          this.hooks.retrying({ attempt: attemptNumber, delayMs, error: failure, eventIds: pending.map((e) => e.prepared.id) });
          await sleep(delayMs, this.signal);
        },
      },
    );
  }

  /** Settles the events the response spoke for; returns those to send again. */
  #applyResults(pending: PendingEvent[], outcomes: ReadonlyMap<number, EventResult>, resend: ReadonlySet<number>): PendingEvent[] {
    const again: PendingEvent[] = [];
    for (let index = 0; index < pending.length; index++) {
      const event = pending[index] as PendingEvent;
      const result = outcomes.get(index);
      if (result === undefined) {
        if (resend.has(index)) again.push(event);
        else this.hooks.settle(event, { ok: false, error: new DeliveryError(`the server's reply did not mention event ${event.prepared.id}`) });
      } else if (!result.ok) {
        this.hooks.settle(event, { ok: false, error: result.error });
      } else {
        this.hooks.settle(event, this.#verify(event, result));
      }
    }
    return again;
  }

  #verify(event: PendingEvent, result: Extract<EventResult, { ok: true }>): Outcome {
    const local = result.localHash ?? event.prepared.hash;
    const remote = result.serverHash?.toLowerCase();
    const receipt: AuditReceipt = {
      id: event.prepared.id,
      hash: local,
      serverHash: result.serverHash,
      serverId: result.serverId,
      verified: this.settings.verify !== 'off' && remote === local,
      attempts: event.attempts,
      adapter: this.adapter.name,
    };
    if (this.settings.verify === 'off') return { ok: true, receipt };
    if (remote === undefined) {
      return this.settings.verify === 'require'
        ? { ok: false, error: new HashMismatchError(event.prepared.id, local, undefined) }
        : { ok: true, receipt };
    }
    return remote === local ? { ok: true, receipt } : { ok: false, error: new HashMismatchError(event.prepared.id, local, remote) };
  }
}
