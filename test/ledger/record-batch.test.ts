import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/hash/canonical-json.js';
import { recordLine } from '../../src/ledger/ledger-record.js';
import { leafHash } from '../../src/ledger/merkle-hash.js';
import { encodeRecordBatch } from '../../src/ledger/record-batch.js';
import { record } from './ledger-fixture.js';

describe('encodeRecordBatch', () => {
  it('frames each record as recordLine does and hashes each leaf as leafHash does', () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1 });
    fc.assert(
      fc.property(fc.array(fc.record({ id: text, adapter: text, time: text }), { maxLength: 20 }), (variants) => {
        const records = variants.map((variant, i) => canonicalJson({ ...record(i), ...variant }));
        const { bytes, leaves } = encodeRecordBatch(records);
        expect(bytes.toString('utf8')).toBe(records.map(recordLine).join(''));
        expect(leaves.map((leaf) => leaf.toString('hex'))).toEqual(records.map((json) => leafHash(json).toString('hex')));
      }),
      { numRuns: 300 },
    );
  });
});
