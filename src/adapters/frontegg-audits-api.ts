import { errorFromFailure } from '../delivery/classify-failure.js';
import { sleep } from '../delivery/sleep.js';
import { DeliveryError, TimeoutError, ValidationError } from '../errors.js';
import type { RetryOptions } from '../options.js';
import { fullJitterDelay } from '../transport/retry-policy.js';
import type { ExchangeContext, HttpRequest, HttpResponse } from './adapter.js';
import { joinUrl } from './http-helpers.js';
import { failureFromResponse } from './response-failure.js';

// The read side of Frontegg's AuditsClient, as @frontegg/client 5.3.2 implements it
// (node_modules/@frontegg/client/dist/src/clients/audits/index.js, config/index.js, audits/types.d.ts):
//   getAudits(params)         GET  {gateway}/audits/  query: params with `filters` spread in, headers x-access-token,
//                                                     frontegg-tenant-id: params.tenantId
//   getAuditsStats(params)    GET  {gateway}/audits/stats  query: params without `filters`, same headers (the SDK
//                                                     joins it as `audits//stats`; the service path is /audits/stats)
//   getAuditsMetadata()       GET  {gateway}/metadata/  query: entityName=audits, header x-access-token
//   setAuditsMetadata(meta)   POST {gateway}/metadata/  body: meta with entityName forced to 'audits'

/** A member Frontegg's stored audits can be sorted by (the SDK's `AuditSortField`, `keyof Audit`). */
export type FronteggAuditSortField =
  | 'severity' | 'ip' | 'email' | 'action' | 'description' | 'userAgent' | 'vendorId' | 'tenantId' | 'frontegg_id' | 'createdAt' | 'updatedAt';

/** A value Frontegg's query string can carry. */
export type FronteggQueryValue = string | number | boolean;

/** `getAudits`' parameters (the SDK's `AuditRequestParams`): one page of one tenant's audits. */
export interface FronteggAuditsQuery {
  readonly tenantId: string;
  /** Free-text search. */
  readonly filter?: string;
  readonly sortBy?: FronteggAuditSortField;
  readonly sortDirection?: 'ASC' | 'DESC';
  readonly offset: number;
  readonly count: number;
  /** Member filters (`{ severity: 'High' }`), sent as query parameters of their own. */
  readonly filters?: Readonly<Record<string, FronteggQueryValue>>;
}

/** `getAuditsStats`' parameters (the SDK's `GetAuditStatsParams`; like the SDK, `filters` is not sent). */
export interface FronteggAuditsStatsQuery {
  readonly tenantId: string;
  readonly filters?: Readonly<Record<string, FronteggQueryValue>>;
}

/** Frontegg's answer, passed through as received: a JSON object. The reference server answers `{ data, total }`. */
export interface FronteggAuditsPage {
  readonly data?: ReadonlyArray<Record<string, unknown>>;
  readonly total?: number;
  readonly [member: string]: unknown;
}

/** Frontegg's answer to `getAuditsStats`; the reference server answers `{ totalToday, severeThisWeek }`. */
export interface FronteggAuditsStats {
  readonly [member: string]: unknown;
}

/** The audits entity's metadata (column names, display settings...), as Frontegg's metadata service holds it. */
export interface FronteggAuditsMetadata {
  readonly [member: string]: unknown;
}

/** What the API needs from the client: a token, the transport, and the client's retry settings. */
export interface FronteggApiContext extends ExchangeContext {
  readonly gateway: string;
  /** A vendor token; `rejected` is one a 401 refused, to be replaced. */
  readonly token: (rejected?: string) => Promise<string>;
  readonly retry: Required<RetryOptions>;
}

/** Where a Frontegg adapter keeps what the read calls need (not part of the `Adapter` interface). */
export const FRONTEGG_READS = Symbol('auditwire.fronteggReads');

export interface FronteggReads {
  readonly gateway: string;
  readonly token: (context: ExchangeContext, rejected?: string) => Promise<string>;
}

/** The context of the read calls for a client's adapter; refuses an adapter that is not Frontegg's. */
export function fronteggApiContext(adapter: object, exchange: ExchangeContext, retry: Required<RetryOptions>): FronteggApiContext {
  const reads = (adapter as { [FRONTEGG_READS]?: FronteggReads })[FRONTEGG_READS];
  if (reads === undefined) {
    throw new ValidationError([{ path: 'options.adapter', message: "getAudits, getAuditsStats and the audits metadata are Frontegg's calls: they need adapter 'frontegg'" }]);
  }
  return { ...exchange, gateway: reads.gateway, retry, token: (rejected) => reads.token(exchange, rejected) };
}

