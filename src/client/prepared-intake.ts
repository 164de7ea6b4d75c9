import type { PreparedEvent } from '../adapters/adapter.js';
import type { AuditReceipt } from '../delivery/receipt.js';
import type { LogLevel } from '../logger.js';

/**
 * The one internal door the outbox uses into an `AuditsClient`: prepare an event exactly as `sendAudit` does, and
 * later deliver that prepared event through the client's own pipeline (batching, retries, hash checks,
 * `'delivered'`). A registry symbol, so an outbox from one copy of auditwire (ESM) works with a client from
 * another (CommonJS). Not public: users call `createOutbox(client)`.
 */
export const PREPARED_INTAKE: unique symbol = Symbol.for('auditwire.preparedIntake') as never;

export interface PreparedIntake {
  /** The adapter's name; a row is only ever relayed by a client with the adapter that prepared it. */
  readonly adapter: string;
  /** Says `message` through the client's logger, isolated as every call into user code is (src/internal/call-user.ts). */
  log(level: LogLevel, message: string): void;
  /** Masks the client's credentials in `text` (optional: an intake from an older copy of auditwire may lack it). */
  redact?(text: string): string;
  /** Validates, maps and hashes `input` as `sendAudit` does; throws `ValidationError` (or `ClientClosedError`). */
  prepare(input: unknown): PreparedEvent;
  /** Queues an already prepared event, as a spool replay does; resolves with its receipt. Never throws synchronously. */
  deliver(prepared: PreparedEvent): Promise<AuditReceipt>;
}

interface HasIntake {
  [PREPARED_INTAKE](): PreparedIntake;
}

/** The intake of an `AuditsClient`, or a TypeError naming what was passed instead. */
export function preparedIntakeOf(client: unknown): PreparedIntake {
  const open = typeof client === 'object' && client !== null ? (client as Partial<HasIntake>)[PREPARED_INTAKE] : undefined;
  if (typeof open !== 'function') throw new TypeError('createOutbox(client, options): client must be an AuditsClient');
  return open.call(client);
}
