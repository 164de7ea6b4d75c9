import type { PreparedEvent } from '../adapters/adapter.js';
import type { AuditsError } from '../errors.js';
import type { QueuedItem } from '../processor/batch-processor.js';
import type { AuditReceipt } from './receipt.js';

const noop = (): void => {};

/**
 * Queued events beyond this many keep no `hashTail` (the adapter's precomputed reply-path input, ~200 bytes for a
 * typical Retraced event): during an outage the queue may hold 100,000 events, and the tails would then be most
 * of what an event holds beyond its wire text. Those few events recompute it from `wire` when their reply comes
 * (a JSON parse more); the tails held stay under ~2 MB whatever the queue's depth. The default `maxQueueSize`.
 */
export const HASH_TAIL_QUEUE_LIMIT = 10_000;

/**
 * One accepted event on its way: the prepared event's members, its place in the queue, its attempt count and
 * its caller's promise. One object per queued event, and nothing else of its own: the prepared event's members are
 * copied in (the adapter's object is dropped), and no closure, derived promise or reaction is made for it; what an
 * event holds beyond its wire text is what issue 15 counts (heap per queued event, bench/intake.bench.mjs).
 */
export class PendingEvent implements QueuedItem, PreparedEvent {
  readonly id: string;
  readonly wire: string;
  readonly hash: string;
  readonly bytes: number;
  readonly time: string | undefined;
  readonly hashTail: string | undefined;
  /** Set by the processor: the order of arrival, for `flush()`; 0 until the event is queued. */
  seq = 0;
  settled = false;
  attempts = 0;
  /** The caller's promise; undefined for an event recovered from the spool, which nobody awaits. */
  readonly promise: Promise<AuditReceipt> | undefined;
  readonly #resolve: (receipt: AuditReceipt) => void;
  readonly #reject: (error: AuditsError) => void;

  /**
   * `queuedBefore`: how many events the queue held when this one arrived (HASH_TAIL_QUEUE_LIMIT). `keepTime`: whether
   * anything will read the event's time (only the ledger does; without one it is ~40 bytes per queued event for
   * nothing, and a ledger finds it in `wire` anyway when it is absent).
   */
  constructor(prepared: PreparedEvent, awaited: boolean, queuedBefore = 0, keepTime = true) {
    this.id = prepared.id;
    this.wire = prepared.wire;
    this.hash = prepared.hash;
    this.bytes = prepared.bytes;
    this.time = keepTime ? prepared.time : undefined;
    this.hashTail = queuedBefore < HASH_TAIL_QUEUE_LIMIT ? prepared.hashTail : undefined;
    if (awaited) {
      const { promise, resolve, reject } = Promise.withResolvers<AuditReceipt>();
      this.promise = promise;
      this.#resolve = resolve;
      this.#reject = reject;
    } else {
      this.promise = undefined;
      this.#resolve = noop;
      this.#reject = noop;
    }
  }

  /** The prepared event (this object: it carries the same members), as delivery hands it to the adapter. */
  get prepared(): PreparedEvent {
    return this;
  }

  resolve(receipt: AuditReceipt): void {
    this.#resolve(receipt);
  }

  /**
   * Rejects the caller's promise, and marks it handled in the same turn: a caller who never awaits it gets no
   * unhandled rejection (failures still reach 'error' and onError), one who awaits it still sees the rejection.
   * Marked here rather than when the promise is made, so a queued event holds no derived promise and reaction.
   */
  reject(error: AuditsError): void {
    this.#reject(error);
    this.promise?.catch(noop);
  }
}
