/**
 * auditwire/outbox: a transactional outbox on your PostgreSQL. The audit event commits with the change it records
 * (`record(tx, event)` in your transaction), and relays on every instance deliver committed rows through the
 * client. docs/outbox.md tells the design, the guarantees and the bridges for Knex, Kysely, Drizzle and Prisma.
 */
export { createOutbox } from './outbox/create-outbox.js';
export type { Outbox, OutboxOptions, RecordedEvent } from './outbox/create-outbox.js';
export { OutboxRelay } from './outbox/relay.js';
export type { OutboxRelayEventMap, RelayStopOptions } from './outbox/relay.js';
export type { RelayOptions } from './outbox/relay-options.js';
export type { OutboxStats, DeadRow, DeadRowFilter } from './outbox/admin-sql.js';
export type { OutboxDb, QueryExecutor, UnsafeExecutor } from './outbox/sql-executor.js';
