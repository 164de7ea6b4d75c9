import { randomUUID } from 'node:crypto';
import { acceptEvents } from '../accept-events.js';
import { auditwireHash } from '../auditwire-hash.js';
import { headerValue, sendJson } from '../http-io.js';
import { isNonEmptyString, isRecord, parseJson } from '../json-value.js';
import type { Route, RouteContext } from '../route.js';
import { auditStats, getMetadata, listAudits, setMetadata } from './frontegg-reads.js';

// Frontegg (shared/reference/wire/README.md section 4): the vendor-token exchange and the audits endpoint.
// Error bodies follow Frontegg's gateway shape `{errors: [...]}`; the README documents statuses only.

const SEVERITIES = new Set(['Info', 'Medium', 'High', 'Critical', 'Error']);
const DEFAULT_TOKEN_TTL_SECONDS = 3600;

export const fronteggRoutes: readonly Route[] = [
  { method: 'POST', path: /^\/auth\/vendor$/i, handle: issueToken },
  { method: 'POST', path: /^\/audits$/i, format: 'frontegg', handle: receive },
  // The SDK asks for `audits//stats` (frontegg-reads.ts): both spellings are served.
  { method: 'GET', path: /^\/audits\/+stats$/i, handle: auditStats },
  { method: 'GET', path: /^\/audits$/i, handle: listAudits },
  { method: 'GET', path: /^\/metadata$/i, handle: getMetadata },
  { method: 'POST', path: /^\/metadata$/i, handle: setMetadata },
];

/** `{clientId, secret}` -> `{token, expiresIn}` (seconds); 401 on bad or missing credentials. */
function issueToken(context: RouteContext): void {
  const { state } = context;
  state.stats.authRequests++;
  const parsed = parseJson(context.body);
  if (!parsed.ok) return fail(context, 400, 'The request body is not valid JSON');
  const body = isRecord(parsed.value) ? parsed.value : {};
  const required = state.options.credentials?.frontegg;
  const wellFormed = isNonEmptyString(body.clientId) && isNonEmptyString(body.secret);
  if (!wellFormed || (required !== undefined && (body.clientId !== required.clientId || body.secret !== required.secret))) {
    return fail(context, 401, 'Invalid authentication');
  }
  const expiresIn = state.options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  sendJson(context.response, 200, { token: state.tokens.issue(expiresIn), expiresIn });
}

/** One flat audit object; 202 with `{hash}`, the auditwire hash of the body ("Server hash"). */
async function receive(context: RouteContext): Promise<void> {
  const token = headerValue(context.request, 'x-access-token');
  if (token === undefined || !context.state.tokens.isValid(token)) return fail(context, 401, 'Unauthorized');
  const tenant = headerValue(context.request, 'frontegg-tenant-id');
  if (tenant === undefined || tenant === '') return fail(context, 400, 'frontegg-tenant-id header is required');
  const parsed = parseJson(context.body);
  if (!parsed.ok) return fail(context, 400, 'The request body is not valid JSON');
  const body = parsed.value;
  if (!isRecord(body)) return fail(context, 400, 'The audit must be a JSON object');
  const problems = check(body, tenant);
  if (problems.length > 0) return fail(context, 400, problems);

  const serverId = randomUUID();
  // auditwire sends its event id as `auditwireId` (spec/EVENT.md section 8).
  const eventId = typeof body.auditwireId === 'string' ? body.auditwireId : serverId;
  await acceptEvents(context, 'frontegg', [{ serverId, eventId, body, hash: auditwireHash(body) }], {
    fault: (status, headers) => fail(context, status, ['injected fault'], headers),
    success: ([acknowledged]) => sendJson(context.response, 202, { hash: acknowledged?.hash }),
  });
}

function check(body: Record<string, unknown>, tenant: string): string[] {
  const problems: string[] = [];
  if (!isNonEmptyString(body.severity) || !SEVERITIES.has(body.severity)) problems.push('severity is required: one of Info, Medium, High, Critical, Error');
  if (body.tenantId !== undefined) {
    if (!isNonEmptyString(body.tenantId)) problems.push('tenantId must be a non-empty string');
    else if (body.tenantId !== tenant) problems.push('tenantId does not match the frontegg-tenant-id header');
  }
  return problems;
}

function fail(context: RouteContext, status: number, errors: string | readonly string[], headers: Record<string, string> = {}): void {
  sendJson(context.response, status, { errors: typeof errors === 'string' ? [errors] : errors }, headers);
}
