/**
 * A FIFO bounded both in items and in bytes. It never drops: `offer` says no when full, and `whenRoom` lets a
 * producer wait for space instead.
 */
export interface Sized {
  readonly bytes: number;
}

interface RoomWaiter {
  readonly bytes: number;
  readonly signal: AbortSignal;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
}

export class BoundedQueue<T extends Sized> {
  readonly #items: T[] = [];
  #head = 0;
  #bytes = 0;
  // Room promised to woken waiters that have not pushed yet, so that an offer() in between cannot take it.
  #reservedItems = 0;
  #reservedBytes = 0;
  // Producers waiting for room, in order from #waiterHead (an index, so serving one is O(1) even with many).
  #roomWaiters: RoomWaiter[] = [];
  #waiterHead = 0;
  // One abort listener per signal, however many producers wait on it: one listener each made adding the ten
  // thousandth waiter slow (Node's listener list grows linearly) and an abort quadratic.
  readonly #watchedSignals = new WeakSet<AbortSignal>();

  constructor(
    readonly maxItems: number,
    readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.#items.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Whether an item of `bytes` would fit now. An item larger than the whole byte bound never fits. */
  fits(bytes: number): boolean {
    return this.size + this.#reservedItems < this.maxItems && this.#bytes + this.#reservedBytes + bytes <= this.maxBytes;
  }

  /** Whether `offer` refuses every item now: no item slot is free, or producers wait for room ahead of it. */
  get isFull(): boolean {
    return this.size + this.#reservedItems >= this.maxItems || this.#waiting > 0;
  }

  offer(item: T): boolean {
    if (!this.fits(item.bytes) || this.#waiting > 0) return false;
    this.#push(item);
    return true;
  }

  /** Resolves once an item of `bytes` fits (waiters are served in order), or rejects when `signal` aborts. */
  async whenRoom(bytes: number, signal: AbortSignal): Promise<void> {
    if (this.#waiting === 0 && this.fits(bytes)) {
      this.#reserve(bytes);
      return;
    }
    signal.throwIfAborted();
    if (!this.#watchedSignals.has(signal)) {
      this.#watchedSignals.add(signal);
      signal.addEventListener('abort', () => this.#abortWaiters(signal), { once: true });
    }
    await new Promise<void>((resolve, reject) => {
      this.#roomWaiters.push({ bytes, signal, resolve, reject });
    });
  }

  get #waiting(): number {
    return this.#roomWaiters.length - this.#waiterHead;
  }

  #abortWaiters(signal: AbortSignal): void {
    const remaining: RoomWaiter[] = [];
    for (let index = this.#waiterHead; index < this.#roomWaiters.length; index++) {
      const waiter = this.#roomWaiters[index] as RoomWaiter;
      if (waiter.signal === signal) waiter.reject(signal.reason);
      else remaining.push(waiter);
    }
    this.#roomWaiters = remaining;
    this.#waiterHead = 0;
    // The waiters left may fit now that earlier ones are gone.
    this.#wakeWaiters();
  }

  /** Pushes into the room `whenRoom` reserved (for an item of the same size). */
  pushReserved(item: T): void {
    if (this.#reservedItems > 0) {
      this.#reservedItems--;
      this.#reservedBytes = Math.max(0, this.#reservedBytes - item.bytes);
    }
    this.#push(item);
  }

  /** Gives back room `whenRoom` reserved for an item that will not be pushed after all. */
  cancelReservation(bytes: number): void {
    if (this.#reservedItems === 0) return;
    this.#reservedItems--;
    this.#reservedBytes = Math.max(0, this.#reservedBytes - bytes);
    this.#wakeWaiters();
  }

  /** Removes up to `maxItems` / `maxBytes` from the head; always at least one item when not empty. */
  take(maxItems: number, maxBytes: number): T[] {
    const taken: T[] = [];
    let bytes = 0;
    while (this.size > 0 && taken.length < maxItems) {
      const next = this.#items[this.#head] as T;
      if (taken.length > 0 && bytes + next.bytes > maxBytes) break;
      taken.push(next);
      bytes += next.bytes;
      this.#head++;
    }
    this.#bytes -= bytes;
    this.#compact();
    this.#wakeWaiters();
    return taken;
  }

  /** Removes everything (for destroy). */
  drain(): T[] {
    return this.take(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
  }

  #reserve(bytes: number): void {
    this.#reservedItems++;
    this.#reservedBytes += bytes;
  }

  #push(item: T): void {
    this.#items.push(item);
    this.#bytes += item.bytes;
  }

  #wakeWaiters(): void {
    // Serve in order, so that a large waiter is not starved by later small ones.
    while (this.#waiting > 0) {
      const first = this.#roomWaiters[this.#waiterHead] as RoomWaiter;
      if (!this.fits(first.bytes)) break;
      this.#reserve(first.bytes);
      this.#waiterHead++;
      first.resolve();
    }
    if (this.#waiterHead > 1024 && this.#waiterHead * 2 > this.#roomWaiters.length) {
      this.#roomWaiters = this.#roomWaiters.slice(this.#waiterHead);
      this.#waiterHead = 0;
    }
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
