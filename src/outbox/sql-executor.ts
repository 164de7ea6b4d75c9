/**
 * The one shape the outbox talks to PostgreSQL through: `query(text, values)` with `$1`-style placeholders,
 * resolving with the rows. Bridges turn the drivers' own objects into it, so auditwire imports no driver.
 */
export interface SqlExecutor {
  query(text: string, values: readonly unknown[]): Promise<readonly Record<string, unknown>[]>;
}

/**
 * Anything with `query(text, values)`: a node-postgres `Pool`, `Client` or `PoolClient`, or your own executor
 * (e.g. a Knex, Kysely, Drizzle or Prisma transaction wrapped in one line: docs/outbox.md). Its promise may
 * resolve with the rows, or with an object holding them in `rows` (as node-postgres does).
 */
export interface QueryExecutor {
  query(text: string, values: unknown[]): PromiseLike<unknown>;
}

/**
 * A postgres.js `sql` instance or transaction: its `unsafe(text, values)` runs a statement with `$1` parameters.
 * (`never[]`: postgres.js types its parameters narrowly, and the outbox passes only strings, numbers, booleans,
 * null and arrays of them.)
 */
export interface UnsafeExecutor {
  unsafe(text: string, values: never[]): PromiseLike<unknown>;
}

/** What `createOutbox({ db })`, `record(tx)` and `recordMany(tx)` accept. */
export type OutboxDb = QueryExecutor | UnsafeExecutor;

/** The executor behind any accepted driver object; a TypeError naming the problem for anything else. */
export function toExecutor(db: unknown, what: string): SqlExecutor {
  // postgres.js first: its `sql` is a function object with `unsafe`, and it has no `query`.
  const unsafe = (db as Partial<UnsafeExecutor> | null)?.unsafe;
  if ((typeof db === 'function' || typeof db === 'object') && db !== null && typeof unsafe === 'function') {
    const sql = db as UnsafeExecutor;
    return { query: async (text, values) => rowsOf(await sql.unsafe(text, [...values] as never[])) };
  }
  const query = (db as Partial<QueryExecutor> | null)?.query;
  if ((typeof db === 'function' || typeof db === 'object') && db !== null && typeof query === 'function') {
    const executor = db as QueryExecutor;
    return { query: async (text, values) => rowsOf(await executor.query(text, [...values])) };
  }
  throw new TypeError(`${what} must be a node-postgres Pool/Client/PoolClient, a postgres.js sql or transaction, or an object with query(text, values)`);
}

function rowsOf(result: unknown): readonly Record<string, unknown>[] {
  if (Array.isArray(result)) return result as Record<string, unknown>[];
  const rows = (result as { rows?: unknown } | null | undefined)?.rows;
  if (Array.isArray(rows)) return rows as Record<string, unknown>[];
  // A statement without rows (INSERT without RETURNING) through an executor that resolves with nothing.
  return [];
}
