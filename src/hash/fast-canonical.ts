import { isBoxedPrimitive, isDate, isMap, isProxy, isSet } from 'node:util/types';

/**
 * The fast path of RFC 8785 canonical JSON: one pass reads every member of the input once into a fresh copy whose
 * object keys are in canonical order, and the native `JSON.stringify` serializes that copy.
 *
 * For I-JSON input, RFC 8785's number and string serializations are exactly ECMAScript's `JSON.stringify`
 * (RFC 8785 sections 3.2.2.2 and 3.2.2.3 define them by reference to it), so the only difference left is the
 * order of object members: UTF-16 code-unit order for JCS, insertion order for `JSON.stringify`. `JSON.stringify`
 * never touches the input itself, so a getter that answers differently on a second read has no second read.
 * Strings are not visited: a lone surrogate, which `JSON.stringify` escapes as `\udxxx`, is found by one scan of the
 * output instead.
 *
 * What this path does not serialize with certainty is still copied as read, or kept as it is where the full path
 * needs no more than its internal slots (a Date, a boxed primitive, a Map or Set): non-finite numbers, BigInts, lone
 * surrogates, array-index-like keys (which `JSON.stringify` always emits first, in numeric order), values
 * `JSON.stringify` would silently turn into `null`, and members whose getter threw (a `ReadFailure`). The result is
 * then a `snapshot` for the full path, which reads only that copy. What could lead back to an ancestor (a `toJSON`,
 * a class instance, a Proxy) and nesting deeper than `MAX_DEPTH` (every cycle among them) make the full path start
 * over from the input instead, so that it names a cycle where it closes; it then reads, checks and writes each value
 * once in its own pass.
 */
export function fastCanonicalJson(value: unknown): FastResult {
  if (typeof value !== 'object' || value === null) {
    if (!(isScalar(value) || value === null)) return { snapshot: value };
    const text = JSON.stringify(value);
    return text.includes('\\ud') ? { snapshot: value } : text;
  }
  const state: CopyState = { full: false };
  const view = canonicalView(value, 0, state);
  if (view === RESTART) return undefined;
  if (state.full) return { snapshot: view };
  const text = JSON.stringify(view);
  // `\ud8xx`-`\udfxx` escapes mean a lone surrogate (not I-JSON). A literal backslash-u text in the data shows up
  // here too (as `\\ud...`); the full path then sorts that out from the same copy, rarely and correctly.
  return text.includes('\\ud') ? { snapshot: view } : text;
}

/** Canonical text; or a read-once copy the full path must finish; or undefined: start over from the input. */
export type FastResult = string | { readonly snapshot: unknown } | undefined;

/** Stands in a copy for a member whose read threw, so the full path refuses it at its path without reading again. */
export class ReadFailure {
  constructor(readonly error: unknown) {}
}

interface CopyState {
  /** Something in the copy needs the full path. */
  full: boolean;
}

const RESTART: unique symbol = Symbol('restart');
/** A member JSON.stringify would omit, kept out of the copy. */
const OMITTED: unique symbol = Symbol('omitted');

/** Deeper nesting (and every cycle) takes the iterative full path from the input. */
const MAX_DEPTH = 64;

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/** `value` as copied; `state.full` is set when the copy holds something only the full path handles. */
function canonicalView(value: unknown, depth: number, state: CopyState): unknown {
  if (typeof value !== 'object' || value === null) {
    if (!(isScalar(value) || value === null)) state.full = true;
    return value;
  }
  if (depth >= MAX_DEPTH) return RESTART;
  if (isProxy(value)) return RESTART;
  return Array.isArray(value) ? arrayView(value, depth, state) : objectView(value, depth, state);
}

