import type { TableNames } from './table-names.js';

/**
 * The schema of one outbox, as one script sent in one simple-protocol message: PostgreSQL runs such a message as
 * one implicit transaction (so a failure leaves nothing half made and no connection stuck in a transaction), and
 * the advisory lock lets every instance of an app call `migrate()` at start-up at the same time. Idempotent: it
 * creates what is missing and re-applies the storage parameters; it takes no lock that blocks `record()`.
 *
 * Why these shapes:
 * - Two clocks, as SQS's visibility timeout: `visible_at` (when the row is due: now, or after its backoff) and
 *   `leased_until` (while a relay holds it). A claim sets only the lease, in columns no index holds, so claims and
 *   heartbeats are HOT updates; a crashed relay's rows come back by themselves once the lease lapses.
 * - The partial index on `(visible_at, id) WHERE state = 'pending'` holds only live rows, in claim order, so a
 *   claim reads O(batch + rows leased now) index entries however large the backlog, and dead rows cost nothing.
 * - fillfactor 70 leaves each page room for the HOT versions of its rows' claims and heartbeats.
 * - Delivered rows are deleted (or moved to the receipts table), so the table holds the backlog only; the
 *   storage parameters make autovacuum follow its churn by row count instead of by table fraction.
 * - The statement-level trigger sends one NOTIFY per INSERT statement, not per row; NOTIFY is transactional, so
 *   relays wake on COMMIT only, and a rolled-back `record()` wakes nobody.
 */
export function migrationScript(names: TableNames): string {
  const schema = names.table.slice(0, names.table.indexOf('.'));
  return `
SELECT pg_advisory_xact_lock(hashtext('${names.channel}'));
CREATE SCHEMA IF NOT EXISTS ${schema};
CREATE TABLE IF NOT EXISTS ${names.table} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id text NOT NULL,
  hash text NOT NULL,
  wire text NOT NULL,
  bytes integer NOT NULL,
  adapter text NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
  visible_at timestamptz NOT NULL DEFAULT now(),
  leased_until timestamptz,
  lease_token uuid,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  last_status integer,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS ${names.claimIndex} ON ${names.table} (visible_at, id) WHERE state = 'pending';
ALTER TABLE ${names.table} SET (
  fillfactor = 70,
  autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_threshold = 5000,
  autovacuum_vacuum_insert_scale_factor = 0,
  autovacuum_vacuum_insert_threshold = 5000,
  autovacuum_analyze_scale_factor = 0,
  autovacuum_analyze_threshold = 5000,
  autovacuum_vacuum_cost_delay = 0
);
CREATE TABLE IF NOT EXISTS ${names.receipts} (
  event_id text NOT NULL,
  hash text NOT NULL,
  server_id text,
  server_hash text,
  verified boolean NOT NULL,
  adapter text NOT NULL,
  attempts integer NOT NULL,
  recorded_at timestamptz NOT NULL,
  delivered_at timestamptz NOT NULL DEFAULT now()
);
CREATE OR REPLACE FUNCTION ${names.notifyFunction}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_notify('${names.channel}', '');
  RETURN NULL;
END
$fn$;
DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = '${names.table}'::regclass AND tgname = '${names.trigger.slice(1, -1)}') THEN
    CREATE TRIGGER ${names.trigger} AFTER INSERT ON ${names.table} FOR EACH STATEMENT EXECUTE FUNCTION ${names.notifyFunction}();
  END IF;
END
$do$;`;
}
