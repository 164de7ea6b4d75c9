import { ValidationError, type ValidationIssue } from '../errors.js';
import type { NormalizedEvent } from '../event/normalize.js';
import { retracedHash, retracedHashTail, retracedHashWithTail } from '../hash/retraced-hash.js';
import { compact } from '../internal/compact.js';
import type { Adapter, BatchResult, EventResult, HttpRequest, HttpResponse, PrepareContext, PreparedEvent } from './adapter.js';
import { assertHeaderSafe, isPrintableAscii, joinUrl } from './http-helpers.js';
import { LimitChecker, parseCommonOrNative, toPrepared, toPreparedMapped } from './prepare.js';
import { refusedByIndex } from './partial-failure.js';
import { failureFromResponse } from './response-failure.js';
import { placeRetracedIp } from './retraced-ip.js';
import { RetracedEventSchema, type RetracedEvent } from './retraced-schema.js';

// Retraced publisher API, shared/reference/wire/README.md section 2 and retraced-publisher-openapi.json.
// Mapping rules: spec/EVENT.md section 6; hashes: section 9.

export { RetracedEventSchema, type RetracedEvent } from './retraced-schema.js';

/** The base URL the vendor SDKs default to (wire README section 2). */
export const RETRACED_ENDPOINT = 'http://localhost:3000/auditlog';

export interface RetracedAdapterOptions {
  /** Base URL, e.g. `http://localhost:3000/auditlog`; `/publisher/v1/project/{projectId}/event[/bulk]` is appended. */
  readonly endpoint: string;
  /** The project's API token, sent as `Authorization: Token token=<apiKey>`. */
  readonly apiKey: string;
  readonly projectId: string;
}

/**
 * 50 is the server's bulk cap (`PUBLISHER_BULK_CREATE_MAX_EVENTS`; more answers 400). 5 MiB is half the server's
 * 10 MB JSON body limit: the limit counts the whole body (wrapper and commas beyond the events' own bytes) and
 * "MB" may be read as 10^6 or 2^20, so half leaves a margin that no reading can eat, while still allowing ~100 KiB
 * per event in a full batch of 50.
 */
const LIMITS = { maxBatchSize: 50, maxBatchBytes: 5 * 1024 * 1024 };

/** A larger event could only travel alone and would still exceed the vendor's 10 MB body limit (decimal, the stricter reading). */
const MAX_EVENT_BYTES = 10_000_000;

export function createRetracedAdapter(options: RetracedAdapterOptions): Adapter {
  assertOptions(options);
  const singleUrl = joinUrl(options.endpoint, `/publisher/v1/project/${encodeURIComponent(options.projectId)}/event`);
  const bulkUrl = `${singleUrl}/bulk`;
  // Always well-formed: the server matches /token=(.+)/ and a malformed header can crash it (wire README section 2).
  const headers = Object.freeze({
    // Without it the server drops the body and answers 500 (wire README section 2).
    'content-type': 'application/json',
    accept: 'application/json',
    authorization: `Token token=${options.apiKey}`,
  });

  return {
    name: 'retraced',
    limits: LIMITS,

    prepare(input: unknown, context: PrepareContext): PreparedEvent {
      const parsed = parseCommonOrNative(input, RetracedEventSchema, context);
      const wire = parsed.kind === 'native' ? parsed.event : toRetracedEvent(parsed.event, context.server);
      const prepared =
        parsed.kind === 'native'
          ? // The receipt id is the vendor id when there is one, else a local id that is not sent (spec/EVENT.md 4.4).
            toPrepared(parsed.event.external_id ?? context.newId(), wire)
          : toPreparedMapped(parsed.event.id, wire);
      if (prepared.bytes > MAX_EVENT_BYTES) {
        throw new ValidationError([{ path: '$', message: `the event is ${prepared.bytes} bytes as JSON; Retraced accepts request bodies up to 10 MB` }]);
      }
      return withHashTail(prepared, wire);
    },

    encode(batch: readonly PreparedEvent[]): HttpRequest {
      // `{"events":[]}` answers 500 and more than 50 answers 400 (wire README section 2): neither may be sent.
      if (batch.length === 0 || batch.length > LIMITS.maxBatchSize) {
        throw new RangeError(`a Retraced request carries 1..${LIMITS.maxBatchSize} events, not ${batch.length}`);
      }
      // The wire texts are already canonical JSON; concatenation avoids serializing them again.
      if (batch.length === 1) return { method: 'POST', url: singleUrl, headers, body: (batch[0] as PreparedEvent).wire };
      return { method: 'POST', url: bulkUrl, headers, body: `{"events":[${batch.map((event) => event.wire).join(',')}]}` };
    },

    decode(response: HttpResponse, batch: readonly PreparedEvent[]): BatchResult {
      if (response.status === 201 || response.status === 200) return readCreated(response, batch);
      if (response.status === 400) return readInvalid(response, batch) ?? { kind: 'request-failed', error: failureFromResponse(response) };
      // 401 (unknown or malformed token) becomes an AuthenticationError downstream; 500 is retryable.
      return { kind: 'request-failed', error: failureFromResponse(response) };
    },
  };
}