function arrayView(array: readonly unknown[], depth: number, state: CopyState): unknown {
  const length = array.length;
  const copy: unknown[] = new Array<unknown>(length);
  for (let index = 0; index < length; index++) {
    let item: unknown;
    try {
      item = array[index];
    } catch (error) {
      state.full = true;
      copy[index] = new ReadFailure(error);
      continue;
    }
    // undefined, functions, symbols and holes would become `null`: the full path refuses them with a path.
    const view = canonicalView(item, depth + 1, state);
    if (view === RESTART) return RESTART;
    copy[index] = view;
  }
  return copy;
}

function objectView(object: object, depth: number, state: CopyState): unknown {
  const prototype: unknown = Object.getPrototypeOf(object);
  let toJSON: unknown;
  try {
    toJSON = (object as { toJSON?: unknown }).toJSON;
  } catch (error) {
    state.full = true;
    return new ReadFailure(error);
  }
  if ((prototype !== Object.prototype && prototype !== null) || typeof toJSON === 'function') {
    // Values the full path turns into a scalar (or refuses) without running their code or descending into them are
    // left to it as they are. Anything else (a class instance, a toJSON) may lead back to an ancestor, which only a
    // walk of the input itself can name as the cycle it is: start over.
    if (!(isDate(object) || isBoxedPrimitive(object) || isMap(object) || isSet(object))) return RESTART;
    state.full = true;
    return object;
  }
  const keys = Object.keys(object);
  // Objects of one or two members take the ordered copy even in order: measured cheaper than a spread for them, by
  // far when they are in dictionary mode (after a `delete`), where a spread takes V8's slow copy (bench/profile-notes.md).
  if (keys.length > 2 && inOrder(keys)) return spreadView(object, keys, depth, state);
  const order = knownOrder(keys);
  if (order !== undefined) return templateView(object as Record<string, unknown>, order, depth, state);
  return orderedView(object as Record<string, unknown>, sortedKeys(keys), depth, state);
}

/**
 * A key list seen before, out of canonical order: its keys sorted, and a template object holding those keys in that
 * order (values null) for `templateView` to copy.
 */
interface KnownOrder {
  readonly keys: readonly string[];
  readonly sorted: readonly string[];
  readonly template: Readonly<Record<string, null>>;
  readonly shape: number;
}

/**
 * Events of one kind share their object shapes, so the same few out-of-order key lists come back again and again.
 * A small cache keyed by a digest of the list keeps each one's sorted order and template: a hit costs one identity
 * comparison per key (`Object.keys` gives the same interned strings for the same shape) instead of a sort and one
 * property-adding store per key (bench/results.md, profile notes). Only lists of at most `ORDER_CACHE_KEYS` keys and
 * `ORDER_CACHE_CHARS` characters, with no key that starts with a digit (a possible array index) and no "__proto__"
 * (`orderedView` handles both), are kept, in at most `ORDER_CACHE_SLOTS` slots: what the cache holds stays small
 * whatever the input.
 */
function knownOrder(keys: string[]): KnownOrder | undefined {
  const length = keys.length;
  if (length === 0 || length > ORDER_CACHE_KEYS) return undefined;
  const first = keys[0] as string;
  const slot = (length * 31 + first.length * 7 + first.charCodeAt(0)) & (ORDER_CACHE_SLOTS - 1);
  const known = knownOrders[slot];
  if (known !== undefined && known.keys.length === length && sameKeys(known.keys, keys)) return known;
  let chars = 0;
  for (const key of keys) {
    chars += key.length;
    const code = key.charCodeAt(0);
    if (key === '__proto__' || (code >= 48 && code <= 57) || chars > ORDER_CACHE_CHARS) return undefined;
  }
  const insertionOrder = keys.slice();
  const sorted = sortedKeys(keys);
  const template: Record<string, null> = {};
  for (const key of sorted) template[key] = null;
  const created: KnownOrder = { keys: insertionOrder, sorted, template, shape: length * 7 + (sorted[0] as string).charCodeAt(0) };
  knownOrders[slot] = created;
  return created;
}

const ORDER_CACHE_SLOTS = 64;
const ORDER_CACHE_KEYS = 16;
const ORDER_CACHE_CHARS = 512;
const knownOrders = new Array<KnownOrder | undefined>(ORDER_CACHE_SLOTS).fill(undefined);

