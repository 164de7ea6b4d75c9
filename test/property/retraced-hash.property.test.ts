import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { retracedHash, retracedHashTarget } from '../../src/hash/retraced-hash.js';
import { mixedString, trickyChar } from '../helpers/arbitraries.js';
import { retracedOracle } from '../helpers/retraced-oracle.js';

const RUNS = 5000;

const nonEmpty: fc.Arbitrary<string> = mixedString.filter((s) => s !== '');

/** Keys for fields/metadata: often non-BMP or escaped characters, so sorting and escaping both matter. */
const mapKey: fc.Arbitrary<string> = fc.oneof(mixedString, fc.string({ unit: trickyChar, minLength: 1, maxLength: 4 }));

/** fields / metadata: often absent, sometimes the empty map, otherwise a few entries. */
const stringMap: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { arbitrary: fc.constant({}), weight: 1 },
  { arbitrary: fc.dictionary(mapKey, mixedString, { maxKeys: 6 }), weight: 4 },
);

/** group / actor / target: mostly with an id, sometimes empty (counts as absent), sometimes missing the id (throws). */
const entity: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.record({ id: nonEmpty, name: mixedString, type: mixedString }, { requiredKeys: ['id'] }), weight: 24 },
  { arbitrary: fc.constant({}), weight: 2 },
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: fc.record({ name: mixedString }), weight: 1 },
  { arbitrary: fc.constant({ id: '' }), weight: 1 },
);

const retracedEvent: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    action: fc.oneof({ arbitrary: nonEmpty, weight: 30 }, { arbitrary: fc.constant(''), weight: 1 }),
    group: entity,
    actor: entity,
    target: entity,
    source_ip: fc.oneof(mixedString, fc.ipV4(), fc.ipV6()),
    is_failure: fc.boolean(),
    is_anonymous: fc.boolean(),
    fields: stringMap,
    external_id: mixedString,
    metadata: stringMap,
    crud: fc.constantFrom('c', 'r', 'u', 'd'),
    description: mixedString,
  },
  // Every key optional: requiredKeys [] keeps action too, so "missing action" is generated as well.
  { requiredKeys: [] },
);

const eventId: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.uuid(), weight: 10 },
  { arbitrary: nonEmpty, weight: 10 },
  { arbitrary: fc.constant(''), weight: 1 },
);

/** Values no typed caller would pass, but which the vendor's code still hashes (or rejects) in a defined way. */
const looseValue: fc.Arbitrary<unknown> = fc.oneof(
  mixedString,
  fc.integer({ min: -3, max: 3 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(mixedString, { maxLength: 2 }),
  fc.dictionary(mixedString, mixedString, { maxKeys: 2 }),
);

const looseEvent: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    action: fc.oneof({ arbitrary: nonEmpty, weight: 3 }, { arbitrary: looseValue, weight: 1 }),
    group: fc.oneof({ arbitrary: entity, weight: 3 }, { arbitrary: looseValue, weight: 1 }),
    actor: fc.oneof({ arbitrary: entity, weight: 3 }, { arbitrary: fc.record({ id: looseValue }), weight: 1 }),
    target: fc.oneof({ arbitrary: entity, weight: 3 }, { arbitrary: looseValue, weight: 1 }),
    source_ip: looseValue,
    is_failure: looseValue,
    is_anonymous: looseValue,
    fields: fc.oneof(stringMap, fc.dictionary(mapKey, looseValue, { maxKeys: 3 }), looseValue),
    external_id: looseValue,
    metadata: fc.oneof(stringMap, fc.dictionary(mapKey, looseValue, { maxKeys: 3 })),
  },
  { requiredKeys: [] },
);

interface Tally {
  hashed: number;
  rejected: number;
  crashed: number;
}

/** The property shared by both runs: same target and hash as the oracle, or a ValidationError where it throws. */
function agreesWithOracle(tally: Tally) {
  return (event: Record<string, unknown>, id: string): void => {
    const oracle = retracedOracle(event, id);
    if (oracle.ok) {
      tally.hashed++;
      expect(retracedHashTarget(event, id)).toBe(oracle.hashTarget);
      expect(retracedHash(event, id)).toBe(oracle.hash);
    } else if (oracle.error instanceof Error && oracle.error.message.startsWith('Canonicalization failed')) {
      // The vendor's own input checks (missing id or action, entity without id): ours are ValidationErrors.
      tally.rejected++;
      expect(() => retracedHash(event, id)).toThrow(ValidationError);
      expect(() => retracedHashTarget(event, id)).toThrow(ValidationError);
    } else {
      // The vendor crashed on the value itself (e.g. interpolating an object with no prototype): no hash either.
      tally.crashed++;
      expect(() => retracedHash(event, id)).toThrow();
    }
  };
}

describe('retracedHash agrees with the vendor reference computeHash (property)', () => {
  it(`matches hashTarget and hashResult on ${RUNS} random events, and throws ValidationError where it throws`, () => {
    const tally: Tally = { hashed: 0, rejected: 0, crashed: 0 };
    fc.assert(fc.property(retracedEvent, eventId, agreesWithOracle(tally)), { numRuns: RUNS });
    // Both branches must really have been exercised, or the property proves little.
    expect(tally.hashed).toBeGreaterThan(RUNS * 0.5);
    expect(tally.crashed).toBe(0);
    expect(tally.rejected).toBeGreaterThan(RUNS * 0.2);
  });

  it('matches it on events whose fields and metadata are present but empty', () => {
    const tally: Tally = { hashed: 0, rejected: 0, crashed: 0 };
    const emptyMaps = fc.record({
      action: nonEmpty,
      fields: fc.constantFrom<Record<string, string> | undefined>({}, undefined),
      metadata: fc.constantFrom<Record<string, string> | undefined>({}, undefined),
      external_id: fc.constantFrom('', 'x', ':%'),
    });
    fc.assert(fc.property(emptyMaps, fc.uuid(), agreesWithOracle(tally)), { numRuns: 300 });
    expect(tally.hashed).toBe(300);
    expect(tally.crashed).toBe(0);
  });

  it('matches it on loosely typed events (numbers, null, arrays and objects where strings belong)', () => {
    const tally: Tally = { hashed: 0, rejected: 0, crashed: 0 };
    fc.assert(fc.property(looseEvent, eventId, agreesWithOracle(tally)), { numRuns: 2000 });
    expect(tally.hashed).toBeGreaterThan(400);
    expect(tally.rejected).toBeGreaterThan(400);
  });
});