function assertOptions(options: RetracedAdapterOptions): void {
  const issues: ValidationIssue[] = [];
  if (options.apiKey === '') issues.push({ path: 'options.apiKey', message: 'must not be empty' });
  if (options.projectId === '') issues.push({ path: 'options.projectId', message: 'must not be empty' });
  // encodeURIComponent throws on a lone surrogate; report it as the configuration error it is.
  if (!options.projectId.isWellFormed()) issues.push({ path: 'options.projectId', message: 'contains a lone surrogate (not valid Unicode)' });
  if (issues.length > 0) throw new ValidationError(issues);
  // The control-character check first, for its more precise message.
  assertHeaderSafe('options.apiKey', options.apiKey);
  // Header values are bytes; Retraced tokens are hex. Anything beyond printable ASCII would fail in the transport.
  if (!isPrintableAscii(options.apiKey)) {
    throw new ValidationError([{ path: 'options.apiKey', message: 'must be printable ASCII (it is sent in the Authorization header)' }]);
  }
}

/**
 * The prepared event with the part of its Retraced hash input that does not depend on the server's id. `wire` holds
 * only strings, booleans and string maps (both schemas say so), so it reads exactly as `JSON.parse(prepared.wire)`
 * would. An event the formula cannot hash keeps no tail, and fails on the reply as it always did.
 */
function withHashTail(prepared: PreparedEvent, wire: RetracedEvent): PreparedEvent {
  let hashTail: string | undefined;
  try {
    hashTail = retracedHashTail(wire);
  } catch {
    hashTail = undefined;
  }
  return { id: prepared.id, wire: prepared.wire, hash: prepared.hash, bytes: prepared.bytes, time: prepared.time, hashTail };
}

/**
 * The local side of Retraced's verification: its formula covers the id the server assigned, so the hash is
 * completed once a reply names that id, from the tail computed at prepare time (a replayed event has only its wire
 * text, which is parsed again).
 */
export function retracedLocalHash(event: PreparedEvent, serverId: string): string {
  if (event.hashTail !== undefined) return retracedHashWithTail(serverId, event.hashTail);
  return retracedHash(JSON.parse(event.wire) as object, serverId);
}

/** Maps a normalized common event (spec/EVENT.md section 6); vendor rules are reported at the common-model path. */
export function toRetracedEvent(event: NormalizedEvent, server: PrepareContext['server']): RetracedEvent {
  const check = new LimitChecker('Retraced');
  if (event.crud === undefined) check.fail('$.crud', 'required by Retraced (one of "c", "r", "u", "d"; it has no default that is true for every event)');
  event.tags?.forEach((tag, index) => {
    if (tag.includes(',')) check.fail(`$.tags[${index}]`, 'must not contain "," (Retraced metadata.tags is a comma-separated list)');
  });
  check.throwIfAny();

  const ip = event.ip === undefined ? undefined : placeRetracedIp(event.ip);
  // Members in canonical (sorted) order at every level, so serializing needs no reordered copy.
  return compact({
    action: event.action,
    actor: event.actor && compact({ fields: event.actor.email === undefined ? undefined : { email: event.actor.email }, id: event.actor.id, name: event.actor.name }),
    component: server.id,
    created: event.time,
    crud: event.crud as NonNullable<NormalizedEvent['crud']>,
    description: event.description,
    external_id: event.id,
    // Present only when the event has custom fields: an empty {} and an absent `fields` hash differently.
    fields: event.fields,
    group: event.tenant && compact({ id: event.tenant.id, name: event.tenant.name }),
    // Effective anonymous (spec/EVENT.md 4.1); always sent, like is_failure, so the hashed flags are explicit.
    is_anonymous: event.anonymous === true || event.actor === undefined,
    is_failure: event.outcome === 'failure',
    // Always present, because severity always is (spec/EVENT.md section 6).
    metadata: compact({
      device: event.device,
      location: event.location,
      severity: event.severity,
      source_ip: ip !== undefined && 'metadataSourceIp' in ip ? ip.metadataSourceIp : undefined,
      tags: event.tags?.join(','),
      timezone: event.timezone,
      url: event.url,
      user_agent: event.userAgent,
    }),
    source_ip: ip !== undefined && 'sourceIp' in ip ? ip.sourceIp : undefined,
    target: event.target && compact({ href: event.target.url, id: event.target.id, name: event.target.name, type: event.target.type }),
    version: server.version,
  }) as RetracedEvent;
}

