import type { Redact } from '../redact/redactor.js';
import { redactError } from '../redact/redact-error.js';
import type { DeliveryHooks, Outcome } from './batch-delivery.js';

/**
 * The delivery hooks with every credential masked from what they carry: the one place where what came from a server
 * (an error body, a message quoting it, a server id) leaves delivery for the client's promises, events and logger.
 */
export function redactingHooks(hooks: DeliveryHooks, redact: Redact): DeliveryHooks {
  return {
    settle: (event, outcome) => hooks.settle(event, redactOutcome(outcome, redact)),
    retrying: (info) => hooks.retrying({ ...info, error: redactError(info.error, redact) }),
  };
}

function redactOutcome(outcome: Outcome, redact: Redact): Outcome {
  if (!outcome.ok) return { ok: false, error: redactError(outcome.error, redact) };
  const { serverId, serverHash, hash } = outcome.receipt;
  // A server echoing the request could put a key anywhere, its ids included. A server hash equal to the one computed
  // here is the digest of the event and nothing else: it is left as it is (masking would only garble it by chance).
  const cleanId = serverId === undefined ? undefined : redact(serverId);
  const cleanHash = serverHash === undefined || serverHash === hash ? serverHash : redact(serverHash);
  if (cleanId === serverId && cleanHash === serverHash) return outcome;
  return { ok: true, receipt: { ...outcome.receipt, serverId: cleanId, serverHash: cleanHash } };
}
