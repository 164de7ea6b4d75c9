import type { TableNames } from './table-names.js';

/**
 * Added to the WHERE of every statement the relay runs on its own (claim, heartbeat, settle, release): commits that
 * transaction without waiting for the WAL flush (`synchronous_commit` is read at commit; `set_config(..., true)`
 * scopes it to this one statement's transaction, so no session setting leaks into the user's pool). Losing one of
 * these writes in a server crash only makes a row claimable again, and so delivered again with the same id: the
 * at-least-once promise holds, and the one write that must be durable, the user's `record`, is untouched.
 */
const ASYNC_COMMIT = "(SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL";

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
 * waiting on each other, and the claim is a lease (`leased_until` set `$1` ms ahead under a new `lease_token`), not
 * a lock held by a connection: a relay that dies leaves rows that come back by themselves once the lease lapses.
 * Read in claim-index order (`visible_at`, `id`): the scan passes over the rows leased right now (at most relays x
 * concurrency x batch) and stops after `$2` due ones, whatever the backlog. The lease lives in columns no index
 * holds, so claims and heartbeats are HOT updates (no index writes; the table's fillfactor leaves them room).
 */
export function claimSql(names: TableNames): string {
  return `WITH due AS (
  SELECT id FROM ${names.table}
  WHERE state = 'pending' AND visible_at <= now() AND (leased_until IS NULL OR leased_until <= now())
    AND adapter = $3 AND ${ASYNC_COMMIT}
  ORDER BY visible_at, id
  LIMIT $2
  FOR UPDATE SKIP LOCKED
)
UPDATE ${names.table} AS t
SET leased_until = now() + $1 * interval '1 millisecond', lease_token = $4, attempts = t.attempts + 1
FROM due WHERE t.id = due.id
RETURNING t.id::text AS row_id, t.event_id, t.hash, t.wire, t.bytes, t.attempts`;
}

/**
 * Extends the leases still held: rows `$2` (ids) under tokens `$3` (a row settled or taken over is no longer
 * matched). By id, so a primary-key lookup per held row: no index holds `lease_token`, and matching on it alone
 * would read the whole table, the backlog included, at every heartbeat.
 */
export function heartbeatSql(names: TableNames): string {
  return `UPDATE ${names.table} SET leased_until = now() + $1 * interval '1 millisecond'
WHERE id = ANY($2::bigint[]) AND lease_token = ANY($3::uuid[]) AND state = 'pending' AND ${ASYNC_COMMIT}`;
}

/**
 * Removes delivered rows (`$1` ids), fenced by their lease token (`$2`, one per claim): a relay whose lease lapsed
 * and whose row another relay took over cannot delete the other's claim. With receipts kept, the rows move to the
 * receipts table in the same statement (`$3`..`$6`: per-row hash, server id, server hash, verified). Without, the
 * statement carries ids only: a primary-key lookup per row and a few bytes each.
 */
export function deliveredSql(names: TableNames, keepReceipts: boolean): string {
  if (!keepReceipts) return `DELETE FROM ${names.table} WHERE id = ANY($1::bigint[]) AND lease_token = $2::uuid AND ${ASYNC_COMMIT}`;
  return `WITH s AS (SELECT * FROM unnest($1::bigint[], $3::text[], $4::text[], $5::text[], $6::boolean[]) AS s(id, hash, server_id, server_hash, verified)),
gone AS (DELETE FROM ${names.table} AS t USING s WHERE t.id = s.id AND t.lease_token = $2::uuid AND ${ASYNC_COMMIT}
  RETURNING t.id, t.event_id, t.adapter, t.attempts, t.created_at)
INSERT INTO ${names.receipts} (event_id, hash, server_id, server_hash, verified, adapter, attempts, recorded_at)
SELECT g.event_id, s.hash, s.server_id, s.server_hash, s.verified, g.adapter, g.attempts, g.created_at FROM gone g JOIN s ON s.id = g.id`;
}

/**
 * Settles rows that were not delivered: `dead` ones stay (with the error) out of the claim index's way; the others
 * go back to pending, due again after their own backoff (`$4`, ms). Fenced by lease token (`$2`), as for delivered
 * rows.
 */
export function failedSql(names: TableNames): string {
  return `UPDATE ${names.table} AS t
SET state = CASE WHEN s.dead THEN 'dead' ELSE 'pending' END,
    visible_at = now() + s.delay_ms * interval '1 millisecond',
    leased_until = NULL, lease_token = NULL, last_error = s.error, last_status = s.status
FROM unnest($1::bigint[], $3::boolean[], $4::bigint[], $5::text[], $6::int[]) AS s(id, dead, delay_ms, error, status)
WHERE t.id = s.id AND t.lease_token = $2::uuid AND ${ASYNC_COMMIT}`;
}

/**
 * Analyzes the table when its statistics lag its contents by more than its own size (and no other relay is at it
 * already). Why: a claim is O(batch) only through the claim index in order; with no statistics (a table flooded
 * before autovacuum first analyzed it, which may take its whole naptime, a minute by default) the planner believes
 * the table nearly empty and prefers a bitmap scan of the whole backlog plus a sort, every claim: O(backlog) per
 * batch, O(backlog^2) to drain it. ANALYZE reads a fixed-size sample and blocks no reads or writes.
 */
export function freshStatisticsSql(names: TableNames): string {
  return `DO $do$
BEGIN
  IF EXISTS (
    SELECT 1 FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
    WHERE s.relid = '${names.table}'::regclass AND s.n_mod_since_analyze > greatest(1000, c.reltuples)
  ) AND pg_try_advisory_xact_lock(hashtext('${names.channel}:analyze')) THEN
    ANALYZE ${names.table};
  END IF;
END
$do$`;
}

/** Gives rows back at once (a stopping relay that could not finish them): rows `$1` (ids) under tokens `$2`. */
export function releaseSql(names: TableNames): string {
  return `UPDATE ${names.table} SET leased_until = NULL, lease_token = NULL
WHERE id = ANY($1::bigint[]) AND lease_token = ANY($2::uuid[]) AND state = 'pending' AND ${ASYNC_COMMIT}`;
}
