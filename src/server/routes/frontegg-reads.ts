import { headerValue, sendJson } from '../http-io.js';
import { isRecord, parseJson } from '../json-value.js';
import type { RouteContext, ServerState } from '../route.js';
import { tampered } from '../tamper.js';
import type { StoredEvent } from '../types.js';

// The read side of Frontegg's audits service, served from what this server stored, for the calls of
// @frontegg/client's AuditsClient (node_modules/@frontegg/client/dist/src/clients/audits/index.js):
// GET /audits/ (a page of one tenant's audits), GET /audits/stats, GET and POST /metadata/ (entityName=audits).
// Same auth as sending: a vendor token in x-access-token; the tenant in frontegg-tenant-id.

/** Query parameters of GET /audits/ that are not member filters (the SDK's AuditRequestParams). */
const PAGING = new Set(['tenantId', 'filter', 'sortBy', 'sortDirection', 'offset', 'count']);
const SEVERE = new Set(['High', 'Critical', 'Error']);
const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** The audits metadata each server holds (set by POST /metadata/). */
const metadataOf = new WeakMap<ServerState, Record<string, unknown>>();

/** A stored Frontegg audit as the service lists it: the body plus the ids and time the service adds. */
function listed(event: StoredEvent): Record<string, unknown> {
  return { ...(event.body as Record<string, unknown>), frontegg_id: event.serverId, createdAt: event.receivedAt };
}

function authorized(context: RouteContext): boolean {
  const token = headerValue(context.request, 'x-access-token');
  if (token !== undefined && context.state.tokens.isValid(token)) return true;
  fail(context, 401, 'Unauthorized');
  return false;
}

/** The tenant's stored audits, or undefined after answering 400 when the tenant header is missing. */
function tenantAudits(context: RouteContext): Array<Record<string, unknown>> | undefined {
  const tenant = headerValue(context.request, 'frontegg-tenant-id');
  if (tenant === undefined || tenant === '') {
    fail(context, 400, 'frontegg-tenant-id header is required');
    return undefined;
  }
  // The reads show the store as a tampering vendor would (the `tamper` fault), like the export.
  const tamper = context.state.faults.tamper;
  const audits: Array<Record<string, unknown>> = [];
  for (const stored of context.state.store.events) {
    const event = stored.format === 'frontegg' ? tampered(stored, tamper) : undefined;
    if (event !== undefined && isRecord(event.body) && event.body.tenantId === tenant) audits.push(listed(event));
  }
  return audits;
}

function query(context: RouteContext): URLSearchParams {
  return new URL(context.request.url ?? '/', 'http://reference.invalid').searchParams;
}

/** GET /audits/: `{ data, total }`, newest first unless sortBy/sortDirection say otherwise. */
export function listAudits(context: RouteContext): void {
  if (!authorized(context)) return;
  const audits = tenantAudits(context);
  if (audits === undefined) return;
  const params = query(context);
  const offset = Number(params.get('offset') ?? '0');
  const count = Number(params.get('count') ?? '20');
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(count) || count < 0) {
    return fail(context, 400, 'offset and count must be non-negative integers');
  }
  const text = params.get('filter')?.toLowerCase();
  const filters = [...params].filter(([name]) => !PAGING.has(name));
  const matching = audits.filter(
    (audit) =>
      filters.every(([name, value]) => String(audit[name]) === value) && (text === undefined || JSON.stringify(audit).toLowerCase().includes(text)),
  );
  const sortBy = params.get('sortBy') ?? 'createdAt';
  const direction = params.get('sortDirection') === 'ASC' ? 1 : -1;
  const key = (audit: Record<string, unknown>): string => (audit[sortBy] === undefined ? '' : String(audit[sortBy]));
  // Stable: equal keys keep the order of arrival (reversed with it for DESC).
  const ordered = matching.map((audit, index) => ({ audit, index })).sort((a, b) => (key(a.audit) < key(b.audit) ? -1 : key(a.audit) > key(b.audit) ? 1 : a.index - b.index) * direction);
  sendJson(context.response, 200, { data: ordered.slice(offset, offset + count).map(({ audit }) => audit), total: matching.length });
}

/** GET /audits/stats: `{ totalToday, severeThisWeek }` for the tenant (today: since midnight UTC). */
export function auditStats(context: RouteContext): void {
  if (!authorized(context)) return;
  const audits = tenantAudits(context);
  if (audits === undefined) return;
  const now = Date.now();
  const midnight = new Date(now).setUTCHours(0, 0, 0, 0);
  const at = (audit: Record<string, unknown>): number => Date.parse(String(audit.createdAt));
  sendJson(context.response, 200, {
    totalToday: audits.filter((audit) => at(audit) >= midnight).length,
    severeThisWeek: audits.filter((audit) => at(audit) >= now - WEEK_MS && SEVERE.has(String(audit.severity))).length,
  });
}

/** GET /metadata/?entityName=audits: what was last set, or the bare entity. */
export function getMetadata(context: RouteContext): void {
  if (!authorized(context)) return;
  if (query(context).get('entityName') !== 'audits') return fail(context, 400, 'entityName must be audits');
  sendJson(context.response, 200, metadataOf.get(context.state) ?? { entityName: 'audits' });
}

/** POST /metadata/: stores the audits metadata and answers it. */
export function setMetadata(context: RouteContext): void {
  if (!authorized(context)) return;
  const parsed = parseJson(context.body);
  if (!parsed.ok || !isRecord(parsed.value)) return fail(context, 400, 'The metadata must be a JSON object');
  if (parsed.value.entityName !== 'audits') return fail(context, 400, 'entityName must be audits');
  metadataOf.set(context.state, parsed.value);
  sendJson(context.response, 200, parsed.value);
}

function fail(context: RouteContext, status: number, error: string): void {
  sendJson(context.response, status, { errors: [error] });
}
