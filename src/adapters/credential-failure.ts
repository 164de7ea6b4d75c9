/**
 * Failures of an adapter's own credential requests (Frontegg's token exchange). They happen before the events'
 * request is made, so they say nothing about the events: whatever their status, the events were never sent, and a
 * spool must keep them. A mark on the error object, not a new error class, so the error the user sees is unchanged.
 */
const credentialFailures = new WeakSet<object>();

/** Marks `error` as a failure to obtain credentials; returns it. */
export function markCredentialFailure<T>(error: T): T {
  if (typeof error === 'object' && error !== null) credentialFailures.add(error);
  return error;
}

/** Whether `error` came from obtaining credentials, before any event was sent. */
export function isCredentialFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && credentialFailures.has(error);
}
