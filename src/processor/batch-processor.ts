import { BoundedQueue, type Sized } from './bounded-queue.js';

/** What the processor hands to its exporter; `settle` must be called exactly once per item, eventually. */
export interface QueuedItem extends Sized {
  /** Set by the processor: the order of arrival, for `flush()`. */
  seq: number;
  settled: boolean;
}

export interface BatchProcessorOptions<T extends QueuedItem> {
  readonly maxQueueSize: number;
  readonly maxQueueBytes: number;
  readonly maxBatchSize: number;
  readonly maxBatchBytes: number;
  readonly flushIntervalMs: number;
  readonly maxConcurrentExports: number;
  /** Delivers one batch; must settle every item (via `markSettled`) before or when it resolves. Never rejects. */
  readonly exportBatch: (batch: T[]) => Promise<void>;
}

/**
 * Owns the queue, the batching timer and the in-flight bound, and knows only an export function (the role of
 * OpenTelemetry's BatchSpanProcessor). A batch leaves when it is full (count or bytes), `flushIntervalMs` after
 * its first event, or at once while a `flush()` is waiting. Its timer never keeps the process alive.
 */
export class BatchProcessor<T extends QueuedItem> {
  readonly #queue: BoundedQueue<T>;
  readonly #options: BatchProcessorOptions<T>;
  #timer: NodeJS.Timeout | undefined;
  #timerFired = false;
  #inFlight = 0;
  #inFlightItems = 0;
  #nextSeq = 1;
  /** A pump is queued as a microtask (see #queued). */
  #pumpScheduled = false;
  #unsettled = 0;
  readonly #flushWaiters: Array<{ target: number; remaining: number; resolve: () => void }> = [];

  constructor(options: BatchProcessorOptions<T>) {
    this.#options = options;
    this.#queue = new BoundedQueue<T>(options.maxQueueSize, options.maxQueueBytes);
  }

  get queued(): number {
    return this.#queue.size;
  }

  get queuedBytes(): number {
    return this.#queue.bytes;
  }

  /** Whether `offer` would refuse any item now, whatever its size (the queue holds as many items as it may). */
  get isFull(): boolean {
    return this.#queue.isFull;
  }

  /** Events handed to the exporter and not yet settled. */
  get inFlight(): number {
    return this.#inFlightItems;
  }

  /** Adds `item` if it fits now; false when the queue is full. */
  offer(item: T): boolean {
    if (!this.#queue.offer(item)) return false;
    this.#admit(item);
    this.#queued();
    return true;
  }

  /**
   * Waits for room, then adds `item`. Rejects when `signal` aborts first. The item counts as unsettled from this
   * call on, so a `flush()` (and so `close()`) waits for it as for a queued one; when this rejects, the caller
   * settles it (`markSettled`).
   */
  async offerWhenRoom(item: T, signal: AbortSignal): Promise<void> {
    this.#admit(item);
    await this.#queue.whenRoom(item.bytes, signal);
    // Room came, but the client stopped meanwhile: the item must not start a batch now.
    if (signal.aborted) {
      this.#queue.cancelReservation(item.bytes);
      signal.throwIfAborted();
    }
    this.#queue.pushReserved(item);
    this.#queued();
  }

  /** Whether an item of `bytes` could ever fit (it is not larger than the queue's byte bound). */
  couldEverFit(bytes: number): boolean {
    return bytes <= this.#queue.maxBytes;
  }

  /** Records that an item was settled; resolves the flushes waiting for it. */
  markSettled(item: T): void {
    if (item.settled) return;
    item.settled = true;
    // Never offered: it was not counted.
    if (item.seq === 0) return;
    this.#unsettled--;
    for (let i = this.#flushWaiters.length - 1; i >= 0; i--) {
      const waiter = this.#flushWaiters[i] as { target: number; remaining: number; resolve: () => void };
      if (item.seq <= waiter.target && --waiter.remaining === 0) {
        this.#flushWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  /** Resolves when every item accepted before the call has settled; sends partial batches at once meanwhile. */
  flush(): Promise<void> {
    if (this.#unsettled === 0) return Promise.resolve();
    const promise = new Promise<void>((resolve) => {
      this.#flushWaiters.push({ target: this.#nextSeq - 1, remaining: this.#unsettled, resolve });
    });
    this.#pump();
    return promise;
  }

  /** Removes every queued (not yet exported) item, for the caller to settle; stops the timer. */
  drainQueued(): T[] {
    this.#clearTimer();
    return this.#queue.drain();
  }

  #admit(item: T): void {
    item.seq = this.#nextSeq++;
    item.settled = false;
    this.#unsettled++;
  }

  /** Starts the batching timer for a newly queued item, and any batch that is due. */
  #queued(): void {
    if (this.#timer === undefined && !this.#timerFired) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#timerFired = true;
        this.#pump();
      }, this.#options.flushIntervalMs);
      this.#timer.unref();
    }
    // A batch this item completes starts once the producer's synchronous code is done (a microtask), not inside its
    // offer: encoding and handing a request to the transport is not the caller's cost, and a burst of offers
    // schedules one pump, not one per item.
    if (!this.#pumpScheduled && this.#inFlight < this.#options.maxConcurrentExports && this.#batchDue()) {
      this.#pumpScheduled = true;
      queueMicrotask(this.#scheduledPump);
    }
  }

  readonly #scheduledPump = (): void => {
    this.#pumpScheduled = false;
    this.#pump();
  };

  /** Whether the batching rules send a batch now: one is full, its interval passed, or a flush waits. */
  #batchDue(): boolean {
    const { maxBatchSize, maxBatchBytes } = this.#options;
    return this.#queue.size >= maxBatchSize || this.#queue.bytes >= maxBatchBytes || this.#timerFired || this.#flushWaiters.length > 0;
  }

  /** Starts as many exports as the in-flight bound allows and the batching rules call for. */
  #pump(): void {
    const { maxBatchSize, maxBatchBytes, maxConcurrentExports } = this.#options;
    while (this.#inFlight < maxConcurrentExports && this.#queue.size > 0) {
      if (!this.#batchDue()) break;
      const batch = this.#queue.take(maxBatchSize, maxBatchBytes);
      this.#startExport(batch);
    }
    if (this.#queue.size === 0) {
      // The next event starts a fresh interval.
      this.#clearTimer();
      this.#timerFired = false;
    }
  }

  #startExport(batch: T[]): void {
    this.#inFlight++;
    this.#inFlightItems += batch.length;
    void this.#options.exportBatch(batch).finally(() => {
      this.#inFlight--;
      this.#inFlightItems -= batch.length;
      this.#pump();
    });
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
