import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExchangeContext } from '../../../src/adapters/adapter.js';
import { FronteggTokenSource } from '../../../src/adapters/frontegg-token.js';

let source: FronteggTokenSource | undefined;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  source?.close();
  source = undefined;
  vi.useRealTimers();
});

/** An exchange that answers at once with `expiresIn`, counting the calls. */
function countingExchange(expiresIn: unknown): { context: ExchangeContext; readonly calls: () => number } {
  let calls = 0;
  const context: ExchangeContext = {
    signal: new AbortController().signal,
    exchange: async () => ({ status: 200, headers: {}, body: JSON.stringify({ token: `token-${++calls}`, expiresIn }) }),
  };
  return { context, calls: () => calls };
}

describe('the Frontegg token renewal of an idle client', () => {
  // expiresIn is in seconds (wire README section 4). Ten idle seconds at most ten renewals: never a busy loop.
  it.each([0.001, 0.05, 0.5, 1, 2, 5])('renews at most once a second when expiresIn is %s', async (expiresIn) => {
    const { context, calls } = countingExchange(expiresIn);
    source = new FronteggTokenSource('http://127.0.0.1:9/auth/vendor', undefined);
    await source.authenticate({ clientId: 'client', apiKey: 'key' }, context);

    await vi.advanceTimersByTimeAsync(10_000);

    expect(calls()).toBeGreaterThanOrEqual(1);
    expect(calls()).toBeLessThanOrEqual(11);
  });

  it.each([3600, 1e12, -5, 0, 'soon', null])('does not renew in a loop for expiresIn %s', async (expiresIn) => {
    const { context, calls } = countingExchange(expiresIn);
    source = new FronteggTokenSource('http://127.0.0.1:9/auth/vendor', undefined);
    await source.authenticate({ clientId: 'client', apiKey: 'key' }, context);

    await vi.advanceTimersByTimeAsync(10_000);

    expect(calls()).toBe(1);
  });
});
