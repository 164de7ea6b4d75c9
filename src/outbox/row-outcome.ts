import type { AuditReceipt } from '../delivery/receipt.js';
import { AuthenticationError, DeliveryError, HashMismatchError, ValidationError, type AuditsError } from '../errors.js';

/** What becomes of one claimed row after its delivery attempt. */
export type RowOutcome =
  | { readonly kind: 'delivered'; readonly receipt: AuditReceipt }
  /** Refused by the server for the event's own reasons: it would be refused again. */
  | { readonly kind: 'dead'; readonly error: AuditsError }
  /** Anything else (outage, deadline, auth, a closed client): try again later. */
  | { readonly kind: 'retry'; readonly error: AuditsError };

/**
 * Only what the server said about this very event kills a row: a per-event refusal (ValidationError from the
 * adapter's decode) or a hash that does not match. A request-level failure says nothing about the row (a wrong
 * key or endpoint would otherwise kill the whole backlog), so it backs off and dies only after `maxAttempts`.
 */
export function classifyFailure(error: AuditsError): 'dead' | 'retry' {
  if (error instanceof ValidationError || error instanceof HashMismatchError) return 'dead';
  return 'retry';
}

/** The status to keep with a row (last_status): the HTTP status when there was one. */
export function statusOf(error: AuditsError): number | null {
  if (error instanceof DeliveryError || error instanceof AuthenticationError) return error.status ?? null;
  return null;
}

/**
 * Per-row backoff after a transient failure: full jitter over an exponential ceiling, so rows that failed together
 * do not all come back in the same instant.
 */
export function backoffMs(attempts: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
