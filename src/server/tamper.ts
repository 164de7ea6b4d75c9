import type { StoredEvent } from './types.js';

/**
 * The `tamper` fault: a vendor that changed or lost events after acknowledging them, as the export and the
 * vendor read routes (AuditLog.co's event read-back, Frontegg's `GET /audits/`) show its store. Events are named by their own id (`eventId`). Applied when the store is read for export, so the
 * acknowledgements the client received stay what they were.
 */
export interface TamperFault {
  /** Stored events whose content is changed (their `action` gets `.tampered` appended; a body without one gets `tampered: true`). */
  readonly alter?: readonly string[];
  /** Stored events that disappear. */
  readonly drop?: readonly string[];
}

/** The stored event as a tampering vendor would export it, or undefined when it was dropped. */
export function tampered(event: StoredEvent, tamper: TamperFault | undefined): StoredEvent | undefined {
  if (tamper === undefined) return event;
  if (tamper.drop?.includes(event.eventId) === true) return undefined;
  if (tamper.alter?.includes(event.eventId) !== true) return event;
  const body = event.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ...event, body: { value: body, tampered: true } };
  const { action } = body as Record<string, unknown>;
  // `action` is hashed by every format (the Retraced formula included), so changing it changes the hash.
  return { ...event, body: typeof action === 'string' ? { ...body, action: `${action}.tampered` } : { ...body, tampered: true } };
}
