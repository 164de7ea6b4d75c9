import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { NormalizedEvent } from '../event/normalize.js';
import { failureFromResponse } from './response-failure.js';
import type { UnmappedField } from './unmapped-fields.js';
import type { Adapter, BatchResult, EventResult, HttpRequest, HttpResponse, PrepareContext, PreparedEvent } from './adapter.js';
import { LimitChecker, parseCommonOrNative, toPrepared, toPreparedMapped } from './prepare.js';
import { refusedByIndex } from './partial-failure.js';
import { assertHeaderSafe, joinUrl } from './http-helpers.js';
import { compact } from '../internal/compact.js';

// AuditLog.co events API, shared/reference/wire/README.md section 1 and auditlog-co-swagger.json.
// Mapping rules: spec/EVENT.md section 5.

const absoluteUrl = z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' }).max(400);

/** One element of the AuditLog.co events array, as the vendor validates it. */
export const AuditLogEventSchema = z.strictObject({
  uuid: z.string().min(1).max(80),
  time: z.iso.datetime({ offset: true }),
  action: z.string().min(1).max(40),
  description: z.string().max(120).optional(),
  url: absoluteUrl.optional(),
  client: z.strictObject({ uuid: z.string().min(1).max(120), name: z.string().max(120).optional() }),
  actor: z.strictObject({ uuid: z.string().min(1).max(80), name: z.string().max(120).optional(), email: z.string().max(120).optional() }),
  context: z.strictObject({
    client: z.strictObject({ ipAddress: z.ipv4().optional(), browserAgent: z.string().max(4096).optional() }).optional(),
    server: z.strictObject({ serverId: z.string().min(1).max(240), version: z.string().min(1).max(80) }),
  }),
  target: z
    .strictObject({ type: z.string().min(1).max(40), uuid: z.string().min(1).max(80), label: z.string().max(120).optional(), url: absoluteUrl.optional() })
    .optional(),
  targetUser: z.strictObject({ uuid: z.string().min(1).max(80), name: z.string().max(120).optional(), email: z.string().max(120).optional() }).optional(),
});
export type AuditLogEvent = z.infer<typeof AuditLogEventSchema>;

/** AuditLog.co's hosted service (wire README section 1). */
export const AUDITLOG_ENDPOINT = 'https://app.auditlog.co';

export interface AuditLogAdapterOptions {
  /** Base URL; `/api/v1/events` is appended. */
  readonly endpoint: string;
  /** `consumerId:secret`, as AuditLog.co issues it. */
  readonly apiKey: string;
}

/** No documented cap; keep each request well under a megabyte. */
const LIMITS = { maxBatchSize: 100, maxBatchBytes: 512 * 1024 };

export function createAuditLogAdapter(options: AuditLogAdapterOptions): Adapter {
  if (!options.apiKey.includes(':')) {
    throw new ValidationError([{ path: 'options.apiKey', message: 'AuditLog.co keys have the form consumerId:secret' }]);
  }
  assertHeaderSafe('options.apiKey', options.apiKey);
  const url = joinUrl(options.endpoint, '/api/v1/events');
  const apiKey = options.apiKey;

  return {
    name: 'auditlog',
    limits: LIMITS,

    prepare(input: unknown, context: PrepareContext): PreparedEvent {
      const parsed = parseCommonOrNative(input, AuditLogEventSchema, context);
      if (parsed.kind === 'native') return toPrepared(parsed.event.uuid, parsed.event);
      const wire = toAuditLogEvent(parsed.event, context.server);
      const dropped = auditLogUnmapped(parsed.event);
      if (dropped.length > 0) context.unmapped?.(dropped);
      return toPreparedMapped(parsed.event.id, wire);
    },

    encode(batch: readonly PreparedEvent[]): HttpRequest {
      return {
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': apiKey },
        body: `[${batch.map((event) => event.wire).join(',')}]`,
      };
    },

    decode(response: HttpResponse, batch: readonly PreparedEvent[]): BatchResult {
      if (response.status === 200 || response.status === 201) return readReceived(response, batch);
      if (response.status === 400) return readInvalid(response, batch) ?? { kind: 'request-failed', error: failureFromResponse(response) };
      return { kind: 'request-failed', error: failureFromResponse(response) };
    },
  };
}

