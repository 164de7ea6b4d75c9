import canonicalize from 'canonicalize';
import { CanonicalizationError } from '../errors.js';
import { appendPath } from '../json/json-path.js';
import { fastCanonicalJson } from './fast-canonical.js';

/**
 * RFC 8785 (JSON Canonicalization Scheme) canonical JSON of `value`.
 *
 * Plain data (the common case: events built from JSON or object literals) takes `fastCanonicalJson`: one checking
 * pass that sorts keys where needed, then the native `JSON.stringify`. Everything else takes the full path: the
 * serialization is the `canonicalize` package (UTF-16 code-unit key order, ECMAScript number formatting, the
 * RFC's string escapes, no Unicode normalization), and before it runs `assertIJson` walks the value once and
 * rejects anything that is not I-JSON (RFC 7493) with a `CanonicalizationError` naming the JSON path:
 * `canonicalize` would otherwise write `null` for an `undefined` array element, or fail with a message that
 * does not say where. Both paths give identical bytes (tested against every vector and random values).
 *
 * Values follow `JSON.stringify` conventions where those are unambiguous: `toJSON()` is honoured (a `Date`
 * becomes its ISO string), boxed primitives unwrap, and an object member whose value is `undefined`, a function
 * or a symbol is omitted. Where a value is required (the top level, an array element) those throw instead.
 */
export function canonicalJson(value: unknown): string {
  const fast = fastCanonicalJson(value);
  if (fast !== undefined) return fast;
  assertIJson(value);
  const text = canonicalize(value);
  // Unreachable after assertIJson (only undefined-like roots make canonicalize return undefined); kept so the
  // return type is honest.
  if (text === undefined) throw new CanonicalizationError('$', 'the value has no JSON representation');
  return text;
}

interface PathNode {
  readonly parent: PathNode | undefined;
  readonly segment: string | number;
}

type Task =
  | { readonly kind: 'visit'; readonly value: unknown; readonly at: PathNode | undefined; readonly inArray: boolean }
  | { readonly kind: 'leave'; readonly held: readonly object[] };

/**
 * Throws `CanonicalizationError` unless `value` is I-JSON. Iterative (an explicit stack), so deeply nested input
 * fails or passes on its merits instead of overflowing the call stack.
 */
export function assertIJson(value: unknown): void {
  const ancestors = new Set<object>();
  const tasks: Task[] = [{ kind: 'visit', value, at: undefined, inArray: true }];

  for (let task = tasks.pop(); task !== undefined; task = tasks.pop()) {
    if (task.kind === 'leave') {
      for (const held of task.held) ancestors.delete(held);
      continue;
    }
    const { at } = task;
    const resolved = resolveToJson(task.value, ancestors, at);
    const current = resolved.value;

    switch (typeof current) {
      case 'string':
        if (!current.isWellFormed()) fail(at, 'string contains a lone surrogate (not valid Unicode, so not I-JSON)');
        break;
      case 'number':
        if (Number.isNaN(current)) fail(at, 'NaN is not a JSON number');
        if (!Number.isFinite(current)) fail(at, `${current} is not a JSON number`);
        break;
      case 'bigint':
        fail(at, 'BigInt has no I-JSON representation; convert it to a string or a safe-integer number');
        break;
      case 'undefined':
      case 'function':
      case 'symbol':
        // An object member holding one of these is omitted (see canonicalJson); elsewhere a value is required.
        if (task.inArray) fail(at, `${typeof current} is not a JSON value`);
        break;
      case 'boolean':
        break;
      case 'object': {
        if (current === null) break;
        if (current instanceof Map || current instanceof Set) {
          fail(at, `${current.constructor.name} has no JSON representation; convert it to a plain object or array`);
        }
        if (ancestors.has(current)) fail(at, 'cycle: the value contains itself');
        ancestors.add(current);
        const held = [...resolved.wrappers, current];
        tasks.push({ kind: 'leave', held });
        pushChildren(tasks, current, at);
        break;
      }
    }
    if (typeof current !== 'object' || current === null) {
      for (const wrapper of resolved.wrappers) ancestors.delete(wrapper);
    }
  }
}

function pushChildren(tasks: Task[], container: object, at: PathNode | undefined): void {
  if (Array.isArray(container)) {
    for (let index = container.length - 1; index >= 0; index--) {
      tasks.push({ kind: 'visit', value: container[index], at: { parent: at, segment: index }, inArray: true });
    }
    return;
  }
  const record = container as Record<string, unknown>;
  const keys = Object.keys(record);
  for (let index = keys.length - 1; index >= 0; index--) {
    const key = keys[index] as string;
    const child: PathNode = { parent: at, segment: key };
    if (!key.isWellFormed()) fail(child, 'object key contains a lone surrogate (not valid Unicode, so not I-JSON)');
    tasks.push({ kind: 'visit', value: record[key], at: child, inArray: false });
  }
}

/** Follows `toJSON()` chains and unboxes Number/String/Boolean objects, as `JSON.stringify` and canonicalize do. */
function resolveToJson(
  start: unknown,
  ancestors: Set<object>,
  at: PathNode | undefined,
): { value: unknown; wrappers: object[] } {
  const wrappers: object[] = [];
  let value = start;
  while (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    if (ancestors.has(value)) fail(at, 'cycle: toJSON() returned a value that contains itself');
    ancestors.add(value);
    wrappers.push(value);
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  // Boxed primitives unwrap as JSON.stringify does; a boxed BigInt or Symbol unwraps to what it holds, so it is
  // refused like the primitive instead of passing as an empty object.
  if (value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt || value instanceof Symbol) {
    value = value.valueOf();
  }
  return { value, wrappers };
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
