import { isRecord } from '../json-value.js';
import type { RetracedHashInput } from '../retraced-formula.js';

// Retraced's event validation (shared/reference/wire/README.md section 2), with the vendor's messages from
// retracedhq/retraced src/handlers/createEvent.ts. The 500s are quirks of the real server reproduced on purpose:
// users' CI must see them here before production does.

/** The vendor's patterns, verbatim (createEvent.ts). IPv4: no leading "0" in the first octet. */
const IPV4_REGEX = /^(?!0)(?!.*\.$)((1?\d?\d|25[0-5]|2[0-4]\d)(\.|$)){4}$/;
/**
 * IPv6 as the vendor writes it: "::" needs a group on both sides (so `::1` and `::ffff:10.0.0.7` fail while
 * `2001:db8::1` passes), and because `^...|...$` binds the anchors to one alternative each, the first form is
 * only anchored at the start (e.g. `fe80::1%eth0` passes). Kept as is: it is what the real server accepts.
 */
const IPV6_REGEX =
  /^((?:[0-9A-Fa-f]{1,4}))((?::[0-9A-Fa-f]{1,4}))*::((?:[0-9A-Fa-f]{1,4}))((?::[0-9A-Fa-f]{1,4}))*|((?:[0-9A-Fa-f]{1,4}))((?::[0-9A-Fa-f]{1,4})){7}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

const EVENT_KEYS = new Set(['action', 'crud', 'group', 'actor', 'target', 'source_ip', 'description', 'component', 'version', 'external_id', 'is_anonymous', 'is_failure', 'created', 'fields', 'metadata']);
const PARTY_KEYS = { group: new Set(['id', 'name']), actor: new Set(['id', 'name', 'href', 'fields']), target: new Set(['id', 'name', 'href', 'type', 'fields']) } as const;
const STRINGS = ['source_ip', 'description', 'component', 'version', 'external_id'] as const;
const BOOLEANS = ['is_anonymous', 'is_failure'] as const;
const CRUD = new Set(['c', 'r', 'u', 'd']);

/** The vendor's violation record, returned in bulk answers under `invalid[].violations`. */
export interface Violation {
  readonly message: string;
  readonly field: string;
  readonly violation: 'missing' | 'invalid';
  readonly received?: unknown;
}

export type RetracedCheck =
  | { readonly kind: 'valid'; readonly event: RetracedHashInput }
  /** What the real server answers with a 500 (wire README section 2): missing action/crud, unparseable `created`. */
  | { readonly kind: 'server-error'; readonly message: string }
  | { readonly kind: 'invalid'; readonly violations: readonly Violation[] };

export function checkRetracedEvent(value: unknown): RetracedCheck {
  if (!isRecord(value)) return { kind: 'server-error', message: 'The event must be a JSON object' };
  for (const name of ['action', 'crud']) {
    if (value[name] === undefined || value[name] === null) return { kind: 'server-error', message: `Missing required field '${name}'` };
  }
  const created = value.created;
  if (created !== undefined && !(typeof created === 'string' && ISO_DATE_TIME.test(created) && !Number.isNaN(Date.parse(created)))) {
    return { kind: 'server-error', message: `Unable to parse 'created' field as valid time: ${String(created)}` };
  }

  const violations: Violation[] = [];
  excess(violations, value, EVENT_KEYS, '');
  if (value.action === '') violations.push({ message: "Missing required field 'action'", field: 'action', violation: 'missing' });
  else text(violations, 'action', value.action);
  if (value.crud === '') violations.push({ message: "Missing required field 'crud'", field: 'crud', violation: 'missing' });
  else if (typeof value.crud !== 'string' || !CRUD.has(value.crud)) {
    violations.push({ message: `Invalid value for 'crud' field: ${String(value.crud)}`, field: 'crud', violation: 'invalid', received: value.crud });
  }
  for (const name of STRINGS) text(violations, name, value[name]);
  for (const name of BOOLEANS) {
    if (value[name] !== undefined && typeof value[name] !== 'boolean') violations.push(invalid(name, 'must be a boolean', value[name]));
  }
  for (const name of ['group', 'actor', 'target'] as const) party(violations, name, value[name]);
  if (value.is_anonymous !== true && (value.actor === undefined || value.actor === null)) {
    violations.push({ message: "Event is not marked anonymous, and missing required field 'actor'", field: 'actor', violation: 'missing' });
  }
  stringMap(violations, 'fields', value.fields);
  stringMap(violations, 'metadata', value.metadata);
  const ip = value.source_ip;
  if (typeof ip === 'string' && ip !== '' && !IPV4_REGEX.test(ip) && !IPV6_REGEX.test(ip)) {
    violations.push(invalid('source_ip', '', ip, `Unable to parse 'source_ip' field as valid IPV4 or IPV6 address: ${ip}`));
  }
  // Every member the formula reads has been checked above, so the event has RetracedHashInput's shape.
  return violations.length > 0 ? { kind: 'invalid', violations } : { kind: 'valid', event: value as unknown as RetracedHashInput };
}

/** group / actor / target: an object whose `id` is required when it is present (section 2). */
function party(violations: Violation[], name: keyof typeof PARTY_KEYS, value: unknown): void {
  if (value === undefined) return;
  if (!isRecord(value)) {
    violations.push(invalid(name, 'must be an object', value));
    return;
  }
  excess(violations, value, PARTY_KEYS[name], `${name}.`);
  if (value.id === undefined || value.id === null || value.id === '') {
    violations.push({ message: `Field '${name}.id' is required if '${name}' is present`, field: `${name}.id`, violation: 'missing' });
  } else text(violations, `${name}.id`, value.id);
  for (const member of ['name', 'href', 'type'] as const) text(violations, `${name}.${member}`, value[member]);
  stringMap(violations, `${name}.fields`, value.fields);
}

/** Unknown keys are rejected at the top level and inside group/actor/target (section 2). */
function excess(violations: Violation[], value: Record<string, unknown>, allowed: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) violations.push(invalid(`${prefix}${key}`, '', undefined, `'${prefix}${key}' is an excess property and therefore is not allowed`));
  }
}

/** An optional string member: a string, and never "" (Retraced rejects empty strings anywhere, section 2). */
function text(violations: Violation[], field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string') violations.push(invalid(field, 'must be a string', value));
  else if (value === '') violations.push(invalid(field, 'must not be an empty string', value));
}

/** `fields` / `metadata`: string -> string, no empty key or value. */
function stringMap(violations: Violation[], field: string, value: unknown): void {
  if (value === undefined) return;
  if (!isRecord(value)) {
    violations.push(invalid(field, 'must be an object mapping strings to strings', value));
    return;
  }
  for (const [key, entry] of Object.entries(value)) {
    if (key === '') violations.push(invalid(field, 'must not have an empty key', key));
    text(violations, `${field}.${key}`, entry);
  }
}

function invalid(field: string, problem: string, received: unknown, message = `Field '${field}' ${problem}`): Violation {
  return received === undefined ? { message, field, violation: 'invalid' } : { message, field, violation: 'invalid', received };
}
