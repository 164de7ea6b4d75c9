import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditsClient } from '../../src/index.js';
import { createOutbox } from '../../src/outbox.js';
import { recordFigures, sized, testing } from '../reliability/target.js';
import { ensureOutboxBuilt, startChild, type Child } from './child-process.js';
import { until } from './outbox-fixture.js';
import { startPrivateServer } from './postgres-server.js';

// Done means: 3 relay processes SIGKILLed at random points and restarted, and the PostgreSQL server restarted once
// mid-run: every committed event delivered (0 lost), none stored twice on a deduplicating server, every relay
// reconnects on its own, nothing stuck longer than the lease plus one poll interval. A private PostgreSQL server,
// so the restart disturbs no other test file. (CI: 1,000 events; `npm run reliability`: 20,000.)

const EVENTS = sized({ ci: 1_000, full: 20_000 });
const PER_TRANSACTION = 50;
const LEASE_MS = 2_000;
const POLL_MS = 250;
const KILLS = sized({ ci: 4, full: 30 });
// Small claims in CI (many claims, so 1,000 events meet kills mid-claim); the relays' defaults at full size.
const RELAY_CLAIMS = sized<{ batchSize?: number; concurrency?: number }>({ ci: { batchSize: 50, concurrency: 3 }, full: {} });
// A seeded generator: the kill schedule repeats run to run.
let seed = 42;
const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

ensureOutboxBuilt();
const database = await startPrivateServer();
const pool = new pg.Pool({ connectionString: database.url, max: 4 });
pool.on('error', () => {});
const server = await testing.createReferenceServer({ deduplicate: true, faults: { dropAfterStoreProbability: 0.02 } });
const relays: (Child | undefined)[] = [];
const unexpectedExits: string[] = [];
afterAll(async () => {
  for (const child of relays) child?.process.kill('SIGKILL');
  await pool.end().catch(() => {});
  await server.close();
  await database.stop();
}, 30_000);

function startRelay(index: number): Child {
  const child = startChild('./relay-child.mjs', {
    url: database.url,
    schema: 'public',
    endpoint: server.url,
    driver: index === 2 ? 'postgres' : 'pg',
    leaseMs: LEASE_MS,
    pollIntervalMs: POLL_MS,
    ...RELAY_CLAIMS,
  });
  void child.exited.then((how) => {
    if (how !== 'SIGKILL' && how !== 0) unexpectedExits.push(`relay ${index}: ${String(how)}`);
  });
  relays[index] = child;
  return child;
}

