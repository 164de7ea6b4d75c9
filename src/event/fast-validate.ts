import { isProxy } from 'node:util/types';
import { util } from 'zod/v4/core';
import { dateTimeValue } from '../json/date-value.js';
import { CRUD_OPERATIONS, OUTCOMES, SEVERITIES, ZOD_PATTERNS } from './schema.js';
import type { ValidAuditEvent } from './validate.js';

/**
 * A fast accept path for `AuditEventSchema`: for an event it is sure of, the same output `AuditEventSchema.parse`
 * gives (same members, same order, same values), without zod's per-member allocations; for anything else
 * `undefined`, and the caller asks zod, which stays the judge and writes every error message. It reads what zod
 * reads, in the same way: each declared member once through `input[key]` (so getters run as they would), presence
 * by `key in input`, unknown keys by `for...in`; and it declines rather than decides whenever a rule is not a
 * plain one (IPv6 addresses, a `"__proto__"` custom field, Proxies, symbol keys). The property test
 * test/property/fast-validate.property.test.ts holds it to zod on generated events, valid and invalid.
 */
export function fastParseAuditEvent(input: unknown): ValidAuditEvent | undefined {
  if (!isRecordObject(input)) return undefined;
  const source = input as Record<string, unknown>;
  // One pass over the enumerable keys (zod's unknown-key test), reading each member once; `seen` marks which.
  let seen = 0;
  let id, action, time, tenant, actor, target, outcome, anonymous, crud, severity, description, url, ip;
  let userAgent, location, device, timezone, fields, tags;
  for (const key in source) {
    const value = source[key];
    switch (key) {
      case 'id': id = value; seen |= ID; break;
      case 'action': action = value; seen |= ACTION; break;
      case 'time': time = value; seen |= TIME; break;
      case 'tenant': tenant = value; seen |= TENANT; break;
      case 'actor': actor = value; seen |= ACTOR; break;
      case 'target': target = value; seen |= TARGET; break;
      case 'outcome': outcome = value; seen |= OUTCOME; break;
      case 'anonymous': anonymous = value; seen |= ANONYMOUS; break;
      case 'crud': crud = value; seen |= CRUD; break;
      case 'severity': severity = value; seen |= SEVERITY; break;
      case 'description': description = value; seen |= DESCRIPTION; break;
      case 'url': url = value; seen |= URL; break;
      case 'ip': ip = value; seen |= IP; break;
      case 'userAgent': userAgent = value; seen |= USER_AGENT; break;
      case 'location': location = value; seen |= LOCATION; break;
      case 'device': device = value; seen |= DEVICE; break;
      case 'timezone': timezone = value; seen |= TIMEZONE; break;
      case 'fields': fields = value; seen |= FIELDS; break;
      case 'tags': tags = value; seen |= TAGS; break;
      default: return undefined;
    }
  }
  // A member `for...in` does not list but zod reads (non-enumerable, or inherited so) is left to zod.
  if (seen !== ALL && hasHiddenMember(source, seen)) return undefined;
  if (!(seen & ACTION) || !isRequiredText(action)) return undefined;
  if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > 80 || !id.isWellFormed())) return undefined;
  if (time !== undefined && !isTime(time)) return undefined;
  if (outcome !== undefined && !(OUTCOMES as readonly unknown[]).includes(outcome)) return undefined;
  if (anonymous !== undefined && typeof anonymous !== 'boolean') return undefined;
  if (crud !== undefined && !(CRUD_OPERATIONS as readonly unknown[]).includes(crud)) return undefined;
  if (severity !== undefined && !(SEVERITIES as readonly unknown[]).includes(severity)) return undefined;
  if (!isOptionalText(description) || !isOptionalText(url) || !isOptionalText(userAgent) || !isOptionalText(location)) return undefined;
  if (!isOptionalText(device) || !isOptionalText(timezone) || (ip !== undefined && !isIpv4(ip))) return undefined;
  const tenantCopy = tenant === undefined ? undefined : nestedCopy(tenant, TENANT_KEYS);
  const actorCopy = actor === undefined ? undefined : nestedCopy(actor, ACTOR_KEYS);
  const targetCopy = target === undefined ? undefined : nestedCopy(target, TARGET_KEYS);
  const fieldsCopy = fields === undefined ? undefined : stringRecord(fields);
  const tagsCopy = tags === undefined ? undefined : textArray(tags);
  if ((tenant !== undefined && tenantCopy === undefined) || (actor !== undefined && actorCopy === undefined)) return undefined;
  if ((target !== undefined && targetCopy === undefined) || (fields !== undefined && fieldsCopy === undefined)) return undefined;
  if (tags !== undefined && tagsCopy === undefined) return undefined;

  // zod's output: the members present in the input (an explicit undefined included), in the schema's order.
  const out: Record<string, unknown> = {};
  if (seen & ID) out.id = id;
  out.action = action;
  if (seen & TIME) out.time = time;
  if (seen & TENANT) out.tenant = tenantCopy;
  if (seen & ACTOR) out.actor = actorCopy;
  if (seen & TARGET) out.target = targetCopy;
  if (seen & OUTCOME) out.outcome = outcome;
  if (seen & ANONYMOUS) out.anonymous = anonymous;
  if (seen & CRUD) out.crud = crud;
  if (seen & SEVERITY) out.severity = severity;
  if (seen & DESCRIPTION) out.description = description;
  if (seen & URL) out.url = url;
  if (seen & IP) out.ip = ip;
  if (seen & USER_AGENT) out.userAgent = userAgent;
  if (seen & LOCATION) out.location = location;
  if (seen & DEVICE) out.device = device;
  if (seen & TIMEZONE) out.timezone = timezone;
  if (seen & FIELDS) out.fields = fieldsCopy;
  if (seen & TAGS) out.tags = tagsCopy;
  return out as ValidAuditEvent;
}

