import { isBigIntObject, isBooleanObject, isBoxedPrimitive, isMap, isNumberObject, isSet, isStringObject } from 'node:util/types';
import { CanonicalizationError } from '../errors.js';
import { dateTimeValue, isoFromTimeValue } from '../json/date-value.js';
import { appendPath } from '../json/json-path.js';
import { fastCanonicalJson, ReadFailure } from './fast-canonical.js';

/**
 * RFC 8785 (JSON Canonicalization Scheme) canonical JSON of `value`.
 *
 * Plain data (the common case: events built from JSON or object literals) takes `fastCanonicalJson`: one pass that
 * copies the value with its keys in canonical order, then the native `JSON.stringify` of that copy. Everything else
 * takes `serializeOnce`, which checks and writes in the same pass. Both read every member of the input exactly once
 * and serialize only what they read, so a getter or Proxy that answers differently on a second read cannot slip
 * NaN, a BigInt or a lone surrogate past the checks. Input that is not I-JSON (RFC 7493) throws a
 * `CanonicalizationError` naming the JSON path, as does any exception thrown by the input's own code (a getter,
 * `toJSON`, a Proxy trap). Both paths give identical bytes (tested against every vector and random values).
 *
 * Serialization follows RFC 8785 section 3.2: UTF-16 code-unit key order, and ECMAScript's `JSON.stringify` for
 * strings and numbers (which the RFC defines by reference to it), no Unicode normalization.
 *
 * Values follow `JSON.stringify` conventions where those are unambiguous: `toJSON()` is honoured, boxed primitives
 * unwrap, and an object member whose value is `undefined`, a function or a symbol is omitted. Where a value is
 * required (the top level, an array element) those throw instead. A `Date` (any subclass) is written from its time
 * value as `YYYY-MM-DDTHH:mm:ss.sssZ`, whatever its `toJSON` or `toISOString` say: one spelling per instant; an
 * invalid Date throws. A `"__proto__"` key is ordinary data and is kept.
 */
export function canonicalJson(value: unknown): string {
  const fast = fastCanonicalJson(value);
  if (typeof fast === 'string') return fast;
  return serializeOnce(fast === undefined ? value : fast.snapshot);
}

/** Throws `CanonicalizationError` unless `value` is I-JSON (it has an RFC 8785 canonical form). */
export function assertIJson(value: unknown): void {
  serializeOnce(value);
}

interface PathNode {
  readonly parent: PathNode | undefined;
  readonly segment: string | number;
}

/** A value after `toJSON` and unboxing, with the `toJSON` objects it came through (they count as its ancestors). */
interface Resolved {
  readonly value: unknown;
  readonly wrappers: readonly object[];
}

type Task =
  | { readonly kind: 'value'; readonly resolved: Resolved; readonly at: PathNode | undefined }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'leave'; readonly held: readonly object[] };

/** A `toJSON` that keeps returning fresh objects with a `toJSON` of their own would otherwise never end. */
const MAX_TO_JSON_CHAIN = 32;

/**
 * Checks and writes `value` in one iterative pass (an explicit stack, so deep nesting neither overflows nor fails
 * on depth alone). Every member is read once, when its container is opened, and that one value is both checked
 * and written.
 */
function serializeOnce(value: unknown): string {
  const out: string[] = [];
  const ancestors = new Set<object>();
  const root = resolve(value, ancestors, undefined);
  requireValue(root.value, undefined);
  const tasks: Task[] = [{ kind: 'value', resolved: root, at: undefined }];

  for (let task = tasks.pop(); task !== undefined; task = tasks.pop()) {
    if (task.kind === 'text') {
      out.push(task.text);
      continue;
    }
    if (task.kind === 'leave') {
      for (const held of task.held) ancestors.delete(held);
      continue;
    }
    const { at } = task;
    const { value: current, wrappers } = task.resolved;
    if (typeof current !== 'object' || current === null) {
      out.push(scalarText(current, at));
      continue;
    }
    if (isMap(current) || isSet(current)) {
      fail(at, `${isMap(current) ? 'Map' : 'Set'} has no JSON representation; convert it to a plain object or array`);
    }
    for (const wrapper of wrappers) {
      if (ancestors.has(wrapper)) fail(at, 'cycle: toJSON() returned a value that contains itself');
    }
    if (ancestors.has(current)) fail(at, 'cycle: the value contains itself');
    const held = wrappers.length === 0 ? [current] : [...wrappers, current];
    for (const object of held) ancestors.add(object);
    tasks.push({ kind: 'leave', held });
    if (Array.isArray(current)) openArray(current, at, ancestors, out, tasks);
    else openObject(current, at, ancestors, out, tasks);
  }
  return out.join('');
}

function openArray(array: readonly unknown[], at: PathNode | undefined, ancestors: ReadonlySet<object>, out: string[], tasks: Task[]): void {
  const length = guarded(at, () => array.length);
  const items: Task[] = [];
  for (let index = 0; index < length; index++) {
    const child: PathNode = { parent: at, segment: index };
    const resolved = resolve(guarded(child, () => array[index]), ancestors, child);
    requireValue(resolved.value, child);
    items.push({ kind: 'value', resolved, at: child });
  }
  out.push('[');
  tasks.push({ kind: 'text', text: ']' });
  for (let index = items.length - 1; index >= 0; index--) {
    tasks.push(items[index] as Task);
    if (index > 0) tasks.push({ kind: 'text', text: ',' });
  }
}

