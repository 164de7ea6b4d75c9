import { randomUUID } from 'node:crypto';
import { acceptEvents } from '../accept-events.js';
import { auditwireHash } from '../auditwire-hash.js';
import { sendJson } from '../http-io.js';
import { isNonEmptyString, isRecord, parseJson } from '../json-value.js';
import type { Route, RouteContext } from '../route.js';

// LogZab addTrail (shared/reference/wire/README.md section 3): one event per request, the key in the body.
// The vendor documents no response or error bodies; this server answers `{error, details}` on failure and
// `{id, hash}` on success, the optional body an auditwire client reads (section 3, "Server hash").

export const logZabRoutes: readonly Route[] = [{ method: 'POST', path: /^\/v1\/addtrail$/i, format: 'logzab', handle: receive }];

async function receive(context: RouteContext): Promise<void> {
  const parsed = parseJson(context.body);
  if (!parsed.ok) return fail(context, 400, 'The request body is not valid JSON', { body: parsed.error });
  const body = parsed.value;
  if (!isRecord(body)) return fail(context, 400, 'The request body must be a JSON object', {});
  const required = context.state.options.credentials?.logzab;
  if (!isNonEmptyString(body.apiKey)) return fail(context, 401, 'apiKey is required', {});
  if (required !== undefined && body.apiKey !== required) return fail(context, 401, 'Invalid apiKey', {});
  const details = requiredMembers(body);
  if (Object.keys(details).length > 0) return fail(context, 400, 'Validation failed', details);

  // What is hashed and kept is the body minus the credential (spec/EVENT.md section 9).
  const { apiKey: _apiKey, ...event } = body;
  const serverId = randomUUID();
  const items = [{ serverId, eventId: descId(event.desc) ?? serverId, body: event, hash: auditwireHash(event) }];
  await acceptEvents(context, 'logzab', items, {
    fault: (status, headers) => fail(context, status, 'injected fault', {}, headers),
    success: ([acknowledged]) => sendJson(context.response, 200, { id: acknowledged?.event.serverId, hash: acknowledged?.hash }),
  });
}

/** `actor.unique_id`, `actor.name`, `object` and `action` are required (section 3): non-empty strings. */
function requiredMembers(body: Record<string, unknown>): Record<string, string> {
  const details: Record<string, string> = {};
  const actor = body.actor;
  if (!isRecord(actor)) details.actor = 'is required and must be an object';
  else {
    if (!isNonEmptyString(actor.unique_id)) details['actor.unique_id'] = 'is required (a non-empty string)';
    if (!isNonEmptyString(actor.name)) details['actor.name'] = 'is required (a non-empty string)';
  }
  if (!isNonEmptyString(body.object)) details.object = 'is required (a non-empty string)';
  if (!isNonEmptyString(body.action)) details.action = 'is required (a non-empty string)';
  return details;
}

/** auditwire carries its event id inside `desc`, a canonical JSON object (spec/EVENT.md section 7). */
function descId(desc: unknown): string | undefined {
  if (typeof desc !== 'string') return undefined;
  const parsed = parseJson(desc);
  return parsed.ok && isRecord(parsed.value) && typeof parsed.value.id === 'string' ? parsed.value.id : undefined;
}

function fail(context: RouteContext, status: number, error: string, details: Record<string, string>, headers: Record<string, string> = {}): void {
  sendJson(context.response, status, { error, details }, headers);
}
