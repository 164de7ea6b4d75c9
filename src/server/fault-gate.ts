import { checkDuration } from '../internal/duration.js';
import { drawRequestFault, seededRandom, type FaultOptions } from './faults.js';
import type { RouteContext } from './route.js';
import type { ReferenceServerStats, StoredEvent } from './types.js';

const DEFAULT_SLOW_MS = 1_000;

/** Answers an injected error status in the route's own vendor shape. */
export type FaultReply = (status: number, headers: Record<string, string>) => void;

/**
 * Applies `FaultOptions` to event-accepting routes. The draws happen in a fixed order per request (one for the
 * request, then one per event for the hash), all synchronously, so a seed reproduces the same faults.
 */
export class FaultGate {
  #faults: FaultOptions;
  readonly #random: () => number;
  readonly #stats: ReferenceServerStats;

  constructor(faults: FaultOptions, seed: number, stats: ReferenceServerStats) {
    this.#faults = checkedFaults(faults);
    this.#random = seededRandom(seed);
    this.#stats = stats;
  }

  set(faults: FaultOptions): void {
    this.#faults = checkedFaults(faults);
  }

  get tamper(): FaultOptions['tamper'] {
    return this.#faults.tamper;
  }

  /** Every answer of an event route comes `delayMs` late (to exercise client timeouts). */
  async delay(): Promise<void> {
    const ms = this.#faults.delayMs ?? 0;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  /**
   * Draws the request's fault once it is valid, before anything is stored. An error status is answered and a
   * drop-before-store is done here (returns `undefined`: the request is finished); otherwise says whether the
   * connection must be dropped after storing and how long the answer is held back (`slowMs`, 0 for none).
   */
  enter(context: RouteContext, reply: FaultReply): { readonly dropAfterStore: boolean; readonly slowMs: number } | undefined {
    const fault = drawRequestFault(this.#faults, this.#random);
    if (fault.kind === 'status') {
      this.#stats.faulted++;
      reply(fault.status, fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) });
      return undefined;
    }
    if (fault.kind === 'drop-before-store') {
      this.#drop(context);
      return undefined;
    }
    const slowProbability = this.#faults.slowProbability ?? 0;
    // Drawn only when configured, so the sequences of existing seeds do not move.
    const slow = slowProbability > 0 && this.#random() < slowProbability;
    if (slow) this.#stats.slowed++;
    return { dropAfterStore: fault.kind === 'drop-after-store', slowMs: slow ? (this.#faults.slowMs ?? DEFAULT_SLOW_MS) : 0 };
  }

  /** Holds a slow answer back; the timer never keeps a process alive on its own. */
  async hold(ms: number): Promise<void> {
    if (ms <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, ms).unref());
  }

  /** The client cannot know the events were stored: the vendors' no-deduplication case (wire README sections 1, 2). */
  dropAfterStore(context: RouteContext): void {
    this.#drop(context);
  }

  /**
   * The hashes to answer with, each replaced by a wrong one with `wrongHashProbability`. The wrong ones count in
   * `stats.wrongHashes` only once the answer has been written, i.e. reached the client.
   */
  answerHashes(context: RouteContext, events: readonly StoredEvent[]): string[] {
    const wrong = new Set<string>();
    const hashes = events.map((event) => {
      if (this.#random() >= (this.#faults.wrongHashProbability ?? 0)) return event.hash;
      wrong.add(event.eventId);
      return `${event.hash[0] === '0' ? '1' : '0'}${event.hash.slice(1)}`;
    });
    context.response.once('finish', () => wrong.forEach((id) => this.#stats.wrongHashes.add(id)));
    return hashes;
  }

  #drop(context: RouteContext): void {
    this.#stats.faulted++;
    context.request.socket.destroy();
  }
}

/** Refuses a delay setTimeout would clamp to 1 ms (a negative, NaN, 2^31 or more): the fault would silently vanish. */
function checkedFaults(faults: FaultOptions): FaultOptions {
  if (faults.delayMs !== undefined) checkDuration('faults.delayMs', faults.delayMs);
  if (faults.slowMs !== undefined) checkDuration('faults.slowMs', faults.slowMs);
  return faults;
}
