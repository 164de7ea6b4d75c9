import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { NormalizedEvent } from '../event/normalize.js';
import { AuditEventSchema, SEVERITIES } from '../event/schema.js';
import type { Adapter, Credentials, EncodeContext, ExchangeContext, HttpRequest, PrepareContext, PreparedEvent } from './adapter.js';
import { FRONTEGG_READS, type FronteggReads } from './frontegg-audits-api.js';
import { FronteggTokenSource } from './frontegg-token.js';
import { joinUrl } from './http-helpers.js';
import { parseCommonOrNative, toPrepared, toPreparedMapped } from './prepare.js';
import { decodeOneEventReply, ONE_EVENT_PER_REQUEST } from './server-hash-reply.js';

// Frontegg audits, shared/reference/wire/README.md section 4. Mapping rules: spec/EVENT.md section 8.

/** Frontegg's default gateway (regional ones: api.us., api.ca., api.au.). */
const FRONTEGG_GATEWAY = 'https://api.frontegg.com';

/**
 * Frontegg's flat audit object, typed as its SDK types `sendAudit`'s argument: `tenantId` and `severity` are
 * required (the tenant is also a header); every other member (`user`, `resource`, `action`, `ip`, custom ones) is
 * free JSON shown in the audit log, so existing calls keep compiling and passing unchanged.
 */
export const FronteggAuditSchema = z.looseObject({
  tenantId: z.string().min(1),
  severity: z.enum(SEVERITIES),
});
export type FronteggAudit = z.infer<typeof FronteggAuditSchema>;

export interface FronteggAdapterOptions {
  /** Gateway base URL; `/auth/vendor` and `/audits/` are appended. @default https://api.frontegg.com */
  readonly endpoint?: string | undefined;
  /** Known at construction (options or environment); otherwise given later to `init()`. */
  readonly credentials?: Credentials | undefined;
}

/** Every body key the mapping can emit; a custom field may not take one (spec/EVENT.md section 8). */
const RESERVED_KEYS = new Set([
  'tenantId', 'user', 'resource', 'action', 'severity', 'ip', 'auditwireId', 'time', 'outcome', 'crud', 'anonymous',
  'description', 'url', 'userAgent', 'location', 'device', 'timezone', 'tags', 'tenantName', 'actorId', 'actorName',
  'actorEmail', 'targetId', 'targetType', 'targetName', 'targetUrl',
]);

export function createFronteggAdapter(options: FronteggAdapterOptions = {}): Adapter & { readonly [FRONTEGG_READS]: FronteggReads } {
  const gateway = options.endpoint ?? FRONTEGG_GATEWAY;
  const auditsUrl = joinUrl(gateway, '/audits/');
  const tokens = new FronteggTokenSource(joinUrl(gateway, '/auth/vendor'), options.credentials);

  return {
    name: 'frontegg',
    // One audit per request: the vendor has no batch endpoint.
    limits: ONE_EVENT_PER_REQUEST,
    renewsCredentials: true,

    authenticate: (credentials, context) => tokens.authenticate(credentials, context),
    secrets: () => tokens.secrets(),
    close: () => tokens.close(),
    // For getAudits & co. on AuditsClient (frontegg-audits-api.ts): the same gateway and token as the sends.
    [FRONTEGG_READS]: { gateway, token: (context: ExchangeContext, rejected?: string) => tokens.token(context, rejected) },

    prepare(input: unknown, context: PrepareContext): PreparedEvent {
      assertFlatAuditHasTenant(input);
      const parsed = parseCommonOrNative(input, FronteggAuditSchema, context);
      const prepared =
        parsed.kind === 'native'
          ? toPrepared(context.newId(), withProtoMember(parsed.event, input))
          : toPreparedMapped(parsed.event.id, toFronteggAudit(parsed.event));
      const tenantId = parsed.kind === 'native' ? parsed.event.tenantId : (parsed.event.tenant?.id ?? '');
      assertTenantHeaderSafe(tenantId, parsed.kind === 'native' ? '$.tenantId' : '$.tenant.id');
      return prepared;
    },

    async encode(batch: readonly PreparedEvent[], context: EncodeContext): Promise<HttpRequest> {
      const event = batch[0] as PreparedEvent;
      const token = await tokens.token(context, context.rejected?.headers['x-access-token']);
      return {
        method: 'POST',
        url: auditsUrl,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'x-access-token': token,
          'frontegg-tenant-id': tenantOf(event),
        },
        body: event.wire,
      };
    },

    // The vendor answers 202 with no body; an auditwire-compatible server adds {"hash"} (wire README "Server hash").
    decode: decodeOneEventReply,
  };
}

/**
 * The tenant header, read from the event's own wire text: a prepared event is only `{id, wire, hash, bytes}`, and
 * one replayed from a spool is rebuilt from the journal, so nothing kept beside it would survive a restart. One
 * parse per request (Frontegg takes one event per request), next to a network round trip.
 */
function tenantOf(event: PreparedEvent): string {
  const { tenantId } = JSON.parse(event.wire) as { tenantId?: unknown };
  return typeof tenantId === 'string' ? tenantId : '';
}

