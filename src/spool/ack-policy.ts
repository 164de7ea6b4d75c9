import type { Outcome } from '../delivery/batch-delivery.js';
import { AuthenticationError, ClientClosedError, DeliveryError, TimeoutError } from '../errors.js';

/**
 * Whether a settled event is done for the spool (acknowledged in the journal, never replayed), or stays for the
 * next client on the directory.
 *
 * Done: delivered; refused by the server for itself or for good (a per-event refusal, a 4xx other than 401/403,
 * a hash mismatch: the server stored it, an unreadable success reply: it probably did). Sending such an event
 * again would fail again, or store it twice, so replaying it at every start would never end.
 *
 * Kept: failures that say nothing against the event and may pass: the network, timeouts, 408/429/5xx after the
 * retries ran out, the delivery deadline, refused credentials (fixed by configuration, then the next start sends
 * them), and events cut off by `close({ timeoutMs })` or `destroy()`. Their promises still reject in this process.
 * Once the client aborted its requests (`aborted`), every failure is kept: an aborted request surfaces as whatever
 * error the transport saw, and whether the server stored it is unknown.
 */
export function isDoneForSpool(outcome: Outcome, aborted: boolean): boolean {
  if (outcome.ok) return true;
  if (aborted) return false;
  const error = outcome.error;
  if (error instanceof AuthenticationError || error instanceof TimeoutError || error instanceof ClientClosedError) return false;
  if (error instanceof DeliveryError) return !error.retryable;
  return true;
}
