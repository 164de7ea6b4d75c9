import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { BoundedQueue } from '../../../src/processor/bounded-queue.js';

const item = (bytes = 1) => ({ bytes });

describe('BoundedQueue.whenRoom', () => {
  it('serves waiters in order as room frees up', async () => {
    const queue = new BoundedQueue<{ bytes: number }>(1, 100);
    expect(queue.offer(item())).toBe(true);
    const controller = new AbortController();
    const order: number[] = [];
    const waits = [0, 1, 2].map((n) => queue.whenRoom(1, controller.signal).then(() => order.push(n)));
    for (let n = 0; n < 3; n++) {
      queue.take(1, 100);
      await Promise.resolve();
      queue.pushReserved(item());
      await waits[n];
    }
    expect(order).toEqual([0, 1, 2]);
  });

  // Regression: one abort listener per waiter made the ten thousandth wait slow and an abort quadratic.
  it('adds one abort listener per signal however many producers wait, and an abort rejects them all', async () => {
    const queue = new BoundedQueue<{ bytes: number }>(1, 100);
    queue.offer(item());
    const controller = new AbortController();
    const waits = Array.from({ length: 20_000 }, () => queue.whenRoom(1, controller.signal));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort(new Error('closing'));
    const results = await Promise.allSettled(waits);
    expect(results.every((result) => result.status === 'rejected')).toBe(true);
    // The queue is usable afterwards: no waiter is left in front.
    queue.take(1, 100);
    expect(queue.offer(item())).toBe(true);
  });
});
