import type { RequestFailure } from '../adapters/adapter.js';
import { AuthenticationError, DeliveryError } from '../errors.js';

/** The error that carries a request failure to the user. */
export function errorFromFailure(failure: RequestFailure, adapter: string): DeliveryError {
  const options = { status: failure.status, body: failure.body };
  if (failure.status === 401 || failure.status === 403) {
    return new AuthenticationError(`${adapter}: credentials refused (HTTP ${failure.status})`, options);
  }
  return new DeliveryError(`${adapter}: ${failure.message}`, {
    ...options,
    retryable: failure.retryable,
    retryAfterMs: failure.retryAfterMs,
  });
}

/**
 * Whether a failure leaves it unknown if the server stored the events: a 500/502/504, a timeout, or a connection
 * lost once the request may have been sent. 408, 429 and 503 are explicit refusals; a refused connection never
 * reached the server.
 */
export function isAmbiguous(error: unknown): boolean {
  if (!(error instanceof DeliveryError)) return true; // TimeoutError and anything unexpected
  if (error.status !== undefined) return error.status === 500 || error.status === 502 || error.status === 504;
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return !(code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'UND_ERR_CONNECT_TIMEOUT');
}