export async function getAudits(context: FronteggApiContext, params: FronteggAuditsQuery): Promise<FronteggAuditsPage> {
  const { filters, ...rest } = params;
  assertTenant(params.tenantId);
  return call(context, 'GET', '/audits/', { query: { ...rest, ...filters }, tenant: params.tenantId });
}

export async function getAuditsStats(context: FronteggApiContext, params: FronteggAuditsStatsQuery): Promise<FronteggAuditsStats> {
  const { filters: _notSent, ...rest } = params;
  assertTenant(params.tenantId);
  return call(context, 'GET', '/audits/stats', { query: rest, tenant: params.tenantId });
}

export async function getAuditsMetadata(context: FronteggApiContext): Promise<FronteggAuditsMetadata> {
  return call(context, 'GET', '/metadata/', { query: { entityName: 'audits' } });
}

export async function setAuditsMetadata(context: FronteggApiContext, metadata: Readonly<Record<string, unknown>>): Promise<FronteggAuditsMetadata> {
  // Frontegg's SDK overwrites entityName on the caller's object; this copies instead.
  return call(context, 'POST', '/metadata/', { body: JSON.stringify({ ...metadata, entityName: 'audits' }) });
}

function assertTenant(tenantId: unknown): void {
  if (typeof tenantId !== 'string' || !/^[\u0021-\u007e](?:[\u0020-\u007e]*[\u0021-\u007e])?$/.test(tenantId)) {
    throw new ValidationError([{ path: '$.tenantId', message: 'required: a printable ASCII tenant id (Frontegg sends it as a header)' }]);
  }
}

interface CallSpec {
  readonly query?: Readonly<Record<string, FronteggQueryValue | undefined>>;
  readonly tenant?: string;
  readonly body?: string;
}

/**
 * One call with the client's retry policy: 408, 429 and 5xx and network errors are retried with full-jitter
 * backoff (Retry-After honoured up to its cap), never past the deadline; a 401 fetches a new token once; other
 * statuses fail at once with the client's errors (`AuthenticationError`, `DeliveryError`), bodies redacted.
 */
async function call<T>(context: FronteggApiContext, method: 'GET' | 'POST', path: string, spec: CallSpec): Promise<T> {
  const url = new URL(joinUrl(context.gateway, path));
  for (const [name, value] of Object.entries(spec.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
  const { retry } = context;
  const deadline = Date.now() + retry.deadlineMs;
  let rejected: string | undefined;
  let renewed = false;
  for (let attempt = 0; ; attempt++) {
    const token = await context.token(rejected);
    const request: HttpRequest = {
      method,
      url: url.href,
      headers: {
        accept: 'application/json',
        'x-access-token': token,
        ...(spec.tenant === undefined ? {} : { 'frontegg-tenant-id': spec.tenant }),
        ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: spec.body ?? '',
    };
    let error: DeliveryError | TimeoutError;
    try {
      const response = await context.exchange(request, context.signal);
      if (response.status >= 200 && response.status < 300) return parseAnswer<T>(response, token);
      if (response.status === 401 && !renewed) {
        renewed = true;
        rejected = token;
        attempt--; // a token renewal is not a retry
        continue;
      }
      error = errorFromFailure(failureFromResponse({ ...response, body: redact(response.body, token) }), 'frontegg');
    } catch (thrown) {
      if (!(thrown instanceof DeliveryError) && !(thrown instanceof TimeoutError)) throw thrown;
      error = thrown;
    }
    const retryable = error instanceof TimeoutError || error.retryable;
    if (!retryable || attempt >= retry.maxRetries) throw error;
    const afterMs = error instanceof DeliveryError ? error.retryAfterMs : undefined;
    const delayMs = afterMs === undefined ? fullJitterDelay(attempt, retry.initialDelayMs, retry.maxDelayMs) : Math.min(afterMs, retry.maxRetryAfterMs);
    if (Date.now() + delayMs > deadline) throw error;
    await sleep(delayMs, context.signal);
  }
}

function parseAnswer<T>(response: HttpResponse, token: string): T {
  if (response.body.trim() === '') return {} as T;
  try {
    return JSON.parse(response.body) as T;
  } catch (cause) {
    throw new DeliveryError(`frontegg: unreadable answer (HTTP ${response.status}): ${redact(response.body, token).slice(0, 200)}`, {
      status: response.status,
      cause,
    });
  }
}

/** A server that echoes the request must not put the token into an error. */
function redact(text: string, token: string): string {
  return token === '' ? text : text.split(token).join('[redacted]');
}