function sameKeys(known: readonly string[], keys: readonly string[]): boolean {
  for (let index = 0; index < keys.length; index++) if (known[index] !== keys[index]) return false;
  return true;
}

/**
 * `orderedView` for a key list in the cache: the copy starts as a clone of the template, which already has every key
 * in canonical order, so each member read is stored over an existing property (no shape change per key). A member
 * JSON.stringify would omit is marked, and the marked keys are left out of a second copy made from the first (the
 * input is never read twice). The member loop repeats orderedView's on purpose: one function per member shared by
 * both measured 5-10% slower on `hashEvent` (separate processes, alternated).
 */
function templateView(record: Record<string, unknown>, order: KnownOrder, depth: number, state: CopyState): unknown {
  const ordered = spreadCopy(order.template, order.shape) as Record<string, unknown>;
  let omitted = false;
  for (const key of order.sorted) {
    let member: unknown;
    try {
      member = record[key];
    } catch (error) {
      state.full = true;
      ordered[key] = new ReadFailure(error);
      continue;
    }
    if (typeof member === 'string' || typeof member === 'boolean' || member === null || (typeof member === 'number' && Number.isFinite(member))) {
      ordered[key] = member;
      continue;
    }
    if (typeof member === 'undefined' || typeof member === 'function' || typeof member === 'symbol') {
      // As in orderedView: omitted, unless the key has a lone surrogate the full path must refuse.
      if (key.isWellFormed()) {
        ordered[key] = OMITTED;
        omitted = true;
      } else {
        state.full = true;
        ordered[key] = member;
      }
      continue;
    }
    const view = canonicalView(member, depth + 1, state);
    if (view === RESTART) return RESTART;
    ordered[key] = view;
  }
  return omitted ? withoutOmitted(ordered, order.sorted) : ordered;
}

function withoutOmitted(copy: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key of keys) if (copy[key] !== OMITTED) kept[key] = copy[key];
  return kept;
}

/** Whether the keys already come in canonical order (as the adapters build wire objects, and as sorted JSON arrives). */
function inOrder(keys: readonly string[]): boolean {
  for (let index = 1; index < keys.length; index++) if ((keys[index - 1] as string) > (keys[index] as string)) return false;
  return true;
}

/**
 * An object already in canonical order: one native spread reads every own member once into a copy with the same
 * key order (no per-key copy, no sort), then the copy, plain data safe to read again, is checked member by member
 * and nested objects are replaced by their views.
 */
function spreadView(object: object, keys: readonly string[], depth: number, state: CopyState): unknown {
  let copy: Record<string, unknown>;
  try {
    copy = spreadCopy(object, keys.length === 0 ? 0 : keys.length * 7 + (keys[0] as string).charCodeAt(0));
  } catch {
    // A getter threw, and which one is not known here: the full path reads member by member and names it.
    return RESTART;
  }
  // An inherited enumerable key (a polluted Object.prototype) is visited too; JSON.stringify does not write it, and
  // a view is stored back only over an own member.
  for (const key in copy) {
    noteIndexKey(key, state);
    const member = copy[key];
    if (typeof member === 'string' || typeof member === 'boolean' || member === null) continue;
    if (typeof member === 'number' && Number.isFinite(member)) continue;
    if (typeof member === 'object') {
      const view = canonicalView(member, depth + 1, state);
      if (view === RESTART) return RESTART;
      if (view !== member && Object.hasOwn(copy, key)) setMember(copy, key, view);
    } else if (typeof member === 'undefined' || typeof member === 'function' || typeof member === 'symbol') {
      // JSON.stringify omits these, but would call a function named toJSON that the first read did not show.
      if (key === 'toJSON') delete copy[key];
      // The key is not seen in the output: the full path refuses one with a lone surrogate.
      else if (!key.isWellFormed()) state.full = true;
    } else {
      // A non-finite number or a BigInt: the full path refuses it at its path.
      state.full = true;
    }
  }
  return copy;
}

