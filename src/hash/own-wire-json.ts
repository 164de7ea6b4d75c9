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
  if (!isPlainCanonical(wire, 0)) return canonicalJson(wire);
  const text = JSON.stringify(wire);
  // A lone surrogate (written as a `\udxxx` escape) is refused by canonicalJson with its path.
  return text.includes('\\ud') ? canonicalJson(wire) : text;
}

/** Deeper nesting than any mapping builds goes to `canonicalJson`, which has no depth limit of its own. */
const MAX_DEPTH = 16;

/** Whether `JSON.stringify(value)` is already its canonical JSON (lone surrogates aside, which the caller scans for). */
function isPlainCanonical(value: unknown, depth: number): boolean {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || depth >= MAX_DEPTH || isProxy(value)) return false;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return false;
    for (let index = 0; index < value.length; index++) if (!isPlainCanonical(value[index], depth + 1)) return false;
    return true;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if ((prototype !== Object.prototype && prototype !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  const record = value as Record<string, unknown>;
  let previous: string | undefined;
  // An inherited enumerable key (a polluted Object.prototype) can only fail a check here; JSON.stringify skips it.
  for (const key in record) {
    if (previous !== undefined && previous >= key) return false;
    previous = key;
    const first = key.charCodeAt(0);
    // A key starting with a digit may be an array index, which objects enumerate first: canonicalJson sorts it out.
    if (first >= 48 && first <= 57) return false;
    if (!isPlainCanonical(record[key], depth + 1)) return false;
  }
  return true;
}