const [ID, ACTION, TIME, TENANT, ACTOR, TARGET, OUTCOME, ANONYMOUS, CRUD, SEVERITY, DESCRIPTION, URL, IP, USER_AGENT, LOCATION, DEVICE, TIMEZONE, FIELDS, TAGS] =
  Array.from({ length: 19 }, (_, bit) => 1 << bit) as [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];
const ALL = (1 << 19) - 1;

/**
 * Whether a member `for...in` did not list is still there for zod to read (non-enumerable, or inherited so): zod
 * tests presence with `key in input`. Spelled out key by key, so that each test is a cheap constant-key lookup.
 */
function hasHiddenMember(source: object, seen: number): boolean {
  return (
    (!(seen & ID) && 'id' in source) || (!(seen & ACTION) && 'action' in source) || (!(seen & TIME) && 'time' in source) ||
    (!(seen & TENANT) && 'tenant' in source) || (!(seen & ACTOR) && 'actor' in source) || (!(seen & TARGET) && 'target' in source) ||
    (!(seen & OUTCOME) && 'outcome' in source) || (!(seen & ANONYMOUS) && 'anonymous' in source) || (!(seen & CRUD) && 'crud' in source) ||
    (!(seen & SEVERITY) && 'severity' in source) || (!(seen & DESCRIPTION) && 'description' in source) || (!(seen & URL) && 'url' in source) ||
    (!(seen & IP) && 'ip' in source) || (!(seen & USER_AGENT) && 'userAgent' in source) || (!(seen & LOCATION) && 'location' in source) ||
    (!(seen & DEVICE) && 'device' in source) || (!(seen & TIMEZONE) && 'timezone' in source) || (!(seen & FIELDS) && 'fields' in source) ||
    (!(seen & TAGS) && 'tags' in source)
  );
}

function isOptionalText(value: unknown): boolean {
  return value === undefined || isText(value);
}

/**
 * `tenant`, `actor`, `target`: a strict object whose first member, `id`, is required text and the others optional
 * text; the copy holds the members present, in the schema's order, as zod's does.
 */
function nestedCopy(value: unknown, keys: readonly string[]): Record<string, unknown> | undefined {
  if (!isRecordObject(value)) return undefined;
  const source = value as Record<string, unknown>;
  let seen = 0;
  let first, second, third, fourth;
  for (const key in source) {
    const member = source[key];
    if (key === keys[0]) (first = member), (seen |= 1);
    else if (key === keys[1]) (second = member), (seen |= 2);
    else if (key === keys[2]) (third = member), (seen |= 4);
    else if (key === keys[3]) (fourth = member), (seen |= 8);
    else return undefined;
  }
  const all = (1 << keys.length) - 1;
  if (seen !== all) for (let index = 0; index < keys.length; index++) if (!(seen & (1 << index)) && (keys[index] as string) in source) return undefined;
  if (!isRequiredText(first) || !isOptionalText(second) || !isOptionalText(third) || !isOptionalText(fourth)) return undefined;
  const copy: Record<string, unknown> = { id: first };
  if (seen & 2) copy[keys[1] as string] = second;
  if (seen & 4) copy[keys[2] as string] = third;
  if (seen & 8) copy[keys[3] as string] = fourth;
  return copy;
}

const TENANT_KEYS = ['id', 'name'] as const;
const ACTOR_KEYS = ['id', 'name', 'email'] as const;
const TARGET_KEYS = ['id', 'type', 'name', 'url'] as const;

/** zod's object check (not null, not an array), and no Proxy: its traps could answer this path and zod differently. */
function isRecordObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isProxy(value);
}

/**
 * `z.record(text, text)`: zod's plain-object test, then the own enumerable keys (zod lists them with Reflect.ownKeys;
 * `for...in` gives the same string keys, and an own symbol key, which zod refuses, sends the event to zod).
 */
function stringRecord(value: unknown): Record<string, string> | undefined {
  if (!util.isPlainObject(value) || isProxy(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (Object.getOwnPropertySymbols(record).length > 0) return undefined;
  const copy: Record<string, string> = {};
  for (const key in record) {
    // A "__proto__" field takes the zod path and withProtoField; an inherited key is not one zod reads.
    if (key === '__proto__' || !Object.hasOwn(record, key)) return undefined;
    const item = record[key];
    if (!key.isWellFormed() || !isText(item)) return undefined;
    copy[key] = item;
  }
  return copy;
}

/** `z.array(text)`: a fresh array of the same length, as zod builds it. */
function textArray(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || isProxy(value)) return undefined;
  const copy = new Array<string>(value.length);
  for (let index = 0; index < value.length; index++) {
    const item: unknown = value[index];
    if (!isText(item)) return undefined;
    copy[index] = item;
  }
  return copy;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.isWellFormed();
}

function isRequiredText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.isWellFormed();
}

function isTime(value: unknown): boolean {
  if (typeof value === 'string') {
    const pattern = ZOD_PATTERNS.isoDateTime;
    if (pattern === undefined) return false;
    pattern.lastIndex = 0;
    return pattern.test(value);
  }
  return typeof value === 'object' && value !== null && Number.isFinite(dateTimeValue(value));
}

function isIpv4(value: unknown): boolean {
  const pattern = ZOD_PATTERNS.ipv4;
  if (typeof value !== 'string' || pattern === undefined) return false;
  pattern.lastIndex = 0;
  return pattern.test(value);
}
