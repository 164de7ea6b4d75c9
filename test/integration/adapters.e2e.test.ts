import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditsClient, HashMismatchError, type AuditEvent, type AuditReceipt, type ClientOptions } from '../../src/index.js';
import { HASH_TAIL_QUEUE_LIMIT } from '../../src/delivery/pending-event.js';
import { createReferenceServer, type ReferenceServer, type StoredEvent } from '../../src/testing.js';
import { captureWarnings } from '../helpers/warnings.js';

// Failures here are on purpose and some clients have no 'error' listener: their process warnings are captured.
captureWarnings();

// The same 300 common-model events through each adapter to the reference server, over loopback. The server
// decodes, validates and hashes with its own code, so agreement here is agreement between two implementations.

const TOTAL = 300;

/** Varied but valid for every format: Retraced needs crud, Frontegg a tenant. */
function eventAt(i: number): AuditEvent {
  const anonymous = i % 10 === 3;
  return {
    id: `evt-${String(i).padStart(4, '0')}`,
    action: ['user.login', 'user.login.failed', 'api_key.create', 'role.update'][i % 4] as string,
    time: new Date(Date.UTC(2026, 10, 23, 12, 0, i % 60, i)),
    tenant: { id: `tenant-${i % 7}`, ...(i % 2 === 0 ? { name: `Tenant ${i % 7}` } : {}) },
    ...(anonymous ? {} : { actor: { id: `user-${i % 31}`, name: `User ${i % 31}`, ...(i % 3 === 0 ? { email: `u${i % 31}@example.com` } : {}) } }),
    ...(i % 5 === 0 ? {} : { target: { id: `obj-${i}`, type: 'api_key', name: `Key ${i}`, url: `https://app.example/keys/${i}` } }),
    outcome: i % 4 === 1 ? 'failure' : 'success',
    crud: (['c', 'r', 'u', 'd'] as const)[i % 4],
    severity: (['Info', 'Medium', 'High', 'Critical', 'Error'] as const)[i % 5],
    ip: [`203.0.113.${i % 250}`, '2001:db8::1', '::ffff:10.0.0.7', '::1'][i % 4],
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    url: i % 2 === 0 ? `/settings/keys/${i}` : `https://app.example/settings/${i}`,
    ...(i % 6 === 0 ? { fields: { plan: 'pro', note: `n\u00e9 ${i} \u{1F511}` } } : {}),
    ...(i % 4 === 2 ? { tags: ['security', `batch-${i % 3}`] } : {}),
    ...(i % 9 === 0 ? { description: `Changed something ${i}` } : {}),
  };
}

const events = Array.from({ length: TOTAL }, (_, i) => eventAt(i));

let server: ReferenceServer;
const requestSizes = new Map<string, number[]>();

beforeAll(async () => {
  server = await createReferenceServer({
    onRequest: ({ format, events: count }) => {
      if (format !== undefined) requestSizes.set(format, [...(requestSizes.get(format) ?? []), count]);
    },
  });
});

afterAll(async () => {
  await server.close();
});

const common: ClientOptions = { server: { id: 'e2e-host', version: '9.9.9' }, flushIntervalMs: 5, verify: 'require' };

const adapters: ReadonlyArray<[StoredEvent['format'], () => ClientOptions]> = [
  ['auditlog', () => ({ adapter: 'auditlog', endpoint: server.url, apiKey: 'consumer:secret' })],
  ['retraced', () => ({ adapter: 'retraced', endpoint: server.url, apiKey: 'retraced-token', projectId: 'project-1' })],
  ['logzab', () => ({ adapter: 'logzab', endpoint: server.url, apiKey: 'logzab-key' })],
  ['frontegg', () => ({ adapter: 'frontegg', endpoint: server.url })],
];

