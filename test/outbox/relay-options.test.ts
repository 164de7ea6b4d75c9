import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/index.js';
import { resolveRelayOptions } from '../../src/outbox/relay-options.js';

describe('resolveRelayOptions', () => {
  it('fills documented defaults, the heartbeat a third of the lease', () => {
    expect(resolveRelayOptions()).toEqual({
      batchSize: 400,
      concurrency: 2,
      leaseMs: 15_000,
      heartbeatMs: 5_000,
      pollIntervalMs: 1_000,
      listen: true,
      maxAttempts: 25,
      initialBackoffMs: 1_000,
      maxBackoffMs: 300_000,
    });
  });

  it('refuses every bad duration and count at once, by path', () => {
    const error = (() => {
      try {
        resolveRelayOptions({ leaseMs: 50, pollIntervalMs: Number.NaN, batchSize: 0, concurrency: 1.5, initialBackoffMs: -1, maxAttempts: Infinity });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual([
      'relay.leaseMs',
      'relay.batchSize',
      'relay.concurrency',
      'relay.pollIntervalMs',
      'relay.maxAttempts',
      'relay.initialBackoffMs',
    ]);
  });

  it('refuses a heartbeat that would not come before the lease lapses', () => {
    expect(() => resolveRelayOptions({ leaseMs: 1_000, heartbeatMs: 1_000 })).toThrow(/heartbeatMs: must be below leaseMs/);
  });

  it('refuses a backoff cap below its start, and a listen that is not a boolean', () => {
    expect(() => resolveRelayOptions({ initialBackoffMs: 10, maxBackoffMs: 5 })).toThrow(/maxBackoffMs/);
    expect(() => resolveRelayOptions({ listen: 'yes' as never })).toThrow(/relay.listen/);
  });
});
