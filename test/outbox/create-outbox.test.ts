import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditsClient, ValidationError } from '../../src/index.js';
import { createOutbox } from '../../src/outbox.js';
import { auditEvent, startPickyVendor, useSchema, type PickyVendor } from './outbox-fixture.js';

const { url, schema, pool } = await useSchema();
let vendor: PickyVendor;
let client: AuditsClient;

beforeAll(async () => {
  vendor = await startPickyVendor(() => false);
  client = new AuditsClient({ adapter: vendor.adapter, flushIntervalMs: 0 });
});
afterAll(async () => {
  await client.close();
  await vendor.close();
});

const rowCount = async (table: string): Promise<number> =>
  Number((await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.${table}`)).rows[0]?.n);

describe('createOutbox', () => {
  it('migrates idempotently, even from several instances at once', async () => {
    const outbox = createOutbox(client, { db: pool, schema, table: 'migrated' });
    await Promise.all([outbox.migrate(), outbox.migrate(), outbox.migrate()]);
    await outbox.migrate();
    const { rows } = await pool.query<{ reloptions: string[] }>(
      `SELECT reloptions FROM pg_class WHERE oid = '${schema}.migrated'::regclass`,
    );
    expect(rows[0]?.reloptions).toContain('autovacuum_vacuum_scale_factor=0');
    expect(await rowCount('migrated_receipts')).toBe(0);
  });

  it('writes one row in a committed transaction and none in a rolled-back one', async () => {
    const outbox = createOutbox(client, { db: pool, schema, table: 'atomic' });
    await outbox.migrate();
    const tx = await pool.connect();
    try {
      await tx.query('BEGIN');
      const recorded = await outbox.record(tx, auditEvent('kept'));
      await tx.query('COMMIT');
      expect(recorded.id).toBe('evt-kept');
      expect(recorded.hash).toMatch(/^[0-9a-f]{64}$/);
      await tx.query('BEGIN');
      await outbox.record(tx, auditEvent('rolled-back'));
      await tx.query('ROLLBACK');
    } finally {
      tx.release();
    }
    const { rows } = await pool.query<{ event_id: string }>(`SELECT event_id FROM ${schema}.atomic`);
    expect(rows.map((row) => row.event_id)).toEqual(['evt-kept']);
  });

  it('rejects an invalid event with ValidationError and inserts nothing', async () => {
    const outbox = createOutbox(client, { db: pool, schema, table: 'invalid' });
    await outbox.migrate();
    await expect(outbox.record(pool, { id: 'x' } as never)).rejects.toBeInstanceOf(ValidationError);
    const error = await outbox.recordMany(pool, [auditEvent(1), { id: 'y' } as never]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toBe('$[1].action');
    expect(await rowCount('invalid')).toBe(0);
  });

  it('records many events with one statement, and nothing for an empty list', async () => {
    const outbox = createOutbox(client, { db: pool, schema, table: 'many' });
    await outbox.migrate();
    const statements: string[] = [];
    const counting = { query: (text: string, values: unknown[]) => (statements.push(text), pool.query(text, values)) };
    const recorded = await outbox.recordMany(counting, [auditEvent('m1'), auditEvent('m2'), auditEvent('m3')]);
    expect(recorded.map((r) => r.id)).toEqual(['evt-m1', 'evt-m2', 'evt-m3']);
    expect(await outbox.recordMany(counting, [])).toEqual([]);
    expect(statements).toHaveLength(1);
    expect(await rowCount('many')).toBe(3);
  });

  it('records through a postgres.js transaction, committed and rolled back', async () => {
    const sql = postgres(url, { max: 2, onnotice: () => {} });
    try {
      const outbox = createOutbox(client, { db: sql, schema, table: 'postgresjs' });
      await outbox.migrate();
      await sql.begin(async (tx) => {
        await outbox.recordMany(tx, [auditEvent('p1'), auditEvent('p2')]);
        await outbox.record(tx, auditEvent('p3'));
      });
      await sql
        .begin(async (tx) => {
          await outbox.record(tx, auditEvent('p4'));
          throw new Error('the action failed');
        })
        .catch(() => {});
      const rows = await sql.unsafe(`SELECT event_id FROM ${schema}.postgresjs ORDER BY id`);
      expect(rows.map((row) => row.event_id)).toEqual(['evt-p1', 'evt-p2', 'evt-p3']);
      expect(await outbox.stats()).toMatchObject({ pending: 3, leased: 0, dead: 0 });
    } finally {
      await sql.end();
    }
  });

  it('reports stats, lists, retries and purges dead rows', async () => {
    const outbox = createOutbox(client, { db: pool, schema, table: 'admin' });
    await outbox.migrate();
    await outbox.recordMany(pool, [auditEvent('a1'), auditEvent('a2'), auditEvent('a3')]);
    await pool.query(`UPDATE ${schema}.admin SET state = 'dead', last_error = 'refused', last_status = 422, attempts = 1 WHERE event_id <> 'evt-a3'`);
    const stats = await outbox.stats();
    expect(stats).toMatchObject({ pending: 1, leased: 0, dead: 2 });
    expect(stats.oldestPendingAgeMs).toBeGreaterThanOrEqual(0);
    expect(await outbox.dead()).toEqual([
      { id: 'evt-a1', attempts: 1, lastStatus: 422, lastError: 'refused' },
      { id: 'evt-a2', attempts: 1, lastStatus: 422, lastError: 'refused' },
    ]);
    expect(await outbox.retry({ ids: ['evt-a1'] })).toBe(1);
    expect(await outbox.purge()).toBe(1);
    expect(await outbox.stats()).toMatchObject({ pending: 2, dead: 0 });
  });

  it('refuses what is not an AuditsClient, a driver, or a plain table name', () => {
    expect(() => createOutbox({}, { db: pool })).toThrow(/must be an AuditsClient/);
    expect(() => createOutbox(client, { db: {} as never })).toThrow(/options.db must be/);
    expect(() => createOutbox(client, { db: pool, table: 'bad"name' })).toThrow(/plain identifier/);
  });

  it('rejects record through something that is not a transaction, before writing', async () => {
    const outbox = createOutbox(client, { db: pool, schema, table: 'atomic' });
    await expect(outbox.record(42 as never, auditEvent('nope'))).rejects.toThrow(/record\(tx\): tx must be/);
  });
});
