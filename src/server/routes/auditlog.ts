import { randomUUID } from 'node:crypto';
import { acceptEvents } from '../accept-events.js';
import { auditwireHash } from '../auditwire-hash.js';
import { headerValue, sendJson } from '../http-io.js';
import { isRecord, parseJson } from '../json-value.js';
import { tampered } from '../tamper.js';
import type { Route, RouteContext } from '../route.js';
import { validateAuditLogElement } from './auditlog-validate.js';

// AuditLog.co events API (shared/reference/wire/README.md section 1), answered with the auditwire hash per
// element ("Server hash"), which the vendor itself does not return.

export const auditLogRoutes: readonly Route[] = [
  { method: 'POST', path: /^\/api\/v1\/events$/i, format: 'auditlog', handle: receiveEvents },
  { method: 'GET', path: /^\/api\/v1\/events\/([^/]+)$/i, handle: readEvent },
];

async function receiveEvents(context: RouteContext): Promise<void> {
  const { response } = context;
  if (!authorized(context)) return;
  const parsed = parseJson(context.body);
  if (!parsed.ok) return fail(context, 400, 'The request body is not valid JSON', {});
  const elements = parsed.value;
  if (!Array.isArray(elements)) return fail(context, 400, 'Expected an array of events', {});
  const details: Record<string, string> = Object.assign({}, ...elements.map((element, index) => validateAuditLogElement(element, index)));
  if (Object.keys(details).length > 0) return fail(context, 400, 'One or more validation errors occurred', details);

  // Validated above: every element is an object with a string `uuid`. Stored one by one, without a
  // transaction, as the vendor does.
  const items = elements.filter(isRecord).map((element) => ({ serverId: randomUUID(), eventId: String(element.uuid), body: element, hash: auditwireHash(element) }));
  await acceptEvents(context, 'auditlog', items, {
    fault: (status, headers) => fail(context, status, 'injected fault', undefined, headers),
    success: (acknowledged) =>
      sendJson(response, 200, { receivedEvents: acknowledged.map(({ event, hash }) => ({ id: event.serverId, uuid: event.eventId, hash })) }),
  });
}

/** Read-back: the stored element plus `id` and `receptionTime` (section 1). */
function readEvent(context: RouteContext): void {
  if (!authorized(context)) return;
  const id = context.params[0] ?? '';
  const found = context.state.store.events.find((event) => event.format === 'auditlog' && event.serverId === id);
  // The read-back shows the store as a tampering vendor would (the `tamper` fault), like the export.
  const stored = found && tampered(found, context.state.faults.tamper);
  if (stored === undefined || !isRecord(stored.body)) return fail(context, 404, `No event with id ${id}`, {});
  sendJson(context.response, 200, { ...stored.body, id: stored.serverId, receptionTime: stored.receivedAt });
}

/** `X-API-KEY: consumerId:secret`: missing -> 401, malformed or not the configured key -> 403 (section 1). */
function authorized(context: RouteContext): boolean {
  const key = headerValue(context.request, 'x-api-key');
  if (key === undefined || key === '') {
    fail(context, 401, 'API key details not provided');
    return false;
  }
  const colon = key.indexOf(':');
  const wellFormed = colon > 0 && colon < key.length - 1;
  const required = context.state.options.credentials?.auditlog;
  if (!wellFormed || (required !== undefined && key !== required)) {
    fail(context, 403, 'Could not validate your API key');
    return false;
  }
  return true;
}

function fail(context: RouteContext, status: number, message: string, details?: Record<string, string>, headers: Record<string, string> = {}): void {
  sendJson(context.response, status, details === undefined ? { statusCode: status, message } : { statusCode: status, message, details }, headers);
}
