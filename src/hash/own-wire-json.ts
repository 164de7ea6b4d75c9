import { isProxy } from 'node:util/types';
import { canonicalJson } from './canonical-json.js';

/**
 * RFC 8785 canonical JSON of a wire object an adapter's mapping built itself: fresh plain data (objects and arrays
 * it created, holding strings, finite numbers, booleans and null) with members already in canonical order, which
 * test/unit/adapters/wire-order.test.ts checks for every mapping. One check pass proves the object needs no reordering
 * and holds nothing `JSON.stringify` would write differently, then the native `JSON.stringify` writes the object
 * itself: no defensive copy.
 *
 * The copy is what makes `canonicalJson` safe on user input (a getter or Proxy answering differently on a second
 * read); objects our own code just built have no getters, so the check and the serialization reading each member
 * once each is harmless here, and only here: the public `canonicalJson` and `hashEvent` never take this path.
 * Anything the check is not sure of goes to `canonicalJson`, so the bytes (or the refusal) are the same for any input.
 */
export function canonicalJsonOfOwnWire(wire: object): string {
  // A toJSON on Object.prototype or Array.prototype (a polluted realm) would be called by JSON.stringify; `in` runs no
  // user code on these ordinary objects.
  if ('toJSON' in Array.prototype || !isPlainCanonical(wire, 0)) return canonicalJson(wire);
  const text = JSON.stringify(wire);
  // A lone surrogate (written as a `\udxxx` escape) is refused by canonicalJson with its path.
  return text.includes('\\ud') ? canonicalJson(wire) : text;
}

/** Deeper nesting than any mapping builds goes to `canonicalJson`, which has no depth limit of its own. */
const MAX_DEPTH = 16;

/**
 * Whether `JSON.stringify(object)` is already its canonical JSON (lone surrogates aside, which the caller scans for):
 * plain objects and arrays (no Proxy, no other prototype, so no Date, Map or toJSON of their own making), members in
 * canonical order, no array-index keys, finite numbers, no member JSON.stringify would omit or turn into null.
 */
function isPlainCanonical(object: object, depth: number): boolean {
  if (depth >= MAX_DEPTH || isProxy(object)) return false;
  if (Array.isArray(object)) {
    if (Object.getPrototypeOf(object) !== Array.prototype) return false;
    for (let index = 0; index < object.length; index++) if (!isPlainMember(object[index], depth)) return false;
    return true;
  }
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) return false;
  const record = object as Record<string, unknown>;
  let previous: string | undefined;
  // An inherited enumerable key (a polluted Object.prototype) can only fail a check here; JSON.stringify skips it.
  for (const key in record) {
    if (previous !== undefined && previous >= key) return false;
    previous = key;
    const first = key.charCodeAt(0);
    // A key starting with a digit may be an array index, which objects enumerate first: canonicalJson sorts it out.
    if (first >= 48 && first <= 57) return false;
    if (!isPlainMember(record[key], depth)) return false;
  }
  return true;
}

function isPlainMember(member: unknown, depth: number): boolean {
  if (typeof member === 'string' || typeof member === 'boolean' || member === null) return true;
  if (typeof member === 'number') return Number.isFinite(member);
  return typeof member === 'object' && isPlainCanonical(member, depth + 1);
}
