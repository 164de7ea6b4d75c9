import { isCredentialFailure } from '../adapters/credential-failure.js';
import type { Outcome } from '../delivery/batch-delivery.js';
import { AuthenticationError, DeliveryError, HashMismatchError, ValidationError } from '../errors.js';

/**
 * Whether a settled event is done for the spool (acknowledged in the journal, never replayed), or stays for the
 * next client on the directory.
 *
 * Done, and only when the server itself answered the events' own request: delivered; refused for the event's own
 * reasons (a per-event refusal, a refusal of the event before sending, another 4xx than 401/403/408/429, a hash
 * mismatch: the server stored it, an unreadable success reply: it probably did). Sending such an event again would
 * fail again, or store it twice, so replaying it at every start would never end.
 *
 * Kept: everything else, since it says nothing against the event and may pass: the network, timeouts,
 * 408/429/5xx after the retries ran out, the delivery deadline, refused credentials (fixed by configuration, then
 * the next start sends them), a failed credential exchange before the events were ever sent (Frontegg's
 * `/auth/vendor` answering 404 or an HTML page), a reply that does not speak for the event, an unexpected failure,
 * and events cut off by `close({ timeoutMs })` or `destroy()`. Their promises still reject in this process. Once
 * the client aborted its requests (`aborted`), every failure is kept: an aborted request surfaces as whatever
 * error the transport saw, and whether the server stored it is unknown.
 */
export function isDoneForSpool(outcome: Outcome, aborted: boolean): boolean {
  if (outcome.ok) return true;
  if (aborted) return false;
  const error = outcome.error;
  if (isCredentialFailure(error)) return false;
  if (error instanceof HashMismatchError || error instanceof ValidationError) return true;
  // A status means the server answered the events' request; a retryable one (408, 429, 5xx) may pass.
  return error instanceof DeliveryError && !(error instanceof AuthenticationError) && !error.retryable && error.status !== undefined;
}
