import type { RetryInfo } from '../delivery/batch-delivery.js';
import type { AuditReceipt } from '../delivery/receipt.js';
import type { AuditsError, HashMismatchError } from '../errors.js';

/** The events an `AuditsClient` emits, for observing; results travel by promise. */
export interface AuditsClientEventMap {
  /** The server acknowledged an event (and its hash matched, where checked). */
  delivered: [receipt: AuditReceipt];
  /** A request failed in a way that may succeed later; it is retried after `delayMs`. */
  retry: [info: RetryInfo];
  /** An accepted event will not be delivered; its promise rejects with `error`. */
  failed: [error: AuditsError, eventId: string];
  /** The server's hash for an event differs from the local one (also reported as `failed`). */
  hashMismatch: [error: HashMismatchError];
  /** Every failure, including invalid input and a full queue. Without a listener nothing is thrown. */
  error: [error: AuditsError];
  /**
   * With the `spool` option: these events (ids in the order accepted) are written and fdatasync'ed. From now on
   * a crash does not lose them: the next client on the directory sends them. Comes at most
   * `spool.commitIntervalMs` plus two write-and-fdatasync times after `sendAudit`, and always before the events'
   * `'delivered'` (nothing is sent before it is journaled).
   */
  persisted: [ids: readonly string[]];
  /**
   * With the `spool` option: a previous client left these events unacknowledged (they may have reached the server
   * before it ended); they are queued again (ahead of new events, unless they wait for init()), and their outcomes come as `'delivered'` and
   * `'failed'` (no promise waits for them). Emitted once: on the tick after construction, or, for an adapter that
   * takes its credentials from `init(clientId, apiKey)` and has none as options, once `init()` succeeded.
   */
  recovered: [ids: readonly string[]];
}

/** A point-in-time snapshot of the client's counters. */
export interface AuditsClientStats {
  /** Events waiting in the queue. */
  readonly queued: number;
  /** Bytes of the events waiting in the queue. */
  readonly queuedBytes: number;
  /** Events in requests not yet answered (or waiting to be retried). */
  readonly inFlight: number;
  /** Events accepted since the client was made. */
  readonly accepted: number;
  /** Events acknowledged by the server. */
  readonly delivered: number;
  /** Accepted events that failed (hash mismatches included). */
  readonly failed: number;
  /** Event re-sends after a failed request. */
  readonly retried: number;
  /** Events whose server hash did not match. */
  readonly mismatched: number;
  /** Inputs refused before queueing (invalid, queue full, client closed). */
  readonly rejected: number;
  /** Events sent without members their adapter's format cannot carry (`onUnmappedField`). */
  readonly unmapped: number;
  /** Events a previous client left in the spool and this one queued again (also counted in `accepted`). */
  readonly recovered: number;
  /** Events this client journaled and fdatasync'ed (0 without a spool). */
  readonly persisted: number;
  /** Bytes of the events the spool holds: not yet acknowledged, including those kept for the next start. */
  readonly spooledBytes: number;
}
