import { ValidationError } from '../errors.js';
import { sha256Hex } from './sha256.js';

/**
 * The event fields the Retraced hash reads (shared/reference/wire/README.md, "Retraced hash formula"). Other
 * keys (crud, created, description, names, hrefs, target.type, component, version) are not hashed.
 */
export interface RetracedHashInput {
  action: string;
  target?: { id: string } | undefined;
  actor?: { id: string } | undefined;
  group?: { id: string } | undefined;
  source_ip?: string | undefined;
  is_failure?: boolean | undefined;
  is_anonymous?: boolean | undefined;
  fields?: Readonly<Record<string, string>> | undefined;
  external_id?: string | undefined;
  metadata?: Readonly<Record<string, string>> | undefined;
}

/**
 * The Retraced event hash for `event` stored under the server-assigned `id`: SHA-256 of Retraced's hash target
 * string (see `retracedHashTarget`).
 *
 * Written to agree with the vendor's reference, `computeHash` in the npm package `@retracedhq/retraced`, on every
 * input, oddities included: "present" means lodash `isEmpty` is false (an empty string or `{}` group counts as
 * absent), an empty `fields: {}` is present and contributes nothing, while an absent one contributes ":".
 * @throws ValidationError where the reference throws: no id, no action, or a group/actor/target without an id.
 */
export function retracedHash(event: RetracedHashInput | object, id: string): string {
  return sha256Hex(retracedHashTarget(event, id));
}

/** The exact string the Retraced hash is taken over, for diagnosing a mismatch. */
export function retracedHashTarget(event: RetracedHashInput | object, id: string): string {
  assertServerId(id);
  return `${escapeOnce(id) as string}:${retracedHashTail(event)}`;
}

/**
 * Everything of the hash target that follows the server-assigned id and its `:`: all of it is known before the
 * event is sent, so the delivery path computes it once at prepare time, and the reply only costs
 * `retracedHashWithTail`.
 * @throws ValidationError where the reference throws: no action, or a group/actor/target without an id.
 */
export function retracedHashTail(event: RetracedHashInput | object): string {
  const e = event as Record<string, unknown>;
  assertHashable(e);
  const parts = [
    `${escapeOnce(e.action)}:`,
    isEmpty(e.target) ? ':' : `${escapeOnce(member(e.target, 'id'))}:`,
    isEmpty(e.actor) ? ':' : `${escapeOnce(member(e.actor, 'id'))}:`,
    isEmpty(e.group) ? ':' : `${escapeOnce(member(e.group, 'id'))}:`,
    isEmpty(e.source_ip) ? ':' : `${escapeOnce(e.source_ip)}:`,
    e.is_failure ? '1:' : '0:',
    e.is_anonymous ? '1:' : '0:',
    e.fields ? encodeMap(e.fields) : ':',
  ];
  if (e.external_id) parts.push(`:${escapeOnce(e.external_id)}`);
  if (e.metadata) parts.push(`:${encodeMap(e.metadata)}`);
  // join() builds one flat string, where `+=` would leave V8 a tree of concatenations holding every piece.
  return parts.join('');
}

/** `retracedHash(event, id)` from the event's `retracedHashTail`. */
export function retracedHashWithTail(id: string, tail: string): string {
  assertServerId(id);
  return sha256Hex(`${escapeOnce(id) as string}:${tail}`);
}

function assertServerId(id: string): void {
  if (!id) throw new ValidationError([{ path: 'id', message: 'the server-assigned event id is required' }]);
}

function assertHashable(e: Record<string, unknown>): void {
  if (typeof e !== 'object' || e === null) throw new ValidationError([{ path: '$', message: 'event must be an object' }]);
  if (isEmpty(e.action)) throw new ValidationError([{ path: '$.action', message: 'required' }]);
  for (const [name, dotted] of REFERENCED) {
    // lodash `_.get(event, 'group.id')` reads a key literally named "group.id" first, if there is one.
    const id = dotted in e ? e[dotted] : member(e[name], 'id');
    if (!isEmpty(e[name]) && isEmpty(id)) {
      throw new ValidationError([{ path: `$.${name}.id`, message: `required when ${name} is present` }]);
    }
  }
}

const REFERENCED = [
  ['group', 'group.id'],
  ['target', 'target.id'],
  ['actor', 'actor.id'],
] as const;

/** `key=value;` for each key in UTF-16 code-unit order (JavaScript's default sort), both escaped twice. */
function encodeMap(map: unknown): string {
  const record = map as Record<string, unknown>;
  const keys = Object.keys(record);
  // Wire objects come with their members in canonical order already, which is this order: no sort needed.
  if (!isSorted(keys)) keys.sort();
  let out = '';
  for (const key of keys) {
    out += `${escapeTwice(escapeOnce(key))}=${escapeTwice(escapeOnce(record[key]))};`;
  }
  return out;
}

function isSorted(keys: readonly string[]): boolean {
  for (let index = 1; index < keys.length; index++) if ((keys[index - 1] as string) > (keys[index] as string)) return false;
  return true;
}

// The reference escapes only truthy values that have a `replace` method (strings), passing anything else through
// to string interpolation unchanged; mirrored exactly so that even odd inputs hash alike. Most values contain none of
// the escaped characters: one scan finds that, and they are returned as they are.
function escapeOnce(value: unknown): unknown {
  if (!value || !(value as { replace?: unknown }).replace) return value;
  const text = value as string;
  if (typeof text === 'string' && !text.includes('%') && !text.includes(':')) return text;
  return text.replace(/%/g, '%25').replace(/:/g, '%3A');
}

function escapeTwice(value: unknown): unknown {
  if (!value || !(value as { replace?: unknown }).replace) return value;
  const text = value as string;
  if (typeof text === 'string' && !text.includes('=') && !text.includes(';')) return text;
  return text.replace(/=/g, '%3D').replace(/;/g, '%3B');
}

function member(container: unknown, key: string): unknown {
  return container === null || container === undefined ? undefined : (container as Record<string, unknown>)[key];
}

const { propertyIsEnumerable } = Object.prototype;

/** lodash `isEmpty`, for the value types an event can hold. */
function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string' || Array.isArray(value)) return value.length === 0;
  // Typed arrays are array-like; a DataView is not (no length), so it falls through to the key check.
  if (ArrayBuffer.isView(value) && 'length' in value) return (value as unknown as { length: number }).length === 0;
  if (value instanceof Map || value instanceof Set) return value.size === 0;
  if (typeof value !== 'object' && typeof value !== 'function') return true;
  // Object.keys(value).length === 0, without building the array; the group, actor and target it is asked about
  // have an own `id`, which settles it at once.
  if (propertyIsEnumerable.call(value, 'id')) return false;
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}
