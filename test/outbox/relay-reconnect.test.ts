import pg from 'pg';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditsClient } from '../../src/index.js';
import { createOutbox, type OutboxRelay } from '../../src/outbox.js';
import { auditEvent, startPickyVendor, until } from './outbox-fixture.js';
import { startPrivateServer } from './postgres-server.js';
import { startStallingProxy } from './stalling-proxy.js';

// A relay whose LISTEN connection is lost (the server restarted, stayed down a while, or the session was killed)
// must listen again on its own, on either driver, once the database is back, and wake on NOTIFY again. The relays
// here poll once a minute: only a live LISTEN delivers a row within seconds. A private server, so the restarts
// disturb no other test file.

const database = await startPrivateServer();
const vendor = await startPickyVendor(() => false);
const warnings: string[] = [];
const logger = { debug: () => {}, warn: (message: string) => void warnings.push(message), error: (message: string) => void warnings.push(message) };
const client = new AuditsClient({ adapter: vendor.adapter, flushIntervalMs: 0, logger });
const pool = new pg.Pool({ connectionString: database.url, max: 4 });
pool.on('error', () => {});
// postgres.js as users make it: its reconnect backoff (up to 20 s) bounds how soon any statement runs again.
const sql = postgres(database.url, { max: 4, onnotice: () => {} });
const relays: OutboxRelay[] = [];
afterAll(async () => {
  await Promise.all(relays.map((relay) => relay.stop({ timeoutMs: 1_000 })));
  await client.close();
  await vendor.close();
  await sql.end({ timeout: 0 });
  await pool.end().catch(() => {});
  await database.stop();
}, 30_000);

const drivers = { pg: pool, postgres: sql } as const;
const outboxes = Object.fromEntries(
  Object.entries(drivers).map(([name, db]) => [name, createOutbox(client, { db, table: `reconnect_${name}` })]),
) as Record<keyof typeof drivers, ReturnType<typeof createOutbox>>;
for (const outbox of Object.values(outboxes)) await outbox.migrate();

const listeners = async (): Promise<number> =>
  Number((await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query ILIKE 'listen%auditwire_outbox_%'`)).rows[0]?.n);

function startRelays(): Record<keyof typeof drivers, OutboxRelay> {
  const started = {
    pg: outboxes.pg.startRelay({ pollIntervalMs: 60_000, concurrency: 1 }),
    postgres: outboxes.postgres.startRelay({ pollIntervalMs: 60_000, concurrency: 1 }),
  };
  for (const relay of Object.values(started)) {
    relay.on('error', () => {});
    relays.push(relay);
  }
  return started;
}

/** Records one event through each outbox and waits for both: only a woken relay delivers it this soon. */
async function deliveredByNotify(tag: string, ms: number): Promise<void> {
  for (const name of Object.keys(drivers) as (keyof typeof drivers)[]) {
    await until(async () => (await retrying(() => outboxes[name].record(pool, auditEvent(`${tag}-${name}`)))) !== undefined, ms, `a committed ${name} row`);
  }
  await until(() => vendor.stored.has(`evt-${tag}-pg`) && vendor.stored.has(`evt-${tag}-postgres`), ms, `${tag}: both rows delivered on NOTIFY`);
}

async function retrying<T>(write: () => Promise<T>): Promise<T | undefined> {
  return write().catch(() => undefined);
}

describe('relay LISTEN after losing its connection', () => {
  const [pgRelay, postgresRelay] = Object.values(startRelays());

  it('listens again after the server was down for seconds, on node-postgres and postgres.js', async () => {
    await until(async () => (await listeners()) === 2 && pgRelay!.listening && postgresRelay!.listening, 10_000, 'both relays listening');
    await deliveredByNotify('before', 5_000);
    warnings.length = 0;
    // Down for longer than one reconnect attempt of either driver, so that a single re-LISTEN fails.
    await database.restart(3_000);
    await until(async () => (await listeners().catch(() => 0)) === 2 && pgRelay!.listening && postgresRelay!.listening, 40_000, 'both relays listening again');
    await deliveredByNotify('after-restart', 5_000);
    // Reported: the loss and the way back. (postgres.js may re-listen by itself first, saying nothing of either.)
    expect(warnings.some((line) => /LISTEN failed: the LISTEN connection was lost/.test(line))).toBe(true);
    expect(warnings.some((line) => /listening again for NOTIFY after \d+ ms/.test(line))).toBe(true);
  }, 90_000);

  it('listens again after its LISTEN session alone was terminated', async () => {
    await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'listen%auditwire_outbox_%'`);
    await until(async () => (await listeners()) === 2, 15_000, 'both relays listening again');
    await deliveredByNotify('after-terminate', 5_000);
  }, 60_000);

  it('listens again when its LISTEN connection silently stops answering (no driver notices that)', async () => {
    const proxy = await startStallingProxy(database.url);
    // Idle clients close at once, so that when the proxy stalls, the only connection open is the relay's LISTEN.
    const viaProxy = new pg.Pool({ connectionString: proxy.url, max: 4, idleTimeoutMillis: 20 });
    viaProxy.on('error', () => {});
    const outbox = createOutbox(client, { db: viaProxy, table: 'reconnect_stalled' });
    await outbox.migrate();
    const relay = outbox.startRelay({ pollIntervalMs: 60_000, concurrency: 1 });
    relay.on('error', () => {});
    try {
      await until(() => relay.listening && viaProxy.totalCount === 1, 10_000, 'the relay listening, alone on the proxy');
      warnings.length = 0;
      proxy.stall();
      await outbox.record(pool, auditEvent('stalled'));
      await until(() => vendor.stored.has('evt-stalled'), 20_000, 'the row delivered on NOTIFY through a new LISTEN');
      expect(warnings.some((line) => /LISTEN connection was lost \(its probe NOTIFY did not come back/.test(line))).toBe(true);
    } finally {
      await relay.stop({ timeoutMs: 1_000 });
      await viaProxy.end().catch(() => {});
      await proxy.close();
    }
  }, 60_000);
});
