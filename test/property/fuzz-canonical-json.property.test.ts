import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { lib, recordFigures, sized } from '../reliability/target.js';
import { DEEP, hostileJsonText, hostileValue, looksPolluted, nested, throwingValue } from './hostile.js';

// Fuzzing canonicalJson, hashEvent and parseIJson with hostile values (issue "Reliability and security", part 2):
// each either gives its result, consistent with itself, or throws its documented typed error; nothing else
// escapes (no TypeError, no stack overflow), and no prototype is polluted.

const RUNS = sized({ ci: 2_000, full: 20_000 });
const TIMEOUT = sized({ ci: 60_000, full: 900_000 });
const figures = { runs: 0, canonical: 0, refused: 0, parsed: 0, parseRefused: 0 };

afterAll(() => recordFigures('fuzz-canonicalJson', figures));

describe('canonicalJson and hashEvent (fuzz)', () => {
  it('return canonical text that parses back to itself, or throw CanonicalizationError with a path', () => {
    fc.assert(
      fc.property(hostileValue, (value) => {
        figures.runs++;
        let text: string;
        try {
          text = lib.canonicalJson(value);
        } catch (error) {
          expect(error).toBeInstanceOf(lib.CanonicalizationError);
          expect((error as { path: string }).path).toMatch(/^\$/);
          expect(() => lib.hashEvent(value)).toThrow(lib.CanonicalizationError);
          figures.refused++;
          return;
        }
        figures.canonical++;
        expect(text.isWellFormed()).toBe(true);
        expect(lib.canonicalJson(JSON.parse(text))).toBe(text);
        expect(lib.hashEvent(value)).toMatch(/^[0-9a-f]{64}$/);
        expect(lib.verifyEventHash(value, lib.hashEvent(value))).toBe(true);
      }),
      { numRuns: RUNS, seed: 8080 },
    );
    expect(looksPolluted()).toBe(false);
  }, TIMEOUT);

  it('never overflow the stack on deep nesting, on the fast path or the full one', () => {
    for (const kind of ['array', 'object'] as const) {
      expect(lib.canonicalJson(nested(DEEP * 10, kind))).toHaveLength(kind === 'array' ? DEEP * 20 + 1 : DEEP * 60 + 1);
      // A Date at the bottom forces the full path (toJSON); a Map, a refusal from deep inside.
      const withDate = nested(DEEP, kind);
      expect(() => lib.canonicalJson([withDate, new Date(0)])).not.toThrow();
      expect(() => lib.canonicalJson([nested(DEEP, kind), new Map()])).toThrow(lib.CanonicalizationError);
    }
  });

  it('refuse a value that throws when read with a CanonicalizationError naming where, its own error as the cause', () => {
    const own = /^(getter threw|toJSON threw|ownKeys trap|get trap|descriptor trap)$/;
    const outcomes = { refused: 0, serialized: 0 };
    fc.assert(
      fc.property(throwingValue, (value) => {
        figures.runs++;
        try {
          lib.canonicalJson(value);
          outcomes.serialized++;
        } catch (error) {
          expect(error).toBeInstanceOf(lib.CanonicalizationError);
          expect((error as { path: string }).path).toMatch(/^\$/);
          expect(((error as Error).cause as Error).message).toMatch(own);
          outcomes.refused++;
        }
      }),
      { numRuns: 200, seed: 9 },
    );
    // Every value throws when read, so some reads must be refused: the check above ran.
    expect(outcomes.refused).toBeGreaterThan(0);
    expect(outcomes.refused + outcomes.serialized).toBe(200);
  });
});

describe('parseIJson (fuzz)', () => {
  it('parses hostile JSON text or throws JsonSyntaxError / CanonicalizationError, and never pollutes', () => {
    fc.assert(
      fc.property(hostileJsonText, (text) => {
        figures.runs++;
        try {
          const value = lib.parseIJson(text);
          figures.parsed++;
          // A parsed "__proto__" is an own member, never the prototype.
          if (typeof value === 'object' && value !== null) expect(Object.getPrototypeOf(value)).toBe(Array.isArray(value) ? Array.prototype : Object.prototype);
        } catch (error) {
          figures.parseRefused++;
          const typed = error instanceof lib.JsonSyntaxError || error instanceof lib.CanonicalizationError;
          expect(typed, `${(error as Error).name}: ${(error as Error).message}`).toBe(true);
        }
      }),
      { numRuns: RUNS, seed: 5150 },
    );
    expect(looksPolluted()).toBe(false);
  }, TIMEOUT);
});
