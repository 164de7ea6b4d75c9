import type { TableNames } from './table-names.js';

/** One claimed row, as the relay hands it to the client. */
export interface ClaimedRow {
  /** The row's key (bigint, as text). */
  readonly rowId: string;
  readonly eventId: string;
  readonly hash: string;
  readonly wire: string;
  readonly bytes: number;
  /** Claims so far, this one included. */
  readonly attempts: number;
}

/**
 * Claims up to `$2` due rows for this adapter: `FOR UPDATE SKIP LOCKED` lets every relay claim at once without
 * waiting on each other, and the claim is a lease (`visible_at` pushed `$1` ms ahead, `lease_token` set), not a
 * lock held by a connection: a relay that dies leaves rows that come back by themselves once the lease lapses.
 * Ordered by the claim index, so the statement touches O(batch) entries with any backlog.
 */
export function claimSql(names: TableNames): string {
  return `WITH due AS (
  SELECT id FROM ${names.table}
  WHERE state = 'pending' AND visible_at <= now() AND adapter = $3
  ORDER BY visible_at, id
  LIMIT $2
  FOR UPDATE SKIP LOCKED
)
UPDATE ${names.table} AS t
SET visible_at = now() + $1 * interval '1 millisecond', lease_token = $4, attempts = t.attempts + 1
FROM due WHERE t.id = due.id
RETURNING t.id::text AS row_id, t.event_id, t.hash, t.wire, t.bytes, t.attempts`;
}

/** Extends the leases still held under the given tokens (a row settled or taken over is no longer matched). */
export function heartbeatSql(names: TableNames): string {
  return `UPDATE ${names.table} SET visible_at = now() + $1 * interval '1 millisecond'
WHERE lease_token = ANY($2::uuid[]) AND state = 'pending'`;
}

/**
 * Removes delivered rows, fenced by their lease token: a relay whose lease lapsed and whose row another relay
 * took over cannot delete the other's claim. With receipts kept, the rows move to the receipts table in the same
 * statement.
 */
export function deliveredSql(names: TableNames, keepReceipts: boolean): string {
  const settled = 'unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::boolean[]) AS s(id, token, hash, server_id, server_hash, verified)';
  if (!keepReceipts) {
    return `DELETE FROM ${names.table} AS t USING ${settled} WHERE t.id = s.id AND t.lease_token = s.token`;
  }
  return `WITH s AS (SELECT * FROM ${settled}),
gone AS (DELETE FROM ${names.table} AS t USING s WHERE t.id = s.id AND t.lease_token = s.token
  RETURNING t.id, t.event_id, t.adapter, t.attempts, t.created_at)
INSERT INTO ${names.receipts} (event_id, hash, server_id, server_hash, verified, adapter, attempts, recorded_at)
SELECT g.event_id, s.hash, s.server_id, s.server_hash, s.verified, g.adapter, g.attempts, g.created_at FROM gone g JOIN s ON s.id = g.id`;
}

/**
 * Settles rows that were not delivered: `dead` ones stay (with the error) out of the claim index's way; the others
 * go back to pending, due again after their own backoff (`$4`, ms). Fenced by lease token, as for delivered rows.
 */
export function failedSql(names: TableNames): string {
  return `UPDATE ${names.table} AS t
SET state = CASE WHEN s.dead THEN 'dead' ELSE 'pending' END,
    visible_at = now() + s.delay_ms * interval '1 millisecond',
    lease_token = NULL, last_error = s.error, last_status = s.status
FROM unnest($1::bigint[], $2::uuid[], $3::boolean[], $4::bigint[], $5::text[], $6::int[]) AS s(id, token, dead, delay_ms, error, status)
WHERE t.id = s.id AND t.lease_token = s.token`;
}

/** Gives rows back at once (a stopping relay that could not finish them). */
export function releaseSql(names: TableNames): string {
  return `UPDATE ${names.table} SET visible_at = now(), lease_token = NULL WHERE lease_token = ANY($1::uuid[]) AND state = 'pending'`;
}
