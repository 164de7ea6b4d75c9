import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { claimSql, deliveredSql, freshStatisticsSql, heartbeatSql, releaseSql } from '../../src/outbox/claim-sql.js';
import { migrationScript } from '../../src/outbox/migrate-sql.js';
import { tableNames } from '../../src/outbox/table-names.js';
import { until, useSchema } from './outbox-fixture.js';

const { schema, pool } = await useSchema();
const names = tableNames({ schema, table: 'claims' });
await pool.query(migrationScript(names));

describe('the relay statements', () => {
  it('commit without waiting for the WAL flush, for their own transaction only', async () => {
    await pool.query(`INSERT INTO ${names.table} (event_id, hash, wire, bytes, adapter) VALUES ('e1', 'h', '{}', 2, 'a')`);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const claimed = await client.query(claimSql(names), [1_000, 10, 'a', randomUUID()]);
      expect(claimed.rows).toHaveLength(1);
      expect((await client.query('SHOW synchronous_commit')).rows[0].synchronous_commit).toBe('off');
      await client.query('COMMIT');
      // Scoped to that transaction: the pooled connection goes back as it came.
      expect((await client.query('SHOW synchronous_commit')).rows[0].synchronous_commit).toBe('on');
    } finally {
      client.release();
    }
  });

  it('claim in index order, reading O(batch) rows of a large backlog', async () => {
    await pool.query(
      `INSERT INTO ${names.table} (event_id, hash, wire, bytes, adapter) SELECT 'b' || g, 'h', '{}', 2, 'a' FROM generate_series(1, 20000) g`,
    );
    await pool.query(`ANALYZE ${names.table}`);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const plan = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${claimSql(names)}`, [1_000, 100, 'a', randomUUID()]);
      await client.query('ROLLBACK');
      const text = JSON.stringify(plan.rows[0]['QUERY PLAN']);
      expect(text).toContain(`"Index Name":"claims_claim"`);
      // The index scan stops after the batch: it never reads the 20,000-row backlog.
      const scans = [...text.matchAll(/"Node Type":"Index Scan"[^}]*?"Actual Rows":(\d+)/g)].map((match) => Number(match[1]));
      expect(scans.length).toBeGreaterThan(0);
      expect(Math.max(...scans)).toBeLessThanOrEqual(100);
    } finally {
      client.release();
    }
  });

  it('heartbeat and release the held rows by primary key, never reading the backlog', async () => {
    // After the test above: a backlog of 20,000 rows; claim a batch of it and explain what follows.
    const token = randomUUID();
    const claimed = await pool.query(claimSql(names), [60_000, 50, 'a', token]);
    const ids = claimed.rows.map((row) => row.row_id as string);
    expect(ids).toHaveLength(50);
    for (const [text, values] of [
      [heartbeatSql(names), [60_000, ids, [token]]],
      [releaseSql(names), [ids, [token]]],
    ] as const) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const plan = JSON.stringify((await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, [...values])).rows[0]['QUERY PLAN']);
        await client.query('ROLLBACK');
        expect(plan).toContain(`"Index Name":"claims_pkey"`);
        expect(plan).not.toContain('Seq Scan');
        expect(plan).toMatch(/"Actual Rows":50/);
      } finally {
        client.release();
      }
    }
  });

  it('claim O(batch) on a backlog that flooded the table before it was ever analyzed, once the relay refreshed its statistics', async () => {
    const flooded = tableNames({ schema, table: 'flooded' });
    await pool.query(migrationScript(flooded));
    await pool.query(
      `INSERT INTO ${flooded.table} (event_id, hash, wire, bytes, adapter) SELECT 'f' || g, 'h', '{}', 2, 'a' FROM generate_series(1, 20000) g`,
    );
    // Cumulative statistics reach pg_stat_user_tables when the writing backend flushes them (at most once a second).
    await pool.query('SELECT pg_stat_force_next_flush()').catch(() => {});
    const claimScan = async (): Promise<string> => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const plan = await client.query(`EXPLAIN (FORMAT JSON) ${claimSql(flooded)}`, [1_000, 100, 'a', randomUUID()]);
        await client.query('ROLLBACK');
        return JSON.stringify(plan.rows[0]['QUERY PLAN']);
      } finally {
        client.release();
      }
    };
    // What the planner does without statistics: the whole backlog through a bitmap, then a sort, every claim.
    expect(await claimScan()).toContain('Bitmap Heap Scan');
    await until(async () => {
      await pool.query(freshStatisticsSql(flooded));
      return (await pool.query(`SELECT last_analyze FROM pg_stat_user_tables WHERE relid = '${flooded.table}'::regclass`)).rows[0]?.last_analyze !== null;
    }, 10_000, 'the statistics refreshed');
    const plan = await claimScan();
    expect(plan).not.toContain('Bitmap Heap Scan');
    expect(plan).toContain(`"Index Name":"flooded_claim"`);
    // Fresh statistics: nothing more to do.
    const before = (await pool.query(`SELECT analyze_count FROM pg_stat_user_tables WHERE relid = '${flooded.table}'::regclass`)).rows[0]?.analyze_count;
    await pool.query(freshStatisticsSql(flooded));
    expect((await pool.query(`SELECT analyze_count FROM pg_stat_user_tables WHERE relid = '${flooded.table}'::regclass`)).rows[0]?.analyze_count).toBe(before);
  });

  it('settle only rows still held under the lease token (a taken-over row is not deleted)', async () => {
    const token = randomUUID();
    const [row] = (await pool.query(claimSql(names), [60_000, 1, 'a', token])).rows as { row_id: string }[];
    await pool.query(`UPDATE ${names.table} SET lease_token = $1 WHERE id = $2`, [randomUUID(), row?.row_id]);
    await pool.query(deliveredSql(names, false), [[row?.row_id], token]);
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${names.table} WHERE id = $1`, [row?.row_id])).rows[0].n).toBe(1);
  });
});
