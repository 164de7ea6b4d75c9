import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanonicalizationError } from '../../../src/errors.js';
import { canonicalJson } from '../../../src/hash/canonical-json.js';
import { hashEvent } from '../../../src/hash/event-hash.js';
import { expectCanonicalizationError } from '../../helpers/errors.js';
import { LyingDate } from '../../helpers/dates.js';

// canonicalJson reads every member of its input once and writes what it read: a getter or Proxy that answers
// differently on a second read must not get a NaN, BigInt or lone surrogate past the checks (issue 12, item 12).

/** What a hostile member answers after its first read. */
const LATER_ANSWERS: ReadonlyArray<readonly [string, unknown]> = [
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['a BigInt', 1n],
  ['a lone surrogate', '\ud800'],
  ['undefined', undefined],
  ['a function', () => 1],
];

/** An object whose `key` answers `first` on the first read and `later` after; counts the reads. */
function flipping(key: string, first: unknown, later: unknown, base: Record<string, unknown> = {}): { value: object; reads: () => number } {
  let reads = 0;
  const value = Object.defineProperty({ ...base }, key, { enumerable: true, get: () => (reads++ === 0 ? first : later) });
  return { value, reads: () => reads };
}

describe('canonicalJson on members that change between reads', () => {
  describe.each(LATER_ANSWERS)('a getter that answers 1, then %s', (_label, later) => {
    it('writes the one value it read, reading it once (fast path)', () => {
      const hostile = flipping('n', 1, later, { a: 'x' });
      expect(canonicalJson(hostile.value)).toBe('{"a":"x","n":1}');
      expect(hostile.reads()).toBe(1);
    });

    it('writes the one value it read, reading it once (an object in canonical order, copied by one spread)', () => {
      const hostile = flipping('n', 1, later, { a: 'x', b: 'y' });
      expect(canonicalJson(hostile.value)).toBe('{"a":"x","b":"y","n":1}');
      expect(hostile.reads()).toBe(1);
    });

    it('writes the one value it read, reading it once (beside a Date, which takes the full path)', () => {
      const hostile = flipping('n', 1, later, { at: new Date(0) });
      expect(canonicalJson(hostile.value)).toBe('{"at":"1970-01-01T00:00:00.000Z","n":1}');
      expect(hostile.reads()).toBe(1);
    });

    it('writes the one value it read inside an array and a nested object', () => {
      const hostile = flipping('n', 1, later);
      expect(canonicalJson({ list: [{ deep: hostile.value }], b: 2 })).toBe('{"b":2,"list":[{"deep":{"n":1}}]}');
      expect(hostile.reads()).toBe(1);
    });
  });

  it('refuses a getter that answers NaN first, and never writes it as null', () => {
    const hostile = flipping('n', Number.NaN, 1);
    expectCanonicalizationError(() => canonicalJson(hostile.value), '$.n');
  });

  it('refuses a Proxy whose get trap answers NaN on its second read, without writing null', () => {
    let reads = 0;
    const proxy = new Proxy({ n: 1 }, { get: (target, key) => (key === 'n' && reads++ > 0 ? Number.NaN : Reflect.get(target, key)) });
    expect(canonicalJson({ p: proxy })).toBe('{"p":{"n":1}}');
  });

  it('refuses a BigInt and a lone surrogate with CanonicalizationError naming the path, never a TypeError', () => {
    expectCanonicalizationError(() => canonicalJson({ a: [{ n: 5n }] }), '$.a[0].n');
    expectCanonicalizationError(() => canonicalJson({ a: { s: 'x\udc00' } }), '$.a.s');
    expectCanonicalizationError(() => canonicalJson({ at: new Date(0), a: [{ n: 5n }] }), '$.a[0].n');
  });

  it('turns a getter, toJSON or Proxy trap that throws into CanonicalizationError at its path, with the cause', () => {
    const getter = Object.defineProperty({}, 'bad', { enumerable: true, get: () => { throw new Error('getter threw'); } });
    const error = expectCanonicalizationError(() => canonicalJson({ ok: 1, nested: getter }), '$.nested.bad');
    expect((error.cause as Error).message).toBe('getter threw');
    expectCanonicalizationError(() => canonicalJson({ t: { toJSON: () => { throw new Error('toJSON threw'); } } }), '$.t');
    const trap = new Proxy({}, { ownKeys: () => { throw new Error('trap'); } });
    expectCanonicalizationError(() => canonicalJson({ list: [trap] }), '$.list[0]');
    const unprintable = Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw Object.create(null); } });
    expectCanonicalizationError(() => canonicalJson(unprintable), '$.x');
  });

  it('refuses a throwing getter at its path in an object whose keys are already in canonical order', () => {
    const getter = Object.defineProperty({ a: 1, b: 2 }, 'bad', { enumerable: true, get: () => { throw new Error('getter threw'); } });
    const error = expectCanonicalizationError(() => canonicalJson({ nested: getter, z: 1 }), '$.nested.bad');
    expect((error.cause as Error).message).toBe('getter threw');
  });

  it('never calls a toJSON that appears only on a second read of its getter', () => {
    let reads = 0;
    const sneaky = Object.defineProperty({ a: 1 }, 'toJSON', { enumerable: true, get: () => (reads++ === 0 ? undefined : () => Number.NaN) });
    expect(canonicalJson({ s: sneaky })).toBe('{"s":{"a":1}}');
  });

  it('ends a toJSON chain that never ends', () => {
    const endless = (): unknown => ({ toJSON: endless });
    expect(() => canonicalJson({ e: endless() })).toThrow(CanonicalizationError);
  });

  it('reads every member exactly once and hashes what it read, for any JSON value with flipping members anywhere', () => {
    const poison = fc.constantFrom<unknown>(Number.NaN, 1n, '\ud800', undefined, Number.NEGATIVE_INFINITY);
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }), poison, (json, withDate, sorted, picks, later) => {
        let reads = 0;
        let hostileCount = 0;
        let pick = 0;
        // Rebuild the value with some members turned into getters that answer the JSON value once, then poison.
        const rebuild = (value: unknown): unknown => {
          if (Array.isArray(value)) return value.map(rebuild);
          if (typeof value !== 'object' || value === null) return value;
          const out: Record<string, unknown> = {};
          // Members in canonical order take the copy made by one spread; others the copy filled key by key.
          const entries = Object.entries(value);
          if (sorted) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
          for (const [key, member] of entries) {
            const rebuilt = rebuild(member);
            if (picks.includes(pick++)) {
              hostileCount++;
              let mine = 0;
              Object.defineProperty(out, key, { enumerable: true, get: () => (reads++, mine++ === 0 ? rebuilt : later) });
            } else {
              Object.defineProperty(out, key, { enumerable: true, writable: true, configurable: true, value: rebuilt });
            }
          }
          return out;
        };
        const hostile = rebuild(json);
        const plain = withDate ? [json, new Date(0)] : json;
        const subject = withDate ? [hostile, new Date(0)] : hostile;
        expect(canonicalJson(subject)).toBe(canonicalJson(plain));
        expect(reads).toBe(hostileCount);
        expect(hashEvent(plain)).toMatch(/^[0-9a-f]{64}$/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('canonicalJson on Dates', () => {
  class ZonedDate extends Date {
    override toJSON(): string {
      return '2026-01-02T11:04:05.006+08:00';
    }
  }

  it('writes any Date from its time value, whatever its toJSON or toISOString say', () => {
    const instant = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    for (const date of [new Date(instant), new LyingDate(instant), new ZonedDate(instant)]) {
      expect(canonicalJson({ at: date })).toBe('{"at":"2026-01-02T03:04:05.006Z"}');
      expect(canonicalJson(date)).toBe('"2026-01-02T03:04:05.006Z"');
    }
  });

  it('refuses an invalid Date (no instant) with CanonicalizationError at its path, even one whose getTime lies', () => {
    expectCanonicalizationError(() => canonicalJson({ at: new Date(Number.NaN) }), '$.at');
    expectCanonicalizationError(() => canonicalJson([new LyingDate(Number.NaN)]), '$[0]');
  });

  it('does not take a Proxy around a Date for a Date, and refuses it at its path when it cannot be read', () => {
    const proxied = new Proxy(new Date(0), {});
    expectCanonicalizationError(() => canonicalJson({ at: proxied }), '$.at');
  });

  it('writes the same text for every Date subclass holding the same instant (property)', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (date) => {
        const time = date.getTime();
        const expected = JSON.stringify(new Date(time).toISOString());
        expect(canonicalJson(new LyingDate(time))).toBe(expected);
        expect(canonicalJson(new ZonedDate(time))).toBe(expected);
        expect(canonicalJson(date)).toBe(expected);
      }),
    );
  });
});
