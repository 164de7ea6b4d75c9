import type { Outcome, Severity, CrudOperation } from './schema.js';
import type { ValidAuditEvent } from './validate.js';
import { ValidationError } from '../errors.js';
import { dateTimeValue, isoFromTimeValue } from '../json/date-value.js';

/**
 * The event after normalization (spec/EVENT.md section 3): a deep snapshot with defaults filled, the time in one
 * canonical spelling, empty strings removed and IPv4-mapped IPv6 written as IPv4. Every adapter maps from this.
 */
export interface NormalizedEvent {
  readonly id: string;
  readonly action: string;
  /** `YYYY-MM-DDTHH:mm:ss.sssZ` */
  readonly time: string;
  readonly tenant?: { readonly id: string; readonly name?: string };
  readonly actor?: { readonly id: string; readonly name?: string; readonly email?: string };
  readonly target?: { readonly id: string; readonly type?: string; readonly name?: string; readonly url?: string };
  readonly outcome: Outcome;
  readonly anonymous?: boolean;
  readonly crud?: CrudOperation;
  readonly severity: Severity;
  readonly description?: string;
  readonly url?: string;
  readonly ip?: string;
  readonly userAgent?: string;
  readonly location?: string;
  readonly device?: string;
  readonly timezone?: string;
  readonly fields?: Readonly<Record<string, string>>;
  readonly tags?: readonly string[];
}

export interface NormalizeContext {
  readonly newId: () => string;
  readonly now: () => Date;
}

export function normalizeEvent(event: ValidAuditEvent, context: NormalizeContext): NormalizedEvent {
  // Members assigned one by one, in this order, only when defined: the same object a copy without the undefined
  // members would give, without building the 19-member literal that copy would start from.
  const out: Mutable<NormalizedEvent> = { id: event.id ?? context.newId(), action: event.action, time: canonicalTime(event.time ?? context.now()) } as Mutable<NormalizedEvent>;
  const { tenant, actor, target } = event;
  if (tenant !== undefined) out.tenant = withText({ id: tenant.id }, 'name', tenant.name);
  if (actor !== undefined) out.actor = withText(withText({ id: actor.id }, 'name', actor.name), 'email', actor.email);
  if (target !== undefined) out.target = withText(withText(withText({ id: target.id }, 'type', target.type), 'name', target.name), 'url', target.url);
  out.outcome = event.outcome ?? 'success';
  if (event.anonymous !== undefined) out.anonymous = event.anonymous;
  if (event.crud !== undefined) out.crud = event.crud;
  out.severity = event.severity ?? 'Info';
  withText(out, 'description', event.description);
  withText(out, 'url', event.url);
  if (event.ip !== undefined) out.ip = unmapIpv4(event.ip);
  withText(out, 'userAgent', event.userAgent);
  withText(out, 'location', event.location);
  withText(out, 'device', event.device);
  withText(out, 'timezone', event.timezone);
  const fields = fieldsOf(event.fields);
  if (fields !== undefined) out.fields = fields;
  const tags = tagsOf(event.tags);
  if (tags !== undefined) out.tags = tags;
  return out;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Sets `key` to `value` unless it is absent or empty (an empty string means "not given", spec/EVENT.md 3); returns `target`. */
function withText<T extends object>(target: T, key: string, value: string | undefined): T {
  if (value !== undefined && value !== '') (target as Record<string, string>)[key] = value;
  return target;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * One spelling per instant: UTC with exactly three fraction digits. Extra digits are truncated (not rounded), so
 * every language gets the same string without depending on its date parser (spec/EVENT.md 3.3). A Date is read
 * from its time value, never through its own methods: `TZDate` writes its zone's offset in `toISOString()`, which
 * would hash the same instant differently, and a hostile subclass can return any text at all.
 * @throws ValidationError (at `$.time`) for a Date with no valid time value, or a value that only looks like a Date.
 */
export function canonicalTime(time: string | Date): string {
  if (typeof time === 'object') {
    const value = dateTimeValue(time);
    if (value === undefined || !Number.isFinite(value)) {
      throw new ValidationError([{ path: '$.time', message: 'must be a valid Date (its time value is not a number)' }]);
    }
    return isoOfTimeValue(value);
  }
  const match = ISO.exec(time);
  if (match === null) throw new RangeError(`not an ISO-8601 date-time: ${time}`);
  const [, year, month, day, hour, minute, second, fraction = '', , sign, offsetHours, offsetMinutes] = match;
  const millis = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const offsetMs = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  const utc = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), millis) - offsetMs;
  return new Date(utc).toISOString();
}

// The last instant written, and its spelling: events of a burst share their millisecond (`now()`, mostly).
let lastTimeValue = Number.NaN;
let lastIso = '';

function isoOfTimeValue(value: number): string {
  if (value !== lastTimeValue) {
    lastIso = isoFromTimeValue(value);
    lastTimeValue = value;
  }
  return lastIso;
}

/** `::ffff:10.0.0.7` (Node's report of an IPv4 client on a dual-stack socket) -> `10.0.0.7`; others unchanged. */
export function unmapIpv4(ip: string): string {
  if (!ip.includes(':')) return ip;
  let hostname: string;
  try {
    hostname = new URL(`http://[${ip}]/`).hostname; // WHATWG URL serializes IPv6 compressed and lowercase
  } catch {
    return ip;
  }
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(hostname);
  if (mapped === null) return ip;
  const high = Number.parseInt(mapped[1] as string, 16);
  const low = Number.parseInt(mapped[2] as string, 16);
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

function fieldsOf(fields: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (fields === undefined) return undefined;
  const keys = Object.keys(fields).filter((key) => key !== '' && fields[key] !== '');
  if (keys.length === 0) return undefined;
  // Canonical (UTF-16 code unit) order, as the wire objects that carry the fields are built, so that serializing
  // them needs no reordered copy. A plain object, not a null-prototype one: `Object.create(null)` starts in V8's
  // dictionary mode, and one such member sends the whole event down JSON.stringify's slow path (about 1.5x the
  // cost of serializing a Retraced event; bench/results.md, profile notes).
  const copy: Record<string, string> = {};
  for (const key of keys.sort()) {
    const value = fields[key] as string;
    // A "__proto__" field is data, never a prototype change.
    if (key === '__proto__') Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
    else copy[key] = value;
  }
  return copy;
}

function tagsOf(tags: readonly string[] | undefined): string[] | undefined {
  const kept = tags?.filter((tag) => tag !== '');
  return kept === undefined || kept.length === 0 ? undefined : kept;
}
