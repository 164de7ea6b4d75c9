import { describe, expect, it } from 'vitest';
import { HASH_TAIL_QUEUE_LIMIT, PendingEvent } from '../../../src/delivery/pending-event.js';
import { DeliveryError } from '../../../src/errors.js';

const prepared = { id: 'evt-1', wire: '{"a":1}', hash: 'h', bytes: 7 };

describe('PendingEvent', () => {
  it('carries the prepared members and is its own prepared event', () => {
    const pending = new PendingEvent(prepared, true);
    expect(pending.prepared).toBe(pending);
    expect({ id: pending.id, wire: pending.wire, hash: pending.hash, bytes: pending.bytes }).toEqual(prepared);
  });

  it('rejects its promise without an unhandled rejection, and a caller who awaits it still sees the error', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const pending = new PendingEvent(prepared, true);
      const error = new DeliveryError('refused');
      pending.reject(error);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
      await expect(pending.promise).rejects.toBe(error);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('keeps the hash tail only while the queue is shorter than HASH_TAIL_QUEUE_LIMIT', () => {
    const withTail = { ...prepared, hashTail: 'tail' };
    expect(new PendingEvent(withTail, true).hashTail).toBe('tail');
    expect(new PendingEvent(withTail, true, HASH_TAIL_QUEUE_LIMIT - 1).hashTail).toBe('tail');
    expect(new PendingEvent(withTail, true, HASH_TAIL_QUEUE_LIMIT).hashTail).toBeUndefined();
  });

  it('keeps the event time only when something will read it (a ledger)', () => {
    const withTime = { ...prepared, time: '2026-12-07T10:00:00.000Z' };
    expect(new PendingEvent(withTime, true).time).toBe(withTime.time);
    expect(new PendingEvent(withTime, true, 0, false).time).toBeUndefined();
  });

  it('has no promise when nobody awaits it (a replayed event), and settling it is harmless', () => {
    const pending = new PendingEvent(prepared, false);
    expect(pending.promise).toBeUndefined();
    pending.resolve({ id: 'evt-1', hash: 'h', verified: false, attempts: 1, adapter: 'auditlog' } as never);
    pending.reject(new DeliveryError('x'));
  });
});