/** Maps a normalized common event; limits violations are reported at the common-model path. */
export function toAuditLogEvent(event: NormalizedEvent, server: PrepareContext['server']): AuditLogEvent {
  const check = new LimitChecker('AuditLog.co');
  check.maxLength('$.action', event.action, 40, 'action');
  check.maxLength('$.description', event.description, 120, 'description');
  check.maxLength('$.tenant.id', event.tenant?.id, 120, 'client.uuid');
  check.maxLength('$.tenant.name', event.tenant?.name, 120, 'client.name');
  check.maxLength('$.actor.id', event.actor?.id, 80, 'actor.uuid');
  check.maxLength('$.actor.name', event.actor?.name, 120, 'actor.name');
  check.maxLength('$.target.id', event.target?.id, 80, 'target.uuid');
  check.maxLength('$.actor.email', event.actor?.email, 120, 'actor.email');
  check.maxLength('$.userAgent', event.userAgent, 4096, 'context.client.browserAgent');
  check.maxLength('$.target.type', event.target?.type, 40, 'target.type');
  check.maxLength('$.target.name', event.target?.name, 120, 'target.label');
  const url = absoluteOrUndefined(event.url);
  const targetUrl = absoluteOrUndefined(event.target?.url);
  check.maxLength('$.url', url, 400, 'url');
  check.maxLength('$.target.url', targetUrl, 400, 'target.url');
  check.throwIfAny();

  const ipv4 = event.ip !== undefined && !event.ip.includes(':') ? event.ip : undefined;
  const contextClient = compact({ browserAgent: event.userAgent, ipAddress: ipv4 });
  // Members in canonical (sorted) order at every level, so serializing needs no reordered copy.
  return compact({
    action: event.action,
    // Sentinels where the vendor requires a slot the event leaves empty (spec/EVENT.md 4.2).
    actor: event.actor
      ? compact({ email: event.actor.email, name: event.actor.name, uuid: event.actor.id })
      : { name: 'Anonymous', uuid: 'anonymous' },
    client: compact({ name: event.tenant?.name, uuid: event.tenant?.id ?? 'default' }),
    context: compact({
      client: Object.keys(contextClient).length > 0 ? contextClient : undefined,
      server: { serverId: server.id, version: server.version },
    }),
    description: event.description,
    target: event.target
      ? compact({ label: event.target.name, type: event.target.type ?? 'resource', url: targetUrl, uuid: event.target.id })
      : undefined,
    time: event.time,
    url,
    uuid: event.id,
  }) as AuditLogEvent;
}

/**
 * The members of a common event AuditLog.co's events API has no slot for (wire README section 1: its event has no
 * outcome, severity, crud, custom fields, tags, time zone, location or device, and `context.client.ipAddress` is
 * IPv4 of at most 15 characters; `url` and `target.url` must be absolute URLs). A default value (`outcome:
 * 'success'`, `severity: 'Info'`) loses nothing and is not reported. spec/EVENT.md section 5 maps the rest.
 */
