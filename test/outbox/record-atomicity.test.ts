import { afterAll, describe, expect, it } from 'vitest';
import { AuditsClient } from '../../src/index.js';
import { createOutbox } from '../../src/outbox.js';
import { recordFigures, sized, testing } from '../reliability/target.js';
import { ensureOutboxBuilt, startChild, type Child } from './child-process.js';
import { until, useSchema } from './outbox-fixture.js';

// Done means: 2,000 transactions from 4 writer processes, a third of them rolled back after record(): every
// committed event delivered, no rolled-back event ever sent. (CI: 4 x 30; `npm run reliability`: 4 x 500.)

const WRITERS = 4;
const PER_WRITER = sized({ ci: 30, full: 500 });
const { url, schema, pool } = await useSchema();
ensureOutboxBuilt();
const server = await testing.createReferenceServer({ deduplicate: true });
const children: Child[] = [];
afterAll(async () => {
  for (const child of children) child.process.kill('SIGKILL');
  await server.close();
});

describe('record inside the caller transaction, from several processes', () => {
  it(`delivers every committed event and never one rolled back (${WRITERS} writers x ${PER_WRITER} transactions)`, async () => {
    await pool.query(`CREATE TABLE ${schema}.app_actions (id text PRIMARY KEY)`);
    const client = new AuditsClient({ adapter: 'auditlog', endpoint: server.url, apiKey: 'setup:secret' });
    await createOutbox(client, { db: pool, schema }).migrate();
    await client.close();

    const started = Date.now();
    for (let writer = 0; writer < WRITERS; writer++) {
      children.push(startChild('./writer-child.mjs', { url, schema, endpoint: server.url, writer, transactions: PER_WRITER }));
    }
    const reports = await Promise.all(children.map((child) => child.line((line) => line.startsWith('{'), sized({ ci: 80_000, full: 500_000 }))));
    const { committed, rolledBack } = reports
      .map((line) => JSON.parse(line) as { committed: string[]; rolledBack: string[] })
      .reduce((all, one) => ({ committed: [...all.committed, ...one.committed], rolledBack: [...all.rolledBack, ...one.rolledBack] }));
    expect(committed.length + rolledBack.length).toBe(WRITERS * PER_WRITER);

    // What the app committed is exactly what the writers say they committed.
    const { rows } = await pool.query<{ id: string }>(`SELECT id FROM ${schema}.app_actions`);
    expect(new Set(rows.map((row) => row.id))).toEqual(new Set(committed));

    const stored = (): Set<string> => new Set(server.events.map((event) => event.eventId));
    await until(() => stored().size >= committed.length, 60_000, 'every committed event at the server');
    const seconds = (Date.now() - started) / 1000;
    expect(stored()).toEqual(new Set(committed));
    expect(rolledBack.filter((id) => stored().has(id))).toEqual([]);
    // Nothing left behind in the outbox: a relay deletes a row once the server's answer reaches it, which can be a
    // moment after the server stored the event.
    const left = async (): Promise<number> =>
      (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.auditwire_outbox`)).rows[0]?.n ?? -1;
    await until(async () => (await left()) === 0, 10_000, 'the outbox to be empty');
    expect(await left()).toBe(0);

    await Promise.all(children.map((child) => (child.process.kill('SIGTERM'), child.exited)));
    recordFigures('outbox-atomicity', {
      writers: WRITERS,
      transactions: WRITERS * PER_WRITER,
      committed: committed.length,
      rolledBack: rolledBack.length,
      delivered: stored().size,
      rolledBackSent: 0,
      duplicatesAbsorbed: server.stats.duplicates,
      seconds,
    });
  }, sized({ ci: 90_000, full: 600_000 }));
});
