import { afterEach, describe, expect, it } from 'vitest';
import { AuditsClient, HashMismatchError, type AuditReceipt } from '../../src/index.js';
import { createReferenceServer, type ReferenceServer } from '../../src/testing.js';
import { captureWarnings } from '../helpers/warnings.js';

// Failures here are on purpose and some clients have no 'error' listener: their process warnings are captured.
captureWarnings();

let server: ReferenceServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('AuditsClient against a faulty AuditLog.co server (end to end, loopback)', () => {
  it('settles all 5,000 promises, reports exactly the wrong hashes, loses nothing and batches tightly', async () => {
    server = await createReferenceServer({
      seed: 42,
      faults: {
        statuses: [
          { status: 503, probability: 0.1 },
          { status: 429, probability: 0.05, retryAfterSeconds: 1 },
        ],
        dropBeforeStoreProbability: 0.015,
        dropAfterStoreProbability: 0.015,
        wrongHashProbability: 0.01,
      },
    });
    const client = new AuditsClient({
      adapter: 'auditlog',
      endpoint: server.url,
      apiKey: 'consumer:secret',
      retry: { maxRetries: 20, initialDelayMs: 20, maxDelayMs: 200 },
    });
    const total = 5_000;
    const promises = Array.from({ length: total }, (_, i) =>
      client.sendAudit({ id: `evt-${i}`, action: 'user.login', actor: { id: `user-${i % 97}` }, tenant: { id: 'acme' } }),
    );
    const results = await Promise.allSettled(promises);
    await client.close();

    const delivered = new Map<string, AuditReceipt>();
    const mismatched = new Set<string>();
    const otherFailures: unknown[] = [];
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') delivered.set(result.value.id, result.value);
      else if (result.reason instanceof HashMismatchError) mismatched.add(result.reason.eventId);
      else otherFailures.push([i, result.reason]);
    });

    expect(otherFailures).toEqual([]);
    expect(delivered.size + mismatched.size).toBe(total);
    // Every wrong hash that reached the client is reported as a mismatch, and nothing else is.
    expect(server.stats.wrongHashes.size).toBeGreaterThan(0);
    expect([...mismatched].sort()).toEqual([...server.stats.wrongHashes].sort());
    expect([...delivered.values()].every((receipt) => receipt.verified)).toBe(true);
    // Every event the server stored was acknowledged or reported; every acknowledged one was stored.
    const stored = new Set(server.events.map((event) => event.eventId));
    for (const id of stored) expect(delivered.has(id) || mismatched.has(id)).toBe(true);
    for (const id of delivered.keys()) expect(stored.has(id)).toBe(true);
    // The faults really happened, and retries stayed within a twentieth of the events in requests.
    expect(server.stats.faulted).toBeGreaterThan(0);
    expect(client.stats().retried).toBeGreaterThan(0);
    expect(server.stats.requests).toBeLessThanOrEqual(total / 20);
    expect(client.stats()).toMatchObject({ queued: 0, inFlight: 0, delivered: delivered.size, mismatched: mismatched.size });
  }, 60_000);

  it('fails a batch whose connection keeps dropping, within the deadline, and says why', async () => {
    server = await createReferenceServer({ faults: { dropBeforeStoreProbability: 1 } });
    const client = new AuditsClient({
      adapter: 'auditlog',
      endpoint: server.url,
      apiKey: 'consumer:secret',
      retry: { maxRetries: 3, initialDelayMs: 1, maxDelayMs: 5 },
    });
    const failure = await client.sendAudit({ action: 'user.login' }).catch((error: unknown) => error);
    await client.close();
    expect(failure).toMatchObject({ code: 'DELIVERY', retryable: true });
    expect(server.stats.requests).toBe(4);
    expect(server.events).toHaveLength(0);
  });
});
