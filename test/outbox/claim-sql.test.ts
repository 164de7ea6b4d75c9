import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { claimSql, deliveredSql } from '../../src/outbox/claim-sql.js';
import { migrationScript } from '../../src/outbox/migrate-sql.js';
import { tableNames } from '../../src/outbox/table-names.js';
import { useSchema } from './outbox-fixture.js';

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

  it('settle only rows still held under the lease token (a taken-over row is not deleted)', async () => {
    const token = randomUUID();
    const [row] = (await pool.query(claimSql(names), [60_000, 1, 'a', token])).rows as { row_id: string }[];
    await pool.query(`UPDATE ${names.table} SET lease_token = $1 WHERE id = $2`, [randomUUID(), row?.row_id]);
    await pool.query(deliveredSql(names, false), [[row?.row_id], [token], ['h'], [null], [null], [false]]);
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${names.table} WHERE id = $1`, [row?.row_id])).rows[0].n).toBe(1);
  });
});
