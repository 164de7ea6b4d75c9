import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/hash/canonical-json.js';
import { fastCanonicalJson } from '../../../src/hash/fast-canonical.js';
import { inCanonicalOrder } from '../../helpers/canonical-order.js';

/** Whether the fast path answered with canonical text (rather than a copy for the full path, or a restart). */
const answered = (value: unknown): boolean => typeof fastCanonicalJson(value) === 'string';

// The fast path must give canonicalize's bytes whenever it answers, and leave to the full path whatever it cannot
// serialize with certainty.

describe('fastCanonicalJson', () => {
  it('takes plain event data, sorting keys at every level', () => {
    const event = { time: '2026-01-02T03:04:05.678Z', action: 'a', actor: { name: 'Zoë', id: 'u' }, tags: [{ b: 1, a: -0 }], n: 1e21 };
    expect(fastCanonicalJson(event)).toBe('{"action":"a","actor":{"id":"u","name":"Zoë"},"n":1e+21,"tags":[{"a":0,"b":1}],"time":"2026-01-02T03:04:05.678Z"}');
    expect(fastCanonicalJson(event)).toBe(canonicalize(event));
  });

  it('puts each sorted nested copy in its parent\'s place, whether the parent itself is in order or not', () => {
    const inOrder = { a: { z: 1, y: [{ d: 2, c: 3 }] }, b: 'keep', c: { q: { s: 1, r: 2 } }, d: undefined };
    const outOfOrder = { e: 1, ...inOrder, extra_001: 'x', extra_000: 'y' };
    for (const value of [inOrder, outOfOrder]) expect(fastCanonicalJson(value)).toBe(canonicalize(value));
    // The input is never modified.
    expect(Object.keys(inOrder.a)).toEqual(['z', 'y']);
    expect(Object.keys(outOfOrder)[0]).toBe('e');
  });

  it('keeps keys that start with a digit but are no array index (they keep insertion order) on the fast path', () => {
    const value = { z: 1, '2fa': true, '01': 'a', '4294967295': 'b', '1e3': 'c', a: 0 };
    expect(fastCanonicalJson(value)).toBe(canonicalize(value));
    for (const index of ['0', '9', '10', '4294967294']) expect(answered({ b: 1, [index]: 'x' })).toBe(false);
  });

  it('handles an event with a hundred and fifty keys (V8 keeps such objects in dictionary mode)', () => {
    const wide: Record<string, unknown> = { uuid: 'u', nested: { b: 1, a: 2 } };
    for (let index = 149; index >= 0; index--) wide[`extra_${String(index).padStart(3, '0')}`] = `value ${index}`;
    expect(fastCanonicalJson(wide)).toBe(canonicalize(wide));
  });

  it('keeps a "__proto__" key as an ordinary member', () => {
    const value = JSON.parse('{"z":1,"__proto__":{"x":true},"a":null}') as unknown;
    expect(fastCanonicalJson(value)).toBe('{"__proto__":{"x":true},"a":null,"z":1}');
    expect(canonicalJson(value)).toBe('{"__proto__":{"x":true},"a":null,"z":1}');
  });

  it('leaves a string that serializes with a \\ud escape to the full path', () => {
    expect(answered({ a: 'C:\\udata' })).toBe(false);
    expect(canonicalJson({ a: 'C:\\udata' })).toBe(canonicalize({ a: 'C:\\udata' }));
  });

  it('omits undefined, function and symbol members as canonicalJson does', () => {
    expect(fastCanonicalJson({ b: undefined, a: 1, c: () => 1, d: Symbol('s') })).toBe('{"a":1}');
  });

  it.each([
    ['array-index-like keys (JSON.stringify would put them first)', { b: 1, 10: 'x', 9: 'y' }],
    ['NaN', { a: Number.NaN }],
    ['Infinity', [Number.POSITIVE_INFINITY]],
    ['a lone surrogate in a string', { a: '\ud800' }],
    ['a lone surrogate in a key', { '\udc00': 1 }],
    ['a Date (toJSON)', { at: new Date(0) }],
    ['a Map', { m: new Map() }],
    ['an object with toJSON', { a: { toJSON: () => 'x' } }],
    ['undefined in an array', [1, undefined]],
    ['a hole in an array', [1, , 3]],
    ['a bigint', { n: 1n }],
    ['deep nesting', JSON.parse(`${'['.repeat(100)}1${']'.repeat(100)}`) as unknown],
  ])('leaves %s to the full path', (_label, value) => {
    expect(answered(value)).toBe(false);
  });

  it('still gives the right bytes (or the path-precise error) through canonicalJson for what it leaves', () => {
    expect(canonicalJson({ b: 1, 10: 'x', 9: 'y' })).toBe('{"10":"x","9":"y","b":1}');
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
    expect(() => canonicalJson({ a: [Number.NaN] })).toThrow('$.a[0]');
  });

  it('a cycle is reported by the full path, not a stack overflow', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(fastCanonicalJson(cyclic)).toBeUndefined(); // a restart from the input, so the cycle is named where it closes
    expect(() => canonicalJson(cyclic)).toThrow(/cycle/i);
  });

  it('copies an object already in canonical order with the same bytes, "__proto__" and nested out-of-order objects included', () => {
    const sorted = JSON.parse('{"__proto__":{"y":1,"x":[{"b":2,"a":1}]},"a":null,"b":{"c":true},"z":"Zoë"}') as unknown;
    expect(fastCanonicalJson(sorted)).toBe('{"__proto__":{"x":[{"a":1,"b":2}],"y":1},"a":null,"b":{"c":true},"z":"Zoë"}');
    // The input keeps its members and prototype.
    expect(Object.getPrototypeOf(sorted)).toBe(Object.prototype);
    expect(Object.keys((sorted as Record<string, Record<string, unknown>>)['__proto__'] as object)).toEqual(['y', 'x']);
  });

  it('leaves an array-index key among keys in canonical order to the full path, whatever its value', () => {
    for (const value of ['x', true, null, 2, { b: 1, a: 2 }]) {
      const input = { 1: value, a: 0, b: 0 };
      expect(answered(input)).toBe(false);
      expect(canonicalJson(input)).toBe(canonicalize(input));
    }
  });

  it('ignores symbol-keyed members and honours a non-enumerable toJSON, on objects in and out of order', () => {
    expect(fastCanonicalJson({ a: 1, b: 2, c: 3, [Symbol('s')]: 2 })).toBe('{"a":1,"b":2,"c":3}');
    expect(fastCanonicalJson({ b: 1, a: 2, [Symbol('s')]: 2 })).toBe('{"a":2,"b":1}');
    for (const base of [{ a: 1 }, { b: 1, a: 1 }]) {
      const hidden = Object.defineProperty({ ...base }, 'toJSON', { value: () => 'x', enumerable: false });
      expect(canonicalJson({ h: hidden })).toBe('{"h":"x"}');
    }
  });

  it('writes no inherited member when Object.prototype has an enumerable one', () => {
    const polluted = Object.prototype as Record<string, unknown>;
    polluted.zz = { b: 1, a: 2 };
    polluted.aa = Number.NaN;
    try {
      for (const value of [{ a: 1, b: { c: 2 }, c: 3 }, { b: { d: 1, c: 2 }, a: 1 }, { m: [{ y: 1, x: 2 }] }]) {
        expect(canonicalJson(value)).toBe(canonicalize(JSON.parse(JSON.stringify(value)) as unknown));
      }
    } finally {
      delete polluted.zz;
      delete polluted.aa;
    }
  });

  it('gives the same bytes for values with many object shapes (more than the copy has call sites)', () => {
    const shapes: Array<Record<string, unknown>> = [];
    for (let count = 1; count <= 40; count++) {
      const sorted: Record<string, unknown> = {};
      for (let index = 0; index < count; index++) sorted[`k${String(index).padStart(2, '0')}`] = index % 3 === 0 ? { n: index } : `v${index}`;
      shapes.push(sorted, Object.fromEntries(Object.entries(sorted).reverse()));
    }
    for (let round = 0; round < 3; round++) for (const shape of shapes) expect(fastCanonicalJson({ shape })).toBe(canonicalize({ shape }));
  });

  it('equals canonicalize whenever it answers, on random JSON with Unicode and index-like keys, in any key order', () => {
    const key = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('0', '1', '10', '9', '01', '4294967295', '__proto__', 'a', 'B'));
    const json = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string({ unit: 'binary' }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(key, tie('value'), { maxKeys: 5 }),
      ),
    })).value;
    let answeredCount = 0;
    const check = (value: unknown): void => {
      const fast = fastCanonicalJson(value);
      if (typeof fast === 'string') {
        answeredCount++;
        expect(fast).toBe(canonicalize(value));
      }
      expect(canonicalJson(value)).toBe(canonicalize(value));
    };
    // Each value as generated (mostly out of order: the copy filled key by key) and in canonical order (the spread copy).
    fc.assert(
      fc.property(json, (value) => {
        check(value);
        check(inCanonicalOrder(value));
      }),
      { numRuns: 2_000 },
    );
    // The comparison above must have run on a good share of the inputs, not only on the ones the fast path leaves.
    expect(answeredCount).toBeGreaterThan(1_000);
  });

  describe('key lists seen before (the cached canonical order and its template)', () => {
    const shaped = (a: unknown, b: unknown, c: unknown): Record<string, unknown> => ({ zulu: a, alpha: b, mike: c });

    it('gives each object its own members, however often its key list comes back', () => {
      for (let round = 0; round < 5; round++) {
        const value = { outer: shaped(round, `b${round}`, { y: round, x: [round] }) };
        expect(fastCanonicalJson(value)).toBe(canonicalize(value));
      }
    });

    it('leaves out undefined, function and symbol members on a cached key list, as on a new one', () => {
      for (let round = 0; round < 3; round++) {
        for (const omitted of [undefined, () => 1, Symbol('s')]) {
          const value = shaped('z', omitted, 'm');
          expect(fastCanonicalJson(value)).toBe('{"mike":"m","zulu":"z"}');
        }
      }
    });

    it('reads each member once on a cached key list', () => {
      for (let round = 0; round < 3; round++) fastCanonicalJson(shaped(1, 2, 3));
      let reads = 0;
      const value = { zulu: 1, get alpha() { reads++; return reads === 1 ? 'first' : 'second'; }, mike: 3 };
      expect(fastCanonicalJson(value)).toBe('{"alpha":"first","mike":3,"zulu":1}');
      expect(reads).toBe(1);
    });

    it('names a getter that throws on a cached key list at its path', () => {
      for (let round = 0; round < 3; round++) fastCanonicalJson(shaped(1, 2, 3));
      const value = { zulu: 1, get alpha(): never { throw new Error('no'); }, mike: 3 };
      expect(() => canonicalJson({ event: value })).toThrow(/\$\.event\.alpha/);
    });

    it('tells apart key lists that share a cache slot (same length, same first key)', () => {
      const lists = [['zeta', 'beta', 'gamma'], ['zeta', 'delta', 'alpha'], ['zeta', 'beta', 'alpha'], ['zebra', 'yak', 'x']];
      for (let round = 0; round < 3; round++) {
        for (const keys of lists) {
          const value = Object.fromEntries(keys.map((key, index) => [key, index]));
          expect(fastCanonicalJson(value)).toBe(canonicalize(value));
        }
      }
    });

    it('keeps "__proto__", array-index and long keys out of the cache and still answers correctly', () => {
      const long = 'k'.repeat(600);
      for (let round = 0; round < 3; round++) {
        const withProto = JSON.parse('{"z":1,"__proto__":2,"a":3}') as unknown;
        expect(fastCanonicalJson(withProto)).toBe('{"__proto__":2,"a":3,"z":1}');
        expect(fastCanonicalJson({ [long]: 1, a: 2 })).toBe(canonicalize({ [long]: 1, a: 2 }));
        expect(answered({ b: 1, 7: 'x' })).toBe(false);
      }
    });
  });
});
