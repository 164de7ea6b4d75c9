import { sql as drizzleSql, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import knex from 'knex';
import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditsClient } from '../../src/index.js';
import { createOutbox } from '../../src/outbox.js';
import { auditEvent, startPickyVendor, useSchema } from './outbox-fixture.js';

// The one-line bridges docs/outbox.md gives for query builders and ORMs, run against a real PostgreSQL: each
// records inside the library's own transaction, committed and rolled back. (Prisma's is documented but not run
// here: its engine is downloaded at install time, which this project's machines cannot do.)

const { url, schema, pool } = await useSchema();
const vendor = await startPickyVendor(() => false);
const client = new AuditsClient({ adapter: vendor.adapter });
const outbox = createOutbox(client, { db: pool, schema });
await outbox.migrate();
afterAll(async () => {
  await client.close();
  await vendor.close();
});

async function recordedIds(): Promise<string[]> {
  const { rows } = await pool.query<{ event_id: string }>(`SELECT event_id FROM ${schema}.auditwire_outbox ORDER BY id`);
  return rows.map((row) => row.event_id);
}

/** Drizzle: the statement's `$n` placeholders (once each, in order) become drizzle parameters. */
function drizzleQuery(text: string, values: unknown[]): SQL {
  return drizzleSql.join(text.split(/\$\d+/).map((part, i) => (i === 0 ? drizzleSql.raw(part) : drizzleSql`${drizzleSql.param(values[i - 1])}${drizzleSql.raw(part)}`)));
}

describe('bridges to query builders and ORMs', () => {
  it('records through a Knex transaction', async () => {
    const db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 2 } });
    try {
      await db.transaction(async (trx) => {
        const bridge = { query: (text: string, values: unknown[]) => trx.raw(text.replace(/\$\d+/g, '?'), values as never[]) };
        await outbox.recordMany(bridge, [auditEvent('knex-1'), auditEvent('knex-2')]);
      });
      await db
        .transaction(async (trx) => {
          await outbox.record({ query: (text, values) => trx.raw(text.replace(/\$\d+/g, '?'), values as never[]) }, auditEvent('knex-rolled-back'));
          throw new Error('rolled back');
        })
        .catch(() => {});
    } finally {
      await db.destroy();
    }
    expect(await recordedIds()).toEqual(['evt-knex-1', 'evt-knex-2']);
  });

  it('records through a Kysely transaction', async () => {
    const pg = await import('pg');
    const db = new Kysely<object>({ dialect: new PostgresDialect({ pool: new pg.default.Pool({ connectionString: url, max: 2 }) }) });
    try {
      await db.transaction().execute(async (trx) => {
        await outbox.record({ query: (text, values) => trx.executeQuery(CompiledQuery.raw(text, values)) }, auditEvent('kysely-1'));
        await outbox.recordMany({ query: (text, values) => trx.executeQuery(CompiledQuery.raw(text, values)) }, [auditEvent('kysely-2'), auditEvent('kysely-3')]);
      });
    } finally {
      await db.destroy();
    }
    expect((await recordedIds()).filter((id) => id.includes('kysely'))).toEqual(['evt-kysely-1', 'evt-kysely-2', 'evt-kysely-3']);
  });

  it('records through a Drizzle transaction', async () => {
    const db = drizzle(url);
    try {
      await db.transaction(async (tx) => {
        await outbox.recordMany({ query: (text, values) => tx.execute(drizzleQuery(text, values)) }, [auditEvent('drizzle-1'), auditEvent('drizzle-2')]);
        await outbox.record({ query: (text, values) => tx.execute(drizzleQuery(text, values)) }, auditEvent('drizzle-3'));
      });
      await db
        .transaction(async (tx) => {
          await outbox.record({ query: (text, values) => tx.execute(drizzleQuery(text, values)) }, auditEvent('drizzle-rolled-back'));
          throw new Error('rolled back');
        })
        .catch(() => {});
    } finally {
      await db.$client.end();
    }
    expect((await recordedIds()).filter((id) => id.includes('drizzle'))).toEqual(['evt-drizzle-1', 'evt-drizzle-2', 'evt-drizzle-3']);
  });
});
