/**
 * The fast path of RFC 8785 canonical JSON: the native `JSON.stringify` over a view of the value whose object keys
 * are in canonical order.
 *
 * For I-JSON input, RFC 8785's number and string serializations are exactly ECMAScript's `JSON.stringify`
 * (RFC 8785 sections 3.2.2.2 and 3.2.2.3 define them by reference to it), so the only difference left is the
 * order of object members: UTF-16 code-unit order for JCS, insertion order for `JSON.stringify`. One pass over the
 * objects checks the value and, only for objects whose keys are out of order, makes a sorted copy; serialization
 * and escaping then run natively. Strings are not visited: a lone surrogate, which `JSON.stringify` escapes as
 * `\udxxx`, is found by one scan of the output instead.
 *
 * Anything this path does not handle with certainty returns `undefined`, and the caller takes the full path
 * (`assertIJson` + `canonicalize`), which either serializes it or throws the path-precise error: non-finite
 * numbers, lone surrogates, `toJSON`, non-plain objects (Date, Map, boxed values), array-index-like keys (which
 * `JSON.stringify` always emits first, in numeric order), a `__proto__` key, nesting deeper than `MAX_DEPTH` (so a
 * cycle cannot overflow the stack), and values `JSON.stringify` would silently turn into `null`.
 */
export function fastCanonicalJson(value: unknown): string | undefined {
  if (!isScalar(value) && !(typeof value === 'object' && value !== null)) return undefined;
  const view = canonicalView(value, 0);
  if (view === BAIL) return undefined;
  const text = JSON.stringify(view);
  // `\ud8xx`-`\udfxx` escapes mean a lone surrogate (not I-JSON). A literal backslash-u text in the data shows up
  // here too (as `\\ud...`); the full path then sorts that out, rarely and correctly.
  return text.includes('\\ud') ? undefined : text;
}

const BAIL: unique symbol = Symbol('bail');

/** Deeper nesting takes the iterative full path (no recursion limit there). */
const MAX_DEPTH = 64;

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function canonicalView(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return isScalar(value) || value === null ? value : BAIL;
  if (depth >= MAX_DEPTH) return BAIL;
  return Array.isArray(value) ? arrayView(value, depth) : objectView(value, depth);
}

function arrayView(array: readonly unknown[], depth: number): unknown {
  let copy: unknown[] | undefined;
  for (let index = 0; index < array.length; index++) {
    const item: unknown = array[index];
    // undefined, functions, symbols and holes would become `null`: the full path refuses them with a path.
    const view = canonicalView(item, depth + 1);
    if (view === BAIL) return BAIL;
    if (view !== item) copy ??= array.slice(0, index);
    if (copy !== undefined) copy.push(view);
  }
  return copy ?? array;
}

function objectView(object: object, depth: number): unknown {
  const prototype: unknown = Object.getPrototypeOf(object);
  // Plain data only: a Date, a Map, a class instance or anything with toJSON takes the full path.
  if ((prototype !== Object.prototype && prototype !== null) || typeof (object as { toJSON?: unknown }).toJSON === 'function') return BAIL;
  const record = object as Record<string, unknown>;
  const keys = Object.keys(record);
  let sorted = true;
  // Members whose view is a sorted copy. Kept aside rather than written into a spread copy of `record`: copying a
  // many-keyed object and then rebuilding it in order cost more than the serialization itself (profiled on the
  // ~8 KB benchmark event, ~150 keys).
  let views: Map<string, unknown> | undefined;
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index] as string;
    const first = key.charCodeAt(0);
    // Array-index keys ("0", "42") are ordered numerically by every JS object; "__proto__" cannot be assigned as a
    // plain member of a copy.
    if ((first >= 48 && first <= 57 && isArrayIndex(key)) || key === '__proto__') return BAIL;
    if (index > 0 && (keys[index - 1] as string) > key) sorted = false;
    const member = record[key];
    const kind = typeof member;
    // Omitted by JSON.stringify, as canonicalJson omits them; but their key is not seen in the output, so a lone
    // surrogate in it must be caught here (the full path refuses it).
    if (kind === 'undefined' || kind === 'function' || kind === 'symbol') {
      if (!key.isWellFormed()) return BAIL;
      continue;
    }
    if (kind !== 'object' || member === null) {
      if (kind === 'bigint' || (kind === 'number' && !Number.isFinite(member))) return BAIL;
      continue;
    }
    const view = canonicalView(member, depth + 1);
    if (view === BAIL) return BAIL;
    if (view !== member) (views ??= new Map()).set(key, view);
  }
  if (sorted && views === undefined) return record;
  // A fresh object filled in canonical order: JSON.stringify then writes its keys in that order.
  const ordered: Record<string, unknown> = {};
  for (const key of sorted ? keys : keys.sort()) ordered[key] = record[key];
  // Overwriting a member keeps its place, so the nested views go in afterwards, without a lookup per key.
  if (views !== undefined) for (const [key, view] of views) ordered[key] = view;
  return ordered;
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
