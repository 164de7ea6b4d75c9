import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/hash/canonical-json.js';
import { hashEvent } from '../../src/hash/event-hash.js';
import { finiteDouble, shuffleKeys, unicodeJsonValue } from '../helpers/arbitraries.js';
import { sha256HexOf } from '../helpers/sha256.js';

const MAIN_RUNS = 2500;
const RUNS = 1000;

const asciiJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 4 });
const unicodeJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });

describe('canonicalJson (property)', () => {
  it('equals the canonicalize package byte for byte on fc.jsonValue()', () => {
    fc.assert(
      fc.property(asciiJson, (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: MAIN_RUNS },
    );
  });

  it('equals the canonicalize package on full-Unicode strings and keys and any finite double', () => {
    fc.assert(
      fc.property(fc.oneof(unicodeJson, unicodeJsonValue), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: MAIN_RUNS },
    );
  });

  it('writes every finite double as ECMAScript Number::toString does (-0 as 0)', () => {
    fc.assert(
      fc.property(finiteDouble, (value) => {
        const text = canonicalJson(value);
        expect(text).toBe(Object.is(value, -0) ? '0' : String(value));
        expect(Object.is(Number(text), value === 0 ? 0 : value)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('is idempotent: parsing the canonical text and canonicalizing again gives the same text', () => {
    fc.assert(
      fc.property(fc.oneof(asciiJson, unicodeJson, unicodeJsonValue), (value) => {
        const once = canonicalJson(value);
        expect(canonicalJson(JSON.parse(once))).toBe(once);
      }),
      { numRuns: RUNS },
    );
  });

  it('does not depend on the order in which object keys were inserted', () => {
    fc.assert(
      fc.property(fc.oneof(asciiJson, unicodeJsonValue), fc.integer(), (value, seed) => {
        expect(canonicalJson(shuffleKeys(value, seed))).toBe(canonicalJson(value));
      }),
      { numRuns: RUNS },
    );
  });

  it('produces text that JSON.parse reads back to an equal value', () => {
    fc.assert(
      fc.property(fc.oneof(asciiJson, unicodeJsonValue), (value) => {
        // toEqual treats -0 and 0 as different, and canonical JSON writes -0 as 0.
        const normalized = JSON.parse(JSON.stringify(value, (_key, v: unknown) => (Object.is(v, -0) ? 0 : v))) as unknown;
        expect(JSON.parse(canonicalJson(value))).toEqual(normalized);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('hashEvent (property)', () => {
  it('is the SHA-256 of the UTF-8 bytes of canonicalJson', () => {
    fc.assert(
      fc.property(fc.oneof(asciiJson, unicodeJsonValue), (value) => {
        expect(hashEvent(value)).toBe(sha256HexOf(canonicalJson(value)));
      }),
      { numRuns: RUNS },
    );
  });
});