export function auditLogUnmapped(event: NormalizedEvent): readonly UnmappedField[] {
  let dropped: UnmappedField[] | undefined;
  if (event.outcome !== 'success') dropped = withField(dropped, DROPPED.outcome);
  if (event.severity !== 'Info') dropped = withField(dropped, DROPPED.severity);
  if (event.crud !== undefined) dropped = withField(dropped, DROPPED.crud);
  if (event.anonymous === true && event.actor !== undefined) dropped = withField(dropped, DROPPED.anonymous);
  if (event.fields !== undefined && Object.keys(event.fields).length > 0) dropped = withField(dropped, DROPPED.fields);
  if (event.tags !== undefined && event.tags.length > 0) dropped = withField(dropped, DROPPED.tags);
  if (event.timezone !== undefined) dropped = withField(dropped, DROPPED.timezone);
  if (event.location !== undefined) dropped = withField(dropped, DROPPED.location);
  if (event.device !== undefined) dropped = withField(dropped, DROPPED.device);
  if (event.ip !== undefined && event.ip.includes(':')) dropped = withField(dropped, DROPPED.ipv6);
  if (event.url !== undefined && absoluteOrUndefined(event.url) === undefined) dropped = withField(dropped, DROPPED.url);
  const targetUrl = event.target?.url;
  if (targetUrl !== undefined && absoluteOrUndefined(targetUrl) === undefined) dropped = withField(dropped, DROPPED.targetUrl);
  return dropped ?? NONE_DROPPED;
}

const NONE_DROPPED: readonly UnmappedField[] = Object.freeze([]);

function withField(list: UnmappedField[] | undefined, field: UnmappedField): UnmappedField[] {
  const fields = list ?? [];
  fields.push(field);
  return fields;
}

/** One object per member, shared by every event that drops it (nothing allocated per event to say so). */
const DROPPED = deepFreeze({
  outcome: { path: '$.outcome' },
  severity: { path: '$.severity' },
  crud: { path: '$.crud' },
  anonymous: { path: '$.anonymous', detail: 'AuditLog.co marks an anonymous actor only by its absence' },
  fields: { path: '$.fields' },
  tags: { path: '$.tags' },
  timezone: { path: '$.timezone' },
  location: { path: '$.location' },
  device: { path: '$.device' },
  ipv6: { path: '$.ip', detail: 'an IPv6 address, and context.client.ipAddress is IPv4 only' },
  url: { path: '$.url', detail: 'not an absolute http(s) URL, which AuditLog.co requires' },
  targetUrl: { path: '$.target.url', detail: 'not an absolute http(s) URL, which AuditLog.co requires' },
});

function deepFreeze<T extends Record<string, object>>(record: T): Readonly<T> {
  for (const value of Object.values(record)) Object.freeze(value);
  return Object.freeze(record);
}