function openObject(object: object, at: PathNode | undefined, ancestors: ReadonlySet<object>, out: string[], tasks: Task[]): void {
  const record = object as Record<string, unknown>;
  const keys = guarded(at, () => Object.keys(record));
  const members: Array<{ key: string; task: Task }> = [];
  for (const key of keys) {
    const child: PathNode = { parent: at, segment: key };
    if (!key.isWellFormed()) fail(child, 'object key contains a lone surrogate (not valid Unicode, so not I-JSON)');
    const resolved = resolve(guarded(child, () => record[key]), ancestors, child);
    const kind = typeof resolved.value;
    // Omitted, as JSON.stringify omits them: an optional member left undefined is not an error.
    if (kind === 'undefined' || kind === 'function' || kind === 'symbol') continue;
    members.push({ key, task: { kind: 'value', resolved, at: child } });
  }
  // RFC 8785 3.2.3: keys in UTF-16 code-unit order, which is how JavaScript compares strings.
  members.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  out.push('{');
  tasks.push({ kind: 'text', text: '}' });
  for (let index = members.length - 1; index >= 0; index--) {
    const member = members[index] as (typeof members)[number];
    tasks.push(member.task);
    tasks.push({ kind: 'text', text: `${index > 0 ? ',' : ''}${JSON.stringify(member.key)}:` });
  }
}

/** A JSON scalar's text, or the path-precise refusal. */
function scalarText(value: unknown, at: PathNode | undefined): string {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) fail(at, 'string contains a lone surrogate (not valid Unicode, so not I-JSON)');
      return JSON.stringify(value);
    case 'number':
      if (Number.isNaN(value)) fail(at, 'NaN is not a JSON number');
      if (!Number.isFinite(value)) fail(at, `${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return fail(at, 'BigInt has no I-JSON representation; convert it to a string or a safe-integer number');
    case 'object':
      return 'null';
    default:
      return fail(at, `${typeof value} is not a JSON value`);
  }
}

/** Where a value is required (the top level, an array element), undefined, functions and symbols are refused. */
function requireValue(value: unknown, at: PathNode | undefined): void {
  const kind = typeof value;
  if (kind === 'undefined' || kind === 'function' || kind === 'symbol') fail(at, `${kind} is not a JSON value`);
}

/**
 * A Date becomes its ISO string from its time value; otherwise `toJSON()` chains are followed and Number, String,
 * Boolean (and BigInt, Symbol, so they are refused like the primitives) objects unwrap, as `JSON.stringify` does.
 * The node:util type checks run no user code, unlike `instanceof` on a Proxy.
 */
function resolve(start: unknown, ancestors: ReadonlySet<object>, at: PathNode | undefined): Resolved {
  if (typeof start !== 'object' || start === null) return { value: start, wrappers: NO_WRAPPERS };
  let wrappers: object[] | undefined;
  let value: unknown = start;
  while (typeof value === 'object' && value !== null) {
    if (value instanceof ReadFailure) {
      throw new CanonicalizationError(pathOf(at), `reading the value threw: ${describeThrown(value.error)}`, { cause: value.error });
    }
    const time = dateTimeValue(value);
    if (time !== undefined) {
      if (Number.isNaN(time)) fail(at, 'invalid Date (its time value is NaN)');
      value = isoFromTimeValue(time);
      break;
    }
    const holder = value;
    const toJSON = guarded(at, () => (holder as { toJSON?: unknown }).toJSON);
    if (typeof toJSON !== 'function') break;
    wrappers ??= [];
    if (ancestors.has(holder) || wrappers.includes(holder)) fail(at, 'cycle: toJSON() returned a value that contains itself');
    if (wrappers.length >= MAX_TO_JSON_CHAIN) fail(at, `toJSON() chain longer than ${MAX_TO_JSON_CHAIN}`);
    wrappers.push(holder);
    value = guarded(at, () => Reflect.apply(toJSON, holder, []) as unknown);
  }
  return { value: unboxed(value), wrappers: wrappers ?? NO_WRAPPERS };
}

const NO_WRAPPERS: readonly object[] = [];

function unboxed(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !isBoxedPrimitive(value)) return value;
  if (isNumberObject(value)) return Number.prototype.valueOf.call(value);
  if (isStringObject(value)) return String.prototype.valueOf.call(value);
  if (isBooleanObject(value)) return Boolean.prototype.valueOf.call(value);
  if (isBigIntObject(value)) return BigInt.prototype.valueOf.call(value);
  return Symbol.prototype.valueOf.call(value);
}

/** Runs the input's own code (a getter, `toJSON`, a Proxy trap); what it throws becomes a refusal at `at`. */
function guarded<T>(at: PathNode | undefined, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof CanonicalizationError) throw error;
    throw new CanonicalizationError(pathOf(at), `reading the value threw: ${describeThrown(error)}`, { cause: error });
  }
}

/** What was thrown, described without trusting it (its own `toString` may throw again). */
function describeThrown(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return 'an exception that cannot be described';
  }
}

function fail(at: PathNode | undefined, reason: string): never {
  throw new CanonicalizationError(pathOf(at), reason);
}

function pathOf(at: PathNode | undefined): string {
  const segments: Array<string | number> = [];
  for (let node = at; node !== undefined; node = node.parent) segments.push(node.segment);
  let path = '$';
  for (let index = segments.length - 1; index >= 0; index--) path = appendPath(path, segments[index] as string | number);
  return path;
}