/**
 * 201 `{id, hash}` (single) or `[{id, hash}, ...]` in input order (bulk). The local hash needs the server-assigned
 * id (wire README section 2, spec/EVENT.md section 9), so it is computed here for the delivery layer to compare.
 */
function readCreated(response: HttpResponse, batch: readonly PreparedEvent[]): BatchResult {
  const created = createdList(response.body, batch.length);
  if (created === undefined) {
    // The server stored something but we cannot tell what: resending would store it twice (Retraced does not
    // deduplicate, wire README section 2), so fail without retrying.
    return {
      kind: 'request-failed',
      error: { status: response.status, retryable: false, message: `unreadable success reply (expected ${batch.length} {id, hash})`, body: response.body.slice(0, 2048) },
    };
  }
  const outcomes = new Map<number, EventResult>();
  for (let index = 0; index < batch.length; index++) {
    const { id, hash } = created[index] as { id: string; hash: unknown };
    const serverHash = typeof hash === 'string' ? hash : undefined;
    outcomes.set(index, { ok: true, serverId: id, serverHash, localHash: retracedLocalHash(batch[index] as PreparedEvent, id) });
  }
  return { kind: 'per-event', outcomes, resend: [] };
}

/**
 * The `{id, hash}` entries as the server sent them, one per event, or undefined when the body does not say which id
 * each event got (each entry is an object with a non-empty string `id`; a `hash` that is not a string is ignored).
 */
function createdList(body: string, expected: number): ReadonlyArray<{ id: string; hash: unknown }> | undefined {
  const parsed = parseJson(body);
  // The single endpoint answers an object; accept a one-element array for it too.
  const list = Array.isArray(parsed) ? (parsed as unknown[]) : expected === 1 ? [parsed] : undefined;
  if (list === undefined || list.length !== expected) return undefined;
  for (const entry of list) {
    if (!isRecord(entry) || typeof entry.id !== 'string' || entry.id === '') return undefined;
  }
  return list as Array<{ id: string; hash: unknown }>;
}

/**
 * 400 `{status, type, error, invalid: [{message, index, violations}]}`: the bulk is all-or-nothing, so nothing was
 * stored; the named events fail with the vendor's reasons, the others are sent again. Undefined when `invalid`
 * names no event of this batch (e.g. "A maximum of 50 events may be created at once").
 */
function readInvalid(response: HttpResponse, batch: readonly PreparedEvent[]): BatchResult | undefined {
  const parsed = parseJson(response.body);
  if (!isRecord(parsed) || !Array.isArray(parsed.invalid)) return undefined;
  const issuesByIndex = new Map<number, ValidationIssue[]>();
  for (const entry of parsed.invalid as unknown[]) {
    if (!isRecord(entry) || !Number.isInteger(entry.index)) continue;
    // Indices outside the batch are ignored by refusedByIndex.
    const index = entry.index as number;
    issuesByIndex.set(index, [...(issuesByIndex.get(index) ?? []), ...issuesOf(entry)]);
  }
  return refusedByIndex(batch, issuesByIndex);
}

/** One issue per vendor violation (`{message, field}`, field like `group.id`), or the entry's own message. */
function issuesOf(entry: Record<string, unknown>): ValidationIssue[] {
  const violations = Array.isArray(entry.violations) ? (entry.violations as unknown[]).filter(isRecord) : [];
  const issues = violations
    .filter((violation) => typeof violation.message === 'string')
    .map((violation) => ({
      path: typeof violation.field === 'string' && violation.field !== '' ? `$.${violation.field}` : '$',
      message: `refused by Retraced: ${violation.message as string}`,
    }));
  if (issues.length > 0) return issues;
  return [{ path: '$', message: `refused by Retraced: ${typeof entry.message === 'string' ? entry.message : 'invalid event'}` }];
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
