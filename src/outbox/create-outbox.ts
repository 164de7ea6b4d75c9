import type { PreparedEvent } from '../adapters/adapter.js';
import type { AuditInput } from '../client/audit-input.js';
import { preparedIntakeOf, type PreparedIntake } from '../client/prepared-intake.js';
import { AuditsError, ValidationError, type ValidationIssue } from '../errors.js';
import { listDead, purgeDead, readStats, retryDead, type DeadRow, type DeadRowFilter, type OutboxStats } from './admin-sql.js';
import { migrationScript } from './migrate-sql.js';
import { insertStatement } from './record-sql.js';
import { resolveRelayOptions, type RelayOptions } from './relay-options.js';
import { OutboxRelay } from './relay.js';
import { toExecutor, type OutboxDb, type SqlExecutor } from './sql-executor.js';
import { tableNames, type TableNames, type TableOptions } from './table-names.js';

export interface OutboxOptions extends TableOptions {
  /**
   * Where relays claim rows and `stats`/`retry`/`purge`/`migrate` run: a node-postgres `Pool` (or `Client`), a
   * postgres.js `sql`, or any `{ query(text, values) }` executor. Not a transaction: `record` takes that.
   */
  db: OutboxDb;
  /**
   * Keep a receipt of every delivered row (event id, hash, server id, server hash, verified, attempts) in the
   * table `<table>_receipts`, moved there in the statement that removes the row. Yours to prune. @default false
   */
  keepReceipts?: boolean;
}

/** What `record` resolves with: the event's id (kept through every delivery attempt) and its local hash. */
export interface RecordedEvent {
  readonly id: string;
  readonly hash: string;
}

/** A transactional outbox for one `AuditsClient` on one table. Make it with `createOutbox`. */
export interface Outbox {
  /** `schema.table`, for messages. */
  readonly table: string;
  /** Creates the table, index, trigger and receipts table if missing; safe to call from every instance at start-up. */
  migrate(): Promise<void>;
  /**
   * Validates, maps and hashes `event` exactly as `sendAudit` does (a `ValidationError` and nothing written for bad
   * input), then writes one row through `tx` with one INSERT. Commit `tx` and a relay delivers it; roll it back and
   * nothing is ever sent.
   */
  record(tx: OutboxDb, event: AuditInput): Promise<RecordedEvent>;
  /** Like `record` for many events, all validated first (one `ValidationError`, paths `$[i]`) and written with one statement. */
  recordMany(tx: OutboxDb, events: readonly AuditInput[]): Promise<RecordedEvent[]>;
  /** Starts a relay in this process (run one on every instance). Options are checked now. */
  startRelay(options?: RelayOptions): OutboxRelay;
  /** Pending, leased and dead rows, and the age of the oldest undelivered one. */
  stats(): Promise<OutboxStats>;
  /** Dead rows (oldest first, up to `limit`, default 100) with their last error and status. */
  dead(limit?: number): Promise<DeadRow[]>;
  /** Makes dead rows pending again (all, or those with `ids`); resolves with how many. */
  retry(filter?: DeadRowFilter): Promise<number>;
  /** Deletes dead rows for good (all, or those with `ids`); resolves with how many. */
  purge(filter?: DeadRowFilter): Promise<number>;
}

/**
 * A transactional outbox on your PostgreSQL: `record(tx, event)` writes the audit event in the same transaction as
 * the change it records, and relays deliver committed rows through `client` (at least once, with the event id kept,
 * so a deduplicating server stores each event once).
 */
export function createOutbox(client: unknown, options: OutboxOptions): Outbox {
  const intake = preparedIntakeOf(client);
  if (typeof options !== 'object' || options === null) throw new TypeError('createOutbox(client, options): options must be an object with db');
  const names = tableNames(options);
  const db = toExecutor(options.db, 'createOutbox options.db');
  const keepReceipts = options.keepReceipts ?? false;
  return {
    table: names.display,
    migrate: async () => void (await db.query(migrationScript(names), [])),
    record: async (tx, event) => {
      const [recorded] = await write(tx, names, intake, [prepareOne(intake, event)]);
      return recorded as RecordedEvent;
    },
    recordMany: async (tx, events) => write(tx, names, intake, prepareAll(intake, events)),
    startRelay: (relayOptions) =>
      new OutboxRelay({ intake, db, rawDb: options.db, names, keepReceipts, options: resolveRelayOptions(relayOptions) }),
    stats: () => readStats(db, names),
    dead: (limit = 100) => listDead(db, names, limit),
    retry: (filter) => retryDead(db, names, filter),
    purge: (filter) => purgeDead(db, names, filter),
  };
}

async function write(tx: OutboxDb, names: TableNames, intake: PreparedIntake, events: PreparedEvent[]): Promise<RecordedEvent[]> {
  const executor: SqlExecutor = toExecutor(tx, 'record(tx): tx');
  if (events.length === 0) return [];
  const { text, values } = insertStatement(names, events, intake.adapter);
  await executor.query(text, values);
  return events.map(({ id, hash }) => ({ id, hash }));
}

function prepareOne(intake: PreparedIntake, event: unknown): PreparedEvent {
  return intake.prepare(event);
}

/** All or nothing, as `sendAudits`: every problem of every event in one ValidationError. */
function prepareAll(intake: PreparedIntake, events: readonly unknown[]): PreparedEvent[] {
  if (!Array.isArray(events)) throw new ValidationError([{ path: '$', message: 'recordMany takes an array of events' }]);
  const prepared: PreparedEvent[] = [];
  const issues: ValidationIssue[] = [];
  for (const [index, event] of events.entries()) {
    try {
      prepared.push(intake.prepare(event));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error instanceof AuditsError ? error : new ValidationError([{ path: `$[${index}]`, message: String(error) }]);
      issues.push(...error.issues.map((issue) => ({ path: `$[${index}]${issue.path.replace(/^\$/, '')}`, message: issue.message })));
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return prepared;
}