/**
 * The native audit with its top-level `"__proto__"` member, which JSON.parse makes an own member and the loose
 * schema's output loses (it assigns keys one by one, so the value became the output's prototype instead): a
 * fresh plain object with every member the schema kept and that one put back as data (spec/EVENT.md 4.5).
 */
function withProtoMember(parsed: FronteggAudit, input: unknown): FronteggAudit {
  const descriptor = typeof input === 'object' && input !== null ? Object.getOwnPropertyDescriptor(input, '__proto__') : undefined;
  if (descriptor === undefined || descriptor.enumerable !== true) return parsed;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(parsed)) copy[key] = (parsed as Record<string, unknown>)[key];
  const value: unknown = 'value' in descriptor ? descriptor.value : descriptor.get?.call(input);
  Object.defineProperty(copy, '__proto__', { value, enumerable: true, writable: true, configurable: true });
  return copy as FronteggAudit;
}

/** Maps a normalized common event to Frontegg's flat object (spec/EVENT.md section 8). */
export function toFronteggAudit(event: NormalizedEvent): Record<string, unknown> {
  if (event.tenant === undefined) {
    throw new ValidationError([{ path: '$.tenant', message: `${TENANT_REQUIRED} (or tenantId, in Frontegg's own flat audit)` }]);
  }
  const collisions = event.fields === undefined ? NO_COLLISIONS : Object.keys(event.fields).filter((key) => RESERVED_KEYS.has(key));
  if (collisions.length > 0) {
    throw new ValidationError(
      collisions.map((key) => ({ path: `$.fields.${key}`, message: 'is a key the Frontegg mapping uses itself; rename the custom field' })),
    );
  }
  const anonymous = event.anonymous === true || event.actor === undefined;
  // Members in canonical (sorted) order; custom fields (no collisions, checked above) come first and make
  // serialization sort a copy, which only events with custom fields pay for. Assigned only when defined, as a
  // copy without the undefined members would be, without building that 27-member literal first.
  const out: Record<string, unknown> = {};
  if (event.fields !== undefined) {
    // Own keys only: the fields are a plain object, and a polluted Object.prototype must not add members.
    for (const key of Object.keys(event.fields)) {
      const value = event.fields[key];
      // A "__proto__" field is data, never a prototype change.
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
    }
  }
  out.action = event.action;
  setDefined(out, 'actorEmail', event.actor?.email);
  setDefined(out, 'actorId', event.actor?.id);
  setDefined(out, 'actorName', event.actor?.name);
  if (anonymous) out.anonymous = true;
  out.auditwireId = event.id;
  setDefined(out, 'crud', event.crud);
  setDefined(out, 'description', event.description);
  setDefined(out, 'device', event.device);
  setDefined(out, 'ip', event.ip);
  setDefined(out, 'location', event.location);
  out.outcome = event.outcome;
  setDefined(out, 'resource', event.target && (event.target.name ?? event.target.id));
  out.severity = event.severity;
  setDefined(out, 'tags', event.tags);
  setDefined(out, 'targetId', event.target?.id);
  setDefined(out, 'targetName', event.target?.name);
  setDefined(out, 'targetType', event.target?.type);
  setDefined(out, 'targetUrl', event.target?.url);
  out.tenantId = event.tenant.id;
  setDefined(out, 'tenantName', event.tenant.name);
  out.time = event.time;
  setDefined(out, 'timezone', event.timezone);
  setDefined(out, 'url', event.url);
  setDefined(out, 'user', event.actor && (event.actor.email ?? event.actor.name ?? event.actor.id));
  setDefined(out, 'userAgent', event.userAgent);
  return out;
}

function setDefined(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

const NO_COLLISIONS: readonly string[] = [];

const TENANT_REQUIRED = 'required by Frontegg (audits are stored per tenant; the tenant id is also a header)';

/**
 * Frontegg's flat audit (`user`, `resource`: keys the common event does not have) without its tenant would be
 * reported against the common model it was never meant to be (`unknown key(s): user, resource`); name the member
 * that is missing instead.
 */
function assertFlatAuditHasTenant(input: unknown): void {
  if (typeof input !== 'object' || input === null || Object.hasOwn(input, 'tenantId') || Object.hasOwn(input, 'tenant')) return;
  if (Object.keys(input).some((key) => !Object.hasOwn(AuditEventSchema.shape, key))) {
    throw new ValidationError([{ path: '$.tenantId', message: TENANT_REQUIRED }]);
  }
}

/** The tenant id travels as an HTTP header: only visible ASCII can (Frontegg tenant ids are UUIDs). */
function assertTenantHeaderSafe(tenantId: string, path: string): void {
  if (!/^[\u0021-\u007e](?:[\u0020-\u007e]*[\u0021-\u007e])?$/.test(tenantId)) {
    throw new ValidationError([{ path, message: 'Frontegg sends the tenant id as a header: it must be printable ASCII without surrounding spaces' }]);
  }
}
