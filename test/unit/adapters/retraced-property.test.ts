import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PrepareContext } from '../../../src/adapters/adapter.js';
import { createRetracedAdapter, RetracedEventSchema, retracedLocalHash } from '../../../src/adapters/retraced.js';
import { ValidationError } from '../../../src/errors.js';
import { retracedHash } from '../../../src/hash/retraced-hash.js';
import { mixedString } from '../../helpers/arbitraries.js';
import { retracedOracle } from '../../helpers/retraced-oracle.js';

// Every common event the Retraced adapter accepts must become an event the vendor accepts (the native schema encodes
// the server's rules, wire README section 2) and whose Retraced hash we compute exactly as the vendor's reference
// computeHash does (spec/EVENT.md section 9).

const RUNS = 1500;

const adapter = createRetracedAdapter({ endpoint: 'http://retraced.test', apiKey: 'token', projectId: 'p' });

function contextFor(index: number): PrepareContext {
  return { server: { id: 'svc:1', version: '1.0%' }, newId: () => `generated-${index}`, now: () => new Date('2026-01-02T03:04:05.678Z') };
}

const optionalText = fc.option(mixedString, { nil: undefined });
const nonEmpty = mixedString.filter((value) => value !== '');

/** IPs from fast-check plus the spellings the mapping must rewrite or move (spec/EVENT.md section 6). */
const ip = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.constantFrom('::1', '::', '1::', '0.1.2.3', '0.0.0.0', '::ffff:10.0.0.7', '::1.2.3.4', '64:ff9b::192.0.2.33', '2001:DB8::1', 'FE80::'),
);

/** Common-model events, mostly valid; crud is sometimes missing and tags sometimes hold commas (both refused). */
const commonEvent = fc.record(
  {
    id: nonEmpty,
    action: nonEmpty,
    time: fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }),
    tenant: fc.record({ id: nonEmpty, name: optionalText }, { requiredKeys: ['id'] }),
    actor: fc.record({ id: nonEmpty, name: optionalText, email: optionalText }, { requiredKeys: ['id'] }),
    target: fc.record({ id: nonEmpty, type: optionalText, name: optionalText, url: optionalText }, { requiredKeys: ['id'] }),
    outcome: fc.constantFrom('success', 'failure'),
    anonymous: fc.boolean(),
    crud: fc.constantFrom('c', 'r', 'u', 'd'),
    severity: fc.constantFrom('Info', 'Medium', 'High', 'Critical', 'Error'),
    description: mixedString,
    url: mixedString,
    ip,
    userAgent: mixedString,
    location: mixedString,
    device: mixedString,
    timezone: mixedString,
    fields: fc.dictionary(mixedString, mixedString, { maxKeys: 5 }),
    tags: fc.array(mixedString, { maxLength: 4 }),
  },
  { requiredKeys: ['action'] },
);

const serverId = fc.stringMatching(/^[0-9a-f]{32}$/);

describe('Retraced mapping (property)', () => {
  it(`turns every accepted common event into a vendor-valid event whose hash matches computeHash (${RUNS} runs)`, () => {
    const tally = { accepted: 0, refused: 0 };
    let run = 0;
    fc.assert(
      fc.property(commonEvent, serverId, (event, id) => {
        let prepared;
        try {
          prepared = adapter.prepare(event, contextFor(++run));
        } catch (error) {
          // Only validation may refuse an event, never a crash in the mapping.
          expect(error).toBeInstanceOf(ValidationError);
          tally.refused++;
          return;
        }
        tally.accepted++;
        const wire = JSON.parse(prepared.wire) as Record<string, unknown>;
        const native = RetracedEventSchema.safeParse(wire);
        expect(native.success, JSON.stringify(native.error?.issues)).toBe(true);
        const oracle = retracedOracle(wire, id);
        expect(oracle.ok).toBe(true);
        expect(oracle.ok && oracle.hash).toBe(retracedHash(wire, id));
        // The hash tail computed at prepare time gives the same hash as the wire text read back (a replayed event).
        expect(prepared.hashTail).toBeTypeOf('string');
        expect(retracedLocalHash(prepared, id)).toBe(oracle.ok && oracle.hash);
        expect(retracedLocalHash({ ...prepared, hashTail: undefined }, id)).toBe(oracle.ok && oracle.hash);
        // Sent again as a native event, the wire passes through byte for byte, with external_id as the receipt id.
        const again = adapter.prepare(wire, contextFor(0));
        expect(again.wire).toBe(prepared.wire);
        expect(again.id).toBe(prepared.id);
        expect(retracedLocalHash(again, id)).toBe(oracle.ok && oracle.hash);
      }),
      { numRuns: RUNS },
    );
    // Both branches must really have been exercised, or the property proves little.
    expect(tally.accepted).toBeGreaterThan(RUNS * 0.3);
    expect(tally.refused).toBeGreaterThan(RUNS * 0.05);
  });
});
