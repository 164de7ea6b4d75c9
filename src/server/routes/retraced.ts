import { randomBytes, randomUUID } from 'node:crypto';
import { acceptEvents } from '../accept-events.js';
import { headerValue, sendHtml, sendJson } from '../http-io.js';
import { isRecord, parseJson } from '../json-value.js';
import { retracedFormulaHash, type RetracedHashInput } from '../retraced-formula.js';
import type { Route, RouteContext } from '../route.js';
import { checkRetracedEvent, type Violation } from './retraced-validate.js';

// Retraced publisher API (shared/reference/wire/README.md section 2): single and bulk event creation.

/** The vendor's default PUBLISHER_BULK_CREATE_MAX_EVENTS. */
const MAX_BULK_EVENTS = 50;

export const retracedRoutes: readonly Route[] = [
  { method: 'POST', path: /^\/publisher\/v1\/project\/([^/]+)\/event$/i, format: 'retraced', handle: (context) => receive(context, false) },
  { method: 'POST', path: /^\/publisher\/v1\/project\/([^/]+)\/event\/bulk$/i, format: 'retraced', handle: (context) => receive(context, true) },
];

interface InvalidEvent {
  readonly message: string;
  readonly index: number;
  readonly violations: readonly Violation[];
}

async function receive(context: RouteContext, bulk: boolean): Promise<void> {
  if (!authorized(context)) return;
  // Without this header the vendor's body parser skips the body, and the empty event then fails with a 500.
  const type = headerValue(context.request, 'content-type') ?? '';
  if (type.split(';')[0]?.trim().toLowerCase() !== 'application/json') {
    return fail(context, 500, 'Internal Server Error: the body was not read (Content-Type is not application/json)');
  }
  const parsed = parseJson(context.body);
  if (!parsed.ok) return htmlError(context, parsed.error);

  const inputs = bulk ? bulkEvents(parsed.value) : [parsed.value];
  if (inputs === undefined) return fail(context, 500, "Internal Server Error: 'events' must be a non-empty array");
  const checks = inputs.map(checkRetracedEvent);
  const broken = checks.find((check) => check.kind === 'server-error');
  if (broken !== undefined) return fail(context, 500, `Internal Server Error: ${broken.message}`);
  if (inputs.length > MAX_BULK_EVENTS) {
    return fail(context, 400, `A maximum of ${MAX_BULK_EVENTS} events may be created at once, received ${inputs.length}`);
  }
  const invalid: InvalidEvent[] = [];
  const events: RetracedHashInput[] = [];
  checks.forEach((check, index) => {
    if (check.kind === 'valid') events.push(check.event);
    else if (check.kind === 'invalid') {
      const messages = check.violations.map((violation) => violation.message);
      invalid.push({ message: `Invalid event input at index ${index}:\n-- ${messages.join('\n-- ')}`, index, violations: check.violations });
    }
  });
  if (invalid.length > 0) {
    // The single endpoint answers only the joined messages; bulk lists every invalid event and stores none.
    if (!bulk) return fail(context, 400, invalid[0]?.violations.map((violation) => violation.message).join('\n--') ?? '');
    const summary = invalid.map((event) => event.message).join('\n- ');
    return fail(context, 400, `One or more invalid inputs, no events were logged:\n- ${summary}`, invalid);
  }

  const items = events.map((event) => {
    const serverId = randomUUID().replaceAll('-', '');
    // auditwire puts its own event id in `external_id` (spec/EVENT.md section 6).
    const eventId = event.external_id ?? serverId;
    return { serverId, eventId, body: event, hash: retracedFormulaHash(event, serverId) };
  });
  await acceptEvents(context, 'retraced', items, {
    fault: (status, headers) => fail(context, status, 'injected fault', undefined, headers),
    success: (acknowledged) => {
      const answers = acknowledged.map(({ event, hash }) => ({ id: event.serverId, hash }));
      sendJson(context.response, 201, bulk ? answers : answers[0]);
    },
  });
}

/** `{"events": [...]}` with at least one event; anything else is a 500 on the vendor's server (section 2). */
function bulkEvents(body: unknown): unknown[] | undefined {
  if (!isRecord(body) || !Array.isArray(body.events) || body.events.length === 0) return undefined;
  return body.events;
}

/** `Authorization: Token token=<key>`, matched with `/token=(.+)/`; missing, malformed or unknown -> 401. */
function authorized(context: RouteContext): boolean {
  const header = headerValue(context.request, 'authorization') ?? '';
  const token = /token=(.+)/.exec(header)?.[1];
  const required = context.state.options.credentials?.retraced;
  if (token === undefined || (required !== undefined && token !== required)) {
    fail(context, 401, token === undefined ? 'Missing or malformed Authorization header, expected: Token token=<apiKey>' : 'Invalid API token');
    return false;
  }
  return true;
}

/** The vendor's error body `{status, type, error, invalid?}` with its `X-Retraced-RequestId` header. */
function fail(context: RouteContext, status: number, error: string, invalid?: readonly InvalidEvent[], headers: Record<string, string> = {}): void {
  const body = invalid === undefined ? { status, type: 'Error', error } : { status, type: 'Error', error, invalid };
  sendJson(context.response, status, body, { 'x-retraced-requestid': randomBytes(16).toString('hex'), ...headers });
}

/** Invalid JSON gets Express's HTML error page from the vendor, not its JSON error body (section 2). */
function htmlError(context: RouteContext, message: string): void {
  const escaped = message.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  sendHtml(context.response, 400, `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>SyntaxError: ${escaped}</pre>\n</body>\n</html>\n`);
}
