import { randomUUID } from 'node:crypto';
import pg from 'pg';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditsClient, type AuditReceipt, type AuditsError } from '../../src/index.js';
import { createOutbox, type Outbox, type OutboxRelay } from '../../src/outbox.js';
import { auditEvent, startPickyVendor, until, useSchema, type PickyVendor } from './outbox-fixture.js';

const { url, schema, pool } = await useSchema();
let vendor: PickyVendor;
let client: AuditsClient;
let relays: OutboxRelay[] = [];
let table = 0;
const warnings: string[] = [];
const logger = { debug: () => {}, warn: (message: string) => void warnings.push(message), error: (message: string) => void warnings.push(message) };

beforeEach(async () => {
  vendor = await startPickyVendor((id) => id.startsWith('evt-poison'));
  // No retries in the client: a failed request reaches the relay at once, which backs the row off.
  client = new AuditsClient({ adapter: vendor.adapter, flushIntervalMs: 0, retry: { maxRetries: 0 }, logger });
  warnings.length = 0;
});
afterEach(async () => {
  await Promise.all(relays.map((relay) => relay.stop({ timeoutMs: 2_000 })));
  relays = [];
  await client.close();
  await vendor.close();
});

async function freshOutbox(options: { keepReceipts?: boolean } = {}): Promise<Outbox> {
  const outbox = createOutbox(client, { db: pool, schema, table: `relay_${table++}`, ...options });
  await outbox.migrate();
  return outbox;
}

function collect(relay: OutboxRelay): { delivered: AuditReceipt[]; dead: [AuditsError, string][] } {
  relays.push(relay);
  const seen = { delivered: [] as AuditReceipt[], dead: [] as [AuditsError, string][] };
  relay.on('delivered', (receipt) => void seen.delivered.push(receipt));
  relay.on('dead', (error, id) => void seen.dead.push([error, id]));
  return seen;
}