describe.each(adapters)('the %s adapter against the reference server', (format, options) => {
  it(`has all ${TOTAL} events acknowledged, stored once each, and verified against the server's hash`, async () => {
    const client = new AuditsClient({ ...common, ...options() });
    const authBefore = server.stats.authRequests;
    if (format === 'frontegg') await client.init('dev-client', 'dev-secret');
    let receipts: AuditReceipt[];
    try {
      receipts = await client.sendAudits(events);
    } finally {
      await client.close();
    }

    expect(receipts.map((receipt) => receipt.id)).toEqual(events.map((event) => event.id));
    expect(receipts.every((receipt) => receipt.verified && receipt.serverHash === receipt.hash)).toBe(true);
    const stored = server.events.filter((event) => event.format === format);
    expect(stored.map((event) => event.eventId).sort()).toEqual(events.map((event) => event.id).sort());
    // The server's own hash of what it stored is what the client verified.
    const storedHash = new Map(stored.map((event) => [event.eventId, event.hash]));
    for (const receipt of receipts) expect(storedHash.get(receipt.id)).toBe(receipt.hash);

    const sizes = requestSizes.get(format) ?? [];
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(TOTAL);
    if (format === 'retraced') expect(Math.max(...sizes)).toBeLessThanOrEqual(50);
    if (format === 'logzab' || format === 'frontegg') expect(sizes.every((size) => size === 1)).toBe(true);
    if (format === 'frontegg') expect(server.stats.authRequests - authBefore).toBe(1); // init()'s token served every send
  });
});

describe.each(adapters)('the %s adapter against a faulty reference server', (format, options) => {
  it('settles every event, loses none, and reports exactly the wrong hashes that reached it', async () => {
    const faulty = await createReferenceServer({
      seed: 7,
      faults: {
        statuses: [
          { status: 503, probability: 0.08 },
          { status: 429, probability: 0.04, retryAfterSeconds: 0 },
        ],
        dropBeforeStoreProbability: 0.03,
        dropAfterStoreProbability: 0.03,
        wrongHashProbability: 0.03,
      },
    });
    const client = new AuditsClient({
      ...common,
      ...options(),
      endpoint: faulty.url,
      verify: 'when-present',
      retry: { maxRetries: 30, initialDelayMs: 1, maxDelayMs: 10 },
    });
    try {
      if (format === 'frontegg') await client.init('dev-client', 'dev-secret');
      const results = await Promise.allSettled(events.map((event) => client.sendAudit(event)));
      await client.close();

      const delivered = new Set<string>();
      const mismatched = new Set<string>();
      const other: unknown[] = [];
      for (const result of results) {
        if (result.status === 'fulfilled') delivered.add(result.value.id);
        else if (result.reason instanceof HashMismatchError) mismatched.add(result.reason.eventId);
        else other.push(result.reason);
      }
      expect(other).toEqual([]);
      expect(delivered.size + mismatched.size).toBe(TOTAL);
      expect(mismatched.size).toBeGreaterThan(0);
      expect([...mismatched].sort()).toEqual([...faulty.stats.wrongHashes].sort());
      // At least once: everything acknowledged is stored, possibly more than once after a drop-after-store.
      const stored = new Set(faulty.events.map((event) => event.eventId));
      for (const id of delivered) expect(stored.has(id)).toBe(true);
      expect(faulty.stats.faulted).toBeGreaterThan(0);
    } finally {
      await client.destroy();
      await faulty.close();
    }
  });
});

describe('Retraced: a deep queue keeps no precomputed hash tails', () => {
  it('verifies the events queued beyond HASH_TAIL_QUEUE_LIMIT (their tails recomputed from the wire) like the others', async () => {
    const total = HASH_TAIL_QUEUE_LIMIT + 300;
    const client = new AuditsClient({ ...common, adapter: 'retraced', endpoint: server.url, apiKey: 'retraced-token', projectId: 'project-1', maxQueueSize: total });
    try {
      // One synchronous loop: nothing is sent before it ends (a batch starts in a microtask), so the queue holds all.
      const receipts = Array.from({ length: total }, (_, i) => client.sendAudit({ ...eventAt(i % TOTAL), id: `deep-${i}` }));
      const settled = await Promise.all(receipts);
      expect(settled.filter((receipt) => receipt.verified)).toHaveLength(total);
    } finally {
      await client.close();
    }
  }, 60_000);
});
