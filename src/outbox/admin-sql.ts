import type { TableNames } from './table-names.js';
import type { SqlExecutor } from './sql-executor.js';

/** A snapshot of one outbox table. */
export interface OutboxStats {
  /** Rows waiting to be claimed (due now, or backing off after a transient failure). */
  readonly pending: number;
  /** Rows a relay holds under a live lease. */
  readonly leased: number;
  /** Rows the server refused for their own reasons; kept with their error until retried or purged. */
  readonly dead: number;
  /** Age of the oldest row not yet delivered (pending or leased), in ms; 0 when there is none. */
  readonly oldestPendingAgeMs: number;
}

/** Reads the counts in one pass over the table, which holds the backlog only (delivered rows leave it). */
export async function readStats(db: SqlExecutor, names: TableNames): Promise<OutboxStats> {
  const [row] = await db.query(
    `SELECT
  count(*) FILTER (WHERE state = 'pending' AND (leased_until IS NULL OR leased_until <= now()))::int AS pending,
  count(*) FILTER (WHERE state = 'pending' AND leased_until > now())::int AS leased,
  count(*) FILTER (WHERE state = 'dead')::int AS dead,
  coalesce(floor(extract(epoch FROM now() - min(created_at) FILTER (WHERE state = 'pending')) * 1000), 0)::float8 AS oldest
FROM ${names.table}`,
    [],
  );
  return {
    pending: Number(row?.pending ?? 0),
    leased: Number(row?.leased ?? 0),
    dead: Number(row?.dead ?? 0),
    oldestPendingAgeMs: Math.max(0, Number(row?.oldest ?? 0)),
  };
}

/** Which dead rows `retry` and `purge` act on: all of them, or those with these event ids. */
export interface DeadRowFilter {
  /** Event ids; all dead rows when absent. */
  readonly ids?: readonly string[] | undefined;
}

/** Makes dead rows pending again (due now, attempts counted afresh); returns how many. */
export async function retryDead(db: SqlExecutor, names: TableNames, filter: DeadRowFilter = {}): Promise<number> {
  const rows = await db.query(
    `UPDATE ${names.table} SET state = 'pending', visible_at = now(), leased_until = NULL, lease_token = NULL, attempts = 0
WHERE state = 'dead' AND ($1::text[] IS NULL OR event_id = ANY($1::text[])) RETURNING 1 AS one`,
    [filter.ids === undefined ? null : [...filter.ids]],
  );
  return rows.length;
}

/** Deletes dead rows for good; returns how many. */
export async function purgeDead(db: SqlExecutor, names: TableNames, filter: DeadRowFilter = {}): Promise<number> {
  const rows = await db.query(
    `DELETE FROM ${names.table} WHERE state = 'dead' AND ($1::text[] IS NULL OR event_id = ANY($1::text[])) RETURNING 1 AS one`,
    [filter.ids === undefined ? null : [...filter.ids]],
  );
  return rows.length;
}

/** The dead rows with their errors, oldest first (at most `limit`), for `auditwire outbox status`. */
export async function listDead(db: SqlExecutor, names: TableNames, limit: number): Promise<DeadRow[]> {
  const rows = await db.query(
    `SELECT event_id, attempts, last_status, last_error FROM ${names.table} WHERE state = 'dead' ORDER BY id LIMIT $1`,
    [limit],
  );
  return rows.map((row) => ({
    id: String(row.event_id),
    attempts: Number(row.attempts),
    lastStatus: row.last_status === null || row.last_status === undefined ? undefined : Number(row.last_status),
    lastError: row.last_error === null || row.last_error === undefined ? undefined : String(row.last_error),
  }));
}

export interface DeadRow {
  readonly id: string;
  readonly attempts: number;
  readonly lastStatus: number | undefined;
  readonly lastError: string | undefined;
}