/**
 * `{ ...object }` from one of sixteen call sites, picked by a cheap digest of the object's shape (key count, first
 * key). V8 copies an object by cloning its hidden class when the spread site has seen at most four shapes, and
 * property by property, about three times slower, once it has seen more (bench/profile-notes.md); one event already
 * has more than four object shapes, so a single site would always take the slow copy.
 */
function spreadCopy(object: object, shape: number): Record<string, unknown> {
  switch (shape & 15) {
    case 0: return { ...object };
    case 1: return { ...object };
    case 2: return { ...object };
    case 3: return { ...object };
    case 4: return { ...object };
    case 5: return { ...object };
    case 6: return { ...object };
    case 7: return { ...object };
    case 8: return { ...object };
    case 9: return { ...object };
    case 10: return { ...object };
    case 11: return { ...object };
    case 12: return { ...object };
    case 13: return { ...object };
    case 14: return { ...object };
    default: return { ...object };
  }
}

/**
 * An object whose keys are out of canonical order: with its own keys sorted, each member is read once, and a fresh
 * object is filled in that order, so JSON.stringify writes its keys in canonical order and never touches the input.
 */
function orderedView(record: Record<string, unknown>, keys: readonly string[], depth: number, state: CopyState): unknown {
  const ordered: Record<string, unknown> = {};
  for (const key of keys) {
    noteIndexKey(key, state);
    let member: unknown;
    try {
      member = record[key];
    } catch (error) {
      state.full = true;
      setMember(ordered, key, new ReadFailure(error));
      continue;
    }
    // Most members are scalars JSON.stringify writes as RFC 8785 does: stored as read, without a call per member.
    if (typeof member === 'string' || typeof member === 'boolean' || member === null || (typeof member === 'number' && Number.isFinite(member))) {
      setMember(ordered, key, member);
      continue;
    }
    // Omitted, as canonicalJson omits them, and so left out of the copy (a function there named toJSON would be
    // called by JSON.stringify); but their key is not seen in the output, so one with a lone surrogate goes into the
    // copy for the full path to refuse.
    if (typeof member === 'undefined' || typeof member === 'function' || typeof member === 'symbol') {
      if (!key.isWellFormed()) {
        state.full = true;
        setMember(ordered, key, member);
      }
      continue;
    }
    const view = canonicalView(member, depth + 1, state);
    if (view === RESTART) return RESTART;
    setMember(ordered, key, view);
  }
  return ordered;
}

/** Array-index keys ("0", "42") are enumerated first and in numeric order by every JS object, the copy included. */
function noteIndexKey(key: string, state: CopyState): void {
  const first = key.charCodeAt(0);
  if (first >= 48 && first <= 57 && isArrayIndex(key)) state.full = true;
}

/** "__proto__" is data (a member of the copy), never a prototype change. */
function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * RFC 8785 3.2.3 order (UTF-16 code units, which is how JavaScript compares strings), in place: an insertion sort
 * for the handful of keys most objects have, the built-in sort (same order for strings) beyond that.
 */
function sortedKeys(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let index = 1; index < keys.length; index++) {
    const key = keys[index] as string;
    let at = index - 1;
    for (; at >= 0 && (keys[at] as string) > key; at--) keys[at + 1] = keys[at] as string;
    keys[at + 1] = key;
  }
  return keys;
}

const MAX_ARRAY_INDEX = 2 ** 32 - 2;

/**
 * Whether JS objects treat `key` as an array index (ECMA-262 "array index": the canonical decimal form of an integer
 * below 2^32 - 1), which they always enumerate first and in numeric order. "2fa", "01" or "4294967295" are ordinary
 * keys and keep their insertion order, so the fast path can take them.
 */
function isArrayIndex(key: string): boolean {
  if (key.length > 10 || !/^(?:0|[1-9][0-9]*)$/.test(key)) return false;
  return Number(key) <= MAX_ARRAY_INDEX;
}
