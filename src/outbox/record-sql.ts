import type { PreparedEvent } from '../adapters/adapter.js';
import type { TableNames } from './table-names.js';

/**
 * The INSERT that `record` and `recordMany` send through the caller's transaction: one statement either way
 * (`recordMany` passes columns as arrays and unnests them), so recording adds one round trip. Each placeholder
 * appears once and in order, so a bridge to a `?`-placeholder driver (Knex) may rewrite `$n` to `?` as it is.
 */
export function insertStatement(names: TableNames, events: readonly PreparedEvent[], adapter: string): { text: string; values: unknown[] } {
  if (events.length === 1) {
    const [event] = events as [PreparedEvent];
    return {
      text: `INSERT INTO ${names.table} (event_id, hash, wire, bytes, adapter) VALUES ($1, $2, $3, $4, $5)`,
      values: [event.id, event.hash, event.wire, event.bytes, adapter],
    };
  }
  return {
    text:
      `INSERT INTO ${names.table} (event_id, hash, wire, bytes, adapter) ` +
      'SELECT e, h, w, b, $1 FROM unnest($2::text[], $3::text[], $4::text[], $5::int[]) AS u(e, h, w, b)',
    values: [adapter, events.map((e) => e.id), events.map((e) => e.hash), events.map((e) => e.wire), events.map((e) => e.bytes)],
  };
}