describe('OutboxRelay', () => {
  it('delivers committed rows through the client, verified, and empties the table', async () => {
    const outbox = await freshOutbox();
    await outbox.recordMany(pool, Array.from({ length: 250 }, (_, i) => auditEvent(i)));
    const seen = collect(outbox.startRelay({ batchSize: 40 }));
    await until(() => seen.delivered.length === 250, 10_000, '250 deliveries');
    expect(seen.delivered.every((receipt) => receipt.verified)).toBe(true);
    expect(vendor.stored.size).toBe(250);
    await until(async () => (await outbox.stats()).pending + (await outbox.stats()).leased === 0, 5_000, 'an empty table');
  });

  it('moves delivered rows to the receipts table when asked to keep receipts', async () => {
    const outbox = await freshOutbox({ keepReceipts: true });
    const { hash } = await outbox.record(pool, auditEvent('receipt'));
    const seen = collect(outbox.startRelay());
    await until(() => seen.delivered.length === 1, 5_000, 'the delivery');
    const { rows } = await pool.query(`SELECT event_id, hash, server_hash, verified, attempts FROM ${schema}.${outbox.table.split('.')[1]}_receipts`);
    expect(rows).toEqual([{ event_id: 'evt-receipt', hash, server_hash: hash, verified: true, attempts: 1 }]);
  });

  it('kills exactly the rows the server refuses, with their error, and delivers the others without waiting for them', async () => {
    const outbox = await freshOutbox();
    // 1% poison, placed first so that every claim meets them before the good rows.
    const events = [
      ...Array.from({ length: 3 }, (_, i) => auditEvent(`poison-${i}`)),
      ...Array.from({ length: 297 }, (_, i) => auditEvent(i)),
    ];
    await outbox.recordMany(pool, events);
    const seen = collect(outbox.startRelay({ batchSize: 50 }));
    await until(() => seen.delivered.length === 297 && seen.dead.length === 3, 10_000, 'every outcome');
    expect(seen.dead.map(([, id]) => id).sort()).toEqual(['evt-poison-0', 'evt-poison-1', 'evt-poison-2']);
    expect(seen.dead[0]?.[0].message).toMatch(/refused by policy/);
    const dead = await outbox.dead();
    expect(dead.map((row) => row.id).sort()).toEqual(['evt-poison-0', 'evt-poison-1', 'evt-poison-2']);
    expect(dead[0]).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/refused by policy/) });
    // Each poison row was sent once: a dead row is never claimed again.
    expect(vendor.received.get('evt-poison-0')).toBe(1);
    expect(await outbox.stats()).toMatchObject({ pending: 0, leased: 0, dead: 3 });
    expect(warnings.filter((line) => line.includes('is dead'))).toHaveLength(3);
  });

  it('backs a row off after a transient failure and delivers it later, counting attempts', async () => {
    const outbox = await freshOutbox();
    vendor.failNext = 1;
    await outbox.record(pool, auditEvent('flaky'));
    const seen = collect(outbox.startRelay({ initialBackoffMs: 100, maxBackoffMs: 200, pollIntervalMs: 50 }));
    await until(() => seen.delivered.length === 1, 5_000, 'the delivery after the outage');
    expect(seen.delivered[0]?.id).toBe('evt-flaky');
    expect(vendor.failNext).toBe(0);
    expect(vendor.received.get('evt-flaky')).toBe(1);
    expect(warnings.some((line) => line.includes('retried after a backoff'))).toBe(true);
  });

  it('gives up on a row that fails transiently maxAttempts times: it goes dead with its status', async () => {
    const outbox = await freshOutbox();
    vendor.failNext = 1_000;
    await outbox.record(pool, auditEvent('never'));
    const seen = collect(outbox.startRelay({ maxAttempts: 2, initialBackoffMs: 0, maxBackoffMs: 0, pollIntervalMs: 20 }));
    await until(() => seen.dead.length === 1, 5_000, 'the row to die');
    expect(await outbox.dead()).toEqual([{ id: 'evt-never', attempts: 2, lastStatus: 503, lastError: expect.stringMatching(/503/) }]);
  });

  it('takes over the rows of a relay that died once its lease lapses', async () => {
    const outbox = await freshOutbox();
    await outbox.recordMany(pool, [auditEvent('orphan-1'), auditEvent('orphan-2')]);
    const name = outbox.table.split('.')[1];
    // What a relay SIGKILLed mid-delivery leaves: rows leased for 400 ms more under a token nobody will settle.
    await pool.query(`UPDATE ${schema}.${name} SET lease_token = $1, leased_until = now() + interval '400 milliseconds', attempts = 1`, [randomUUID()]);
    expect(await outbox.stats()).toMatchObject({ pending: 0, leased: 2 });
    const started = Date.now();
    const seen = collect(outbox.startRelay({ pollIntervalMs: 100, leaseMs: 1_000 }));
    await until(() => seen.delivered.length === 2, 5_000, 'the takeover');
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(300);
    expect(seen.delivered.map((r) => r.attempts)).toEqual([1, 1]);
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.${name}`);
    expect(rows[0]?.n).toBe(0);
  });

  it('keeps extending the lease while a slow delivery is in flight, so no other relay sends the row again', async () => {
    const outbox = await freshOutbox();
    vendor.delayMs = 1_200;
    await outbox.record(pool, auditEvent('slow'));
    const first = collect(outbox.startRelay({ leaseMs: 300, heartbeatMs: 100, pollIntervalMs: 50 }));
    await until(async () => (await outbox.stats()).leased === 1, 5_000, 'the claim');
    const second = collect(outbox.startRelay({ leaseMs: 300, heartbeatMs: 100, pollIntervalMs: 50 }));
    await until(() => first.delivered.length + second.delivered.length === 1, 5_000, 'the delivery');
    expect(vendor.received.get('evt-slow')).toBe(1);
  });

  it('wakes on NOTIFY at commit, through a pg Pool and through postgres.js, without waiting for a poll', async () => {
    const outbox = await freshOutbox();
    const viaPool = collect(outbox.startRelay({ pollIntervalMs: 60_000, concurrency: 1 }));
    const sql = postgres(url, { max: 2, onnotice: () => {} });
    try {
      const viaPostgresJs = createOutbox(client, { db: sql, schema, table: outbox.table.split('.')[1] });
      const other = collect(viaPostgresJs.startRelay({ pollIntervalMs: 60_000, concurrency: 1 }));
      // Let both relays run their first (empty) claim and start listening.
      await until(async () => (await pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query ILIKE 'listen%auditwire_outbox_%'`)).rows[0].n >= 2, 5_000, 'two listeners');
      const started = Date.now();
      await sql.begin(async (tx) => void (await outbox.record(tx, auditEvent('wake'))));
      await until(() => viaPool.delivered.length + other.delivered.length === 1, 5_000, 'the woken relay');
      expect(Date.now() - started).toBeLessThan(2_000);
      await Promise.all(relays.splice(0).map((relay) => relay.stop()));
    } finally {
      await sql.end();
    }
  });

  it('does not sleep through a NOTIFY that arrives while its claim is in flight (the claim did not see that row)', async () => {
    const outbox = await freshOutbox();
    // The pool as the relay sees it: its first claim is held at a gate (after running, empty) until the test opens
    // it, and the client it LISTENs on is kept, to hear what it hears.
    let openGate: (() => void) | undefined;
    let listenClient: pg.PoolClient | undefined;
    const gated = {
      connect: async () => (listenClient = await pool.connect()),
      get totalCount() {
        return pool.totalCount;
      },
      query: async (text: string, values: unknown[]) => {
        const result = await pool.query(text, values);
        if (/SKIP LOCKED/.test(text) && openGate === undefined) await new Promise<void>((resolve) => (openGate = resolve));
        return result;
      },
    };
    const relay = createOutbox(client, { db: gated, schema, table: outbox.table.split('.')[1] }).startRelay({ pollIntervalMs: 60_000, concurrency: 1 });
    const seen = collect(relay);
    await until(() => relay.listening && openGate !== undefined && listenClient !== undefined, 5_000, 'LISTEN up, the first claim held');
    // Committed after that claim's snapshot; its NOTIFY reaches the relay (its handler was attached first) before
    // the claim comes back empty.
    const heard = new Promise<void>((resolve) => listenClient?.on('notification', (message) => message.payload === '' && resolve()));
    await outbox.record(pool, auditEvent('mid-claim'));
    await heard;
    openGate?.();
    await until(() => seen.delivered.length === 1, 5_000, 'the row delivered on that NOTIFY, not at the next poll (60 s)');
  });

  it('waits for room in a client queue smaller than its claims, instead of backing rows off for a full queue', async () => {
    const small = new AuditsClient({ adapter: vendor.adapter, flushIntervalMs: 0, retry: { maxRetries: 0 }, logger, maxQueueSize: 10 });
    try {
      const outbox = createOutbox(small, { db: pool, schema, table: `relay_${table++}`, keepReceipts: true });
      await outbox.migrate();
      await outbox.recordMany(pool, Array.from({ length: 300 }, (_, i) => auditEvent(`small-queue-${i}`)));
      const seen = collect(outbox.startRelay({ batchSize: 100, concurrency: 2 }));
      await until(() => seen.delivered.length === 300, 10_000, '300 deliveries');
      // Each row delivered at its first attempt: none was refused for the full queue and backed off.
      const { rows } = await pool.query(`SELECT max(attempts)::int AS most FROM ${schema}.${outbox.table.split('.')[1]}_receipts`);
      expect(rows[0].most).toBe(1);
      expect(warnings.filter((line) => /queue is full/.test(line))).toEqual([]);
    } finally {
      await Promise.all(relays.splice(0).map((relay) => relay.stop()));
      await small.close();
    }
  });

  it('backs off after a failed claim even while NOTIFYs keep coming (no retry, and no warning, per recorded row)', async () => {
    const outbox = await freshOutbox();
    // The pool as the relay sees it, except that every claim fails (as with a revoked grant); LISTEN still works.
    let claims = 0;
    const failing = {
      connect: () => pool.connect(),
      get totalCount() {
        return pool.totalCount;
      },
      query: async (text: string, values: unknown[]) => {
        if (/SKIP LOCKED/.test(text)) {
          claims++;
          throw new Error('permission denied for table');
        }
        return pool.query(text, values);
      },
    };
    const relay = createOutbox(client, { db: failing, schema, table: outbox.table.split('.')[1] }).startRelay({ pollIntervalMs: 60_000, concurrency: 1 });
    relays.push(relay);
    relay.on('error', () => {});
    await until(() => relay.listening, 5_000, 'LISTEN up');
    const before = claims;
    // 40 commits, each a NOTIFY, over about a second.
    for (let i = 0; i < 40; i++) {
      await outbox.record(pool, auditEvent(`notify-${i}`));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // The backoff doubles from 50 ms: about 5 claims in a second, not one per NOTIFY.
    expect(claims - before).toBeLessThan(12);
  });

  it('masks the database password and the client\'s key in the driver errors it logs and emits', async () => {
    const outbox = await freshOutbox();
    const apiKey = 'client-key-9x8y7w6v';
    const password = 'db-pass-7f3k9q2z';
    const keyed = new AuditsClient({ adapter: vendor.adapter, apiKey, flushIntervalMs: 0, logger });
    // A pool as node-postgres shapes one (its settings in `options`) whose claims fail with a message that echoes
    // both credentials, as a driver or a proxy in front of the database might.
    const leaky = {
      options: { connectionString: `postgres://app:${encodeURIComponent(password)}@127.0.0.1:5432/test` },
      query: async (text: string, values: unknown[]) => {
        if (/SKIP LOCKED/.test(text)) throw new Error(`connection to postgres://app:${password}@db refused (api key ${apiKey})`);
        return pool.query(text, values);
      },
    };
    const errors: Error[] = [];
    const relay = createOutbox(keyed, { db: leaky, schema, table: outbox.table.split('.')[1] }).startRelay({ listen: false, pollIntervalMs: 20, concurrency: 1 });
    relays.push(relay);
    relay.on('error', (error) => void errors.push(error));
    try {
      await until(() => errors.length > 0 && warnings.length > 0, 5_000, 'a reported claim failure');
      const emitted = [...warnings, ...errors.map((error) => `${error.message} ${String(error.cause ?? '')}`)].join('\n');
      expect(emitted).toContain('claim failed');
      expect(emitted).not.toContain(password);
      expect(emitted).not.toContain(apiKey);
    } finally {
      await relay.stop();
      await keyed.close();
    }
  });

  it('stops: finishes what it holds, then claims nothing more', async () => {
    const outbox = await freshOutbox();
    await outbox.recordMany(pool, [auditEvent('s1'), auditEvent('s2')]);
    const relay = outbox.startRelay({ pollIntervalMs: 20 });
    const seen = collect(relay);
    await until(() => seen.delivered.length === 2, 5_000, 'the deliveries');
    expect(() => relay.stop({ timeoutMs: -1 })).toThrow(/stop.timeoutMs: must be an integer >= 0/);
    await relay.stop();
    await relay.stop();
    await outbox.record(pool, auditEvent('after-stop'));
    expect(relay.claimsInFlight).toBe(0);
    expect(await outbox.stats()).toMatchObject({ pending: 1 });
  });

  it('releases what it still holds when stop() times out, so another relay takes it at once', async () => {
    const outbox = await freshOutbox();
    vendor.delayMs = 1_000;
    await outbox.record(pool, auditEvent('held'));
    const relay = outbox.startRelay({ leaseMs: 60_000 });
    collect(relay);
    await until(async () => (await outbox.stats()).leased === 1, 5_000, 'the claim');
    await relay.stop({ timeoutMs: 50 });
    expect(await outbox.stats()).toMatchObject({ pending: 1, leased: 0 });
  });

  it('isolates listeners that throw: the row is still settled and the throw is logged', async () => {
    const outbox = await freshOutbox();
    await outbox.record(pool, auditEvent('listener'));
    const relay = outbox.startRelay();
    relays.push(relay);
    relay.on('delivered', () => {
      throw new Error('listener bug');
    });
    await until(() => warnings.some((line) => line.includes('listener bug')), 5_000, 'the logged throw');
    await until(async () => (await outbox.stats()).pending + (await outbox.stats()).leased === 0, 5_000, 'the settled row');
  });

  it('calls every listener even when one throws, catches async ones that reject, and survives a throwing logger', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    const throwingLogger = {
      debug: () => {
        throw new Error('logger bug');
      },
      warn: () => {
        throw new Error('logger bug');
      },
      error: () => {
        throw new Error('logger bug');
      },
    };
    const own = new AuditsClient({ adapter: vendor.adapter, flushIntervalMs: 0, retry: { maxRetries: 0 }, logger: throwingLogger });
    try {
      const outbox = createOutbox(own, { db: pool, schema, table: `relay_${table++}` });
      await outbox.migrate();
      await outbox.record(pool, auditEvent('isolated'));
      const relay = outbox.startRelay();
      relays.push(relay);
      const heard: string[] = [];
      relay.on('delivered', () => {
        throw new Error('first listener bug');
      });
      relay.on('delivered', async () => {
        await Promise.resolve();
        throw new Error('async listener bug');
      });
      relay.on('delivered', (receipt) => void heard.push(receipt.id));
      await until(() => heard.length === 1, 5_000, 'the third listener');
      await until(async () => (await outbox.stats()).pending + (await outbox.stats()).leased === 0, 5_000, 'the settled row');
      // A turn for a rejection that escaped to be reported.
      await new Promise((resolve) => setImmediate(resolve));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      await own.close();
    }
  });
});
