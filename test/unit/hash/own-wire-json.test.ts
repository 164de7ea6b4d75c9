import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/hash/canonical-json.js';
import { canonicalJsonOfOwnWire } from '../../../src/hash/own-wire-json.js';
import { inCanonicalOrder } from '../../helpers/canonical-order.js';
import { thrownBy } from '../../helpers/errors.js';

// The adapters' own wire objects skip the defensive copy; whatever the input, the bytes or the refusal must be
// canonicalJson's.

/** canonicalJson's answer for `value`: its text, or the message of what it threw. */
function outcome(serialize: (value: object) => string, value: object): string {
  try {
    return serialize(value);
  } catch (error) {
    return `threw ${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe('canonicalJsonOfOwnWire', () => {
  it('writes a canonical-order wire object as JSON.stringify does', () => {
    const wire = { action: 'a', actor: { id: 'u', name: 'Zoë' }, fields: { __proto__: null, a: 'x' }, n: 1.5, ok: true, tags: ['b', 'a'], x: null };
    expect(canonicalJsonOfOwnWire(wire)).toBe(JSON.stringify(wire));
    expect(canonicalJsonOfOwnWire(wire)).toBe(canonicalJson(wire));
  });

  it.each([
    ['keys out of order', { b: 1, a: 2 }],
    ['an array-index key', { 1: 'x', a: 2 }],
    ['a key starting with a digit', { '2fa': true, a: 1 }],
    ['"__proto__" as data', JSON.parse('{"__proto__":{"y":1,"x":2},"a":1}') as object],
    ['an undefined member', { a: undefined, b: 1 }],
    ['a Date', { at: new Date(0) }],
    ['a toJSON', { a: { toJSON: () => 'x' } }],
    ['a class instance', { a: new (class Point { x = 1; })() }],
    ['a non-enumerable toJSON', { a: Object.defineProperty({ b: 1 }, 'toJSON', { value: () => 'x' }) }],
    ['deep nesting', JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) as object],
  ])('gives canonicalJson\'s bytes for %s', (_label, value) => {
    expect(canonicalJsonOfOwnWire(value)).toBe(canonicalJson(value));
  });

  it.each([
    ['NaN', { n: Number.NaN }],
    ['Infinity in an array', { list: [Number.POSITIVE_INFINITY] }],
    ['a lone surrogate in a string', { a: { s: 'x\ud800' } }],
    ['a lone surrogate in a key', { '\udc00': 1 }],
    ['a BigInt', { n: 1n }],
    ['undefined in an array', { list: [1, undefined] }],
    ['a Map', { m: new Map() }],
  ])('refuses %s exactly as canonicalJson does', (_label, value) => {
    expect(thrownBy(() => canonicalJsonOfOwnWire(value))).toEqual(thrownBy(() => canonicalJson(value)));
    expect(outcome(canonicalJsonOfOwnWire, value)).toBe(outcome(canonicalJson, value));
  });

  it('gives canonicalJson\'s bytes when Object.prototype or Array.prototype has a toJSON', () => {
    for (const prototype of [Object.prototype, Array.prototype] as Array<Record<string, unknown>>) {
      // JSON.stringify passes the member's key; canonicalJson calls toJSON without one. Not enumerable, as a
      // polyfill would define it.
      const toJSON = (key?: unknown): string => `replaced ${String(key)}`;
      Object.defineProperty(prototype, 'toJSON', { value: toJSON, configurable: true, writable: true });
      try {
        const value = { a: [1], b: { c: 'x' } };
        expect(canonicalJsonOfOwnWire(value)).toBe(canonicalJson(value));
      } finally {
        delete prototype.toJSON;
      }
    }
  });

  it('equals canonicalJson on random JSON, in canonical order or not', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (json, sorted) => {
        const value = { json: sorted ? inCanonicalOrder(json) : json };
        expect(outcome(canonicalJsonOfOwnWire, value)).toBe(outcome(canonicalJson, value));
      }),
      { numRuns: 1_000 },
    );
  });
});