/** Records `count` events in transactions of PER_TRANSACTION, retrying a transaction the database dropped. */
async function recordEvents(outbox: ReturnType<typeof createOutbox>, from: number, count: number, committedAt: Map<string, number>): Promise<void> {
  for (let start = from; start < from + count; start += PER_TRANSACTION) {
    const events = Array.from({ length: Math.min(PER_TRANSACTION, from + count - start) }, (_, i) => ({
      id: `crash-${start + i}`,
      action: 'invoice.paid',
      actor: { id: `user-${start + i}` },
    }));
    for (let attempt = 1; ; attempt++) {
      try {
        const tx = await pool.connect();
        try {
          await tx.query('BEGIN');
          await outbox.recordMany(tx, events);
          await tx.query('COMMIT');
          tx.release();
        } catch (error) {
          // A connection that failed mid-transaction is not handed back to the pool.
          tx.release(true);
          throw error;
        }
        break;
      } catch (error) {
        // The server is restarting: the app retries its transaction (the same ids: a rolled-back one wrote nothing).
        if (attempt >= 200) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const now = Date.now();
    for (const event of events) committedAt.set(event.id, now);
  }
}

describe('relays under SIGKILL and a PostgreSQL restart', () => {
  it(`delivers ${EVENTS} committed events once each`, async () => {
    const client = new AuditsClient({ adapter: 'auditlog', endpoint: server.url, apiKey: 'app:secret' });
    const outbox = createOutbox(client, { db: pool });
    await outbox.migrate();
    const started = Date.now();
    await Promise.all([0, 1, 2].map((index) => startRelay(index).line((line) => line === 'ready', 30_000)));

    // Longest a due row waited for a claim (a crashed relay's rows are due once their lease lapses).
    let maxDueWaitMs = 0;
    let sampling = true;
    let restartWindow: [number, number] = [0, 0];
    const sampler = (async () => {
      while (sampling) {
        const sampledAt = Date.now();
        const row = await pool
          .query<{ wait: number | null }>(`SELECT extract(epoch FROM now() - min(greatest(visible_at, leased_until))) * 1000 AS wait FROM auditwire_outbox WHERE state = 'pending' AND visible_at <= now() AND (leased_until IS NULL OR leased_until <= now())`)
          .catch(() => undefined);
        const wait = Number(row?.rows[0]?.wait ?? 0);
        // Outside the restart (while the server is down no relay can claim, and that is not a stuck row).
        if (sampledAt > restartWindow[1] + LEASE_MS + POLL_MS || restartWindow[1] === 0) maxDueWaitMs = Math.max(maxDueWaitMs, wait);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    let kills = 0;
    let killing = true;
    const killer = (async () => {
      while (killing && kills < KILLS) {
        await new Promise((resolve) => setTimeout(resolve, 300 + random() * 700));
        if (!killing) break;
        const index = Math.floor(random() * 3);
        relays[index]?.process.kill('SIGKILL');
        await relays[index]?.exited;
        kills++;
        await startRelay(index).line((line) => line === 'ready', 30_000);
      }
    })();

    const committedAt = new Map<string, number>();
    await recordEvents(outbox, 0, EVENTS / 2, committedAt);
    // Every kill is made, while the first half is recorded and then drained.
    await killer;
    killing = false;

    // The restart, once, mid-run: relays must come back by themselves.
    restartWindow = [Date.now(), 0];
    await database.restart();
    restartWindow = [restartWindow[0], Date.now()];
    // Every relay reconnects on its own: the restart cut every session, and each of the three LISTENs again on a
    // new one (node-postgres through its pool, postgres.js through sql.listen). That none exited is checked below.
    const listening = async (): Promise<number> =>
      Number((await pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query ILIKE 'listen%auditwire_outbox_%'`)).rows[0]?.n);
    const relistened = until(async () => (await listening().catch(() => 0)) >= 3, 60_000, 'three relays listening again after the restart').then(
      () => Date.now() - restartWindow[1],
    );
    relistened.catch(() => {});
    await recordEvents(outbox, EVENTS / 2, EVENTS / 2, committedAt);
    const relistenMs = await relistened.catch((error: unknown) => {
      const recent = relays.map((child, index) => `relay ${index}:\n${(child?.lines ?? []).filter((line) => line.startsWith('w ')).slice(-15).join('\n')}`);
      throw new Error(`${String(error)}\n${recent.join('\n')}`);
    });

    killing = true;
    const lateKiller = (async () => {
      for (let late = 0; late < 2; late++) {
        await new Promise((resolve) => setTimeout(resolve, 300 + random() * 500));
        const index = Math.floor(random() * 3);
        relays[index]?.process.kill('SIGKILL');
        await relays[index]?.exited;
        kills++;
        await startRelay(index).line((line) => line === 'ready', 30_000);
      }
    })();
    await lateKiller;

    const stored = (): Set<string> => new Set(server.events.map((event) => event.eventId));
    await until(() => stored().size >= committedAt.size, sized({ ci: 60_000, full: 300_000 }), 'every committed event at the server');
    sampling = false;
    await sampler;
    const seconds = (Date.now() - started) / 1000;

    const ids = stored();
    const lost = [...committedAt.keys()].filter((id) => !ids.has(id));
    const storedTwice = server.events.length - ids.size;
    expect(lost).toEqual([]);
    expect(storedTwice).toBe(0);
    expect(unexpectedExits).toEqual([]);
    expect(maxDueWaitMs).toBeLessThan(POLL_MS + 2_000);
    await until(async () => (await outbox.stats()).pending + (await outbox.stats()).leased === 0, 30_000, 'an empty outbox');
    await client.close();

    const figures = {
      events: committedAt.size,
      delivered: ids.size,
      lost: lost.length,
      storedTwice,
      duplicatesAbsorbed: server.stats.duplicates,
      kills,
      postgresRestarts: 1,
      restartMs: restartWindow[1] - restartWindow[0],
      relistenMs,
      leaseMs: LEASE_MS,
      pollIntervalMs: POLL_MS,
      maxDueWaitMs: Math.round(maxDueWaitMs),
      seconds,
      claims: RELAY_CLAIMS.batchSize === undefined ? 'the defaults (400 rows, 2 in flight)' : `${RELAY_CLAIMS.batchSize} rows, ${RELAY_CLAIMS.concurrency} in flight`,
    };
    recordFigures('outbox-crash', figures);
  }, sized({ ci: 120_000, full: 900_000 }));
});