function absoluteOrUndefined(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * 200 `{"receivedEvents":[{"id","uuid","hash"?}]}` (the docs spell it `ReceivedEvents`). Each entry is matched to
 * its event by the `uuid` it echoes, so a reply in another order still gives every event its own server id and hash;
 * only a reply that echoes no uuid at all is matched by position. An event whose uuid the reply does not echo as
 * many times as it was sent fails (reported, never retried: the server may have stored it, and AuditLog.co does
 * not deduplicate, wire README section 1); so does the whole batch when the reply is unreadable or acknowledges a
 * uuid it was not sent.
 */
function readReceived(response: HttpResponse, batch: readonly PreparedEvent[]): BatchResult {
  const received = receivedList(response.body);
  const echoed = received?.filter((entry) => typeof entry.uuid === 'string').length;
  if (received === undefined || (echoed !== 0 && echoed !== received.length) || (echoed === 0 && received.length !== batch.length)) {
    return unreadableReply(response, `expected ${batch.length} receivedEvents, each with its uuid or none with one`);
  }
  if (echoed === 0) {
    // No uuid to go by: the vendor documents request order.
    const outcomes = new Map<number, EventResult>();
    batch.forEach((_event, index) => outcomes.set(index, acknowledged(received[index] as ReceivedEntry)));
    return { kind: 'per-event', outcomes, resend: [] };
  }
  return matchByUuid(response, batch, received);
}

type ReceivedEntry = Record<string, unknown>;

function matchByUuid(response: HttpResponse, batch: readonly PreparedEvent[], received: readonly ReceivedEntry[]): BatchResult {
  // The usual reply: every entry at its event's position. Pairing by position then gives what the matching below
  // would (each uuid's entries taken in order), without its maps.
  if (received.length === batch.length && received.every((entry, index) => entry.uuid === batch[index]?.id)) {
    const outcomes = new Map<number, EventResult>();
    for (let index = 0; index < received.length; index++) outcomes.set(index, acknowledged(received[index] as ReceivedEntry));
    return { kind: 'per-event', outcomes, resend: [] };
  }
  // Entries per uuid, in reply order; two events of a batch may share an id, and then take its entries in order.
  const byUuid = new Map<string, ReceivedEntry[]>();
  for (const entry of received) {
    const uuid = entry.uuid as string;
    byUuid.set(uuid, [...(byUuid.get(uuid) ?? []), entry]);
  }
  const sent = new Map<string, number>();
  for (const event of batch) sent.set(event.id, (sent.get(event.id) ?? 0) + 1);
  const unknown = [...byUuid.keys()].filter((uuid) => !sent.has(uuid));
  if (unknown.length > 0) {
    return unreadableReply(response, `the reply acknowledges uuid(s) that were not sent: ${unknown.slice(0, 5).join(', ')}`);
  }
  const outcomes = new Map<number, EventResult>();
  const taken = new Map<string, number>();
  batch.forEach((event, index) => {
    const entries = byUuid.get(event.id) ?? [];
    const expected = sent.get(event.id) ?? 1;
    // Left without an outcome and not resent: the delivery layer fails it with "the server's reply did not mention
    // event ...", a non-retryable DeliveryError (it may be stored, once or more).
    if (entries.length !== expected) return;
    const position = taken.get(event.id) ?? 0;
    taken.set(event.id, position + 1);
    outcomes.set(index, acknowledged(entries[position] as ReceivedEntry));
  });
  return { kind: 'per-event', outcomes, resend: [] };
}

function acknowledged(entry: ReceivedEntry): EventResult {
  return {
    ok: true,
    serverId: typeof entry.id === 'string' ? entry.id : undefined,
    serverHash: typeof entry.hash === 'string' ? entry.hash : undefined,
  };
}

/** The server stored something but we cannot tell what: resending could store it twice, so fail, not retry. */
function unreadableReply(response: HttpResponse, reason: string): BatchResult {
  return {
    kind: 'request-failed',
    error: { status: response.status, retryable: false, message: `unreadable success reply (${reason})`, body: response.body.slice(0, 2048) },
  };
}

function receivedList(body: string): ReceivedEntry[] | undefined {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const list = parsed.receivedEvents ?? parsed.ReceivedEvents;
    return Array.isArray(list) && list.every((entry) => typeof entry === 'object' && entry !== null) ? (list as ReceivedEntry[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * 400 `{statusCode, message, details}` whose detail keys name events (`[3].client.uuid`): those events fail with
 * the vendor's message, the others are sent again. Undefined when the details name no event.
 */
function readInvalid(response: HttpResponse, batch: readonly PreparedEvent[]): BatchResult | undefined {
  let details: Record<string, unknown>;
  try {
    const parsed = JSON.parse(response.body) as { details?: unknown };
    if (typeof parsed.details !== 'object' || parsed.details === null) return undefined;
    details = parsed.details as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const issuesByIndex = new Map<number, Array<{ path: string; message: string }>>();
  for (const [key, value] of Object.entries(details)) {
    const match = /^\[(\d+)\]\.?(.*)$/.exec(key);
    // Indices outside the batch are ignored by refusedByIndex.
    if (match === null) continue;
    const index = Number(match[1]);
    const issues = issuesByIndex.get(index) ?? [];
    issues.push({ path: `$${match[2] ? `.${match[2]}` : ''}`, message: `refused by AuditLog.co: ${detailText(value)}` });
    issuesByIndex.set(index, issues);
  }
  return refusedByIndex(batch, issuesByIndex);
}

function detailText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(String).join('; ');
  return JSON.stringify(value);
}
