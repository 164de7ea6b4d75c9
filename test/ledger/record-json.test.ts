import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/hash/canonical-json.js';
import { canonicalRecord, LedgerRecordSchema, parseRecordLine, recordLine } from '../../src/ledger/ledger-record.js';
import { templateRecordJson } from '../../src/ledger/record-json.js';
import { record } from './ledger-fixture.js';

interface Vector {
  readonly check: string;
  readonly record?: unknown;
}

const vectorRecords = (JSON.parse(readFileSync('spec/vectors/ledger.json', 'utf8')) as { vectors: Vector[] }).vectors
  .filter((vector) => vector.record !== undefined)
  .map((vector) => vector.record);

const HEX = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

/** Strings that exercise JSON escaping: quotes, backslashes, control characters, U+2028, astral characters. */
const trickyText = fc.oneof(fc.string({ unit: 'binary', minLength: 1 }), fc.constantFrom('"', '\\', '\u0000\u001f\u007f', '\u2028\u2029', '😀', 'é\u0301', '</script>'));
const optionalText = fc.option(fc.string({ unit: 'binary' }), { nil: undefined });

const anyRecord = fc.record(
  {
    id: trickyText,
    hash: fc.constant(HEX),
    serverId: optionalText,
    serverHash: optionalText,
    verified: fc.boolean(),
    adapter: trickyText,
    time: trickyText,
    ackedAt: trickyText,
  },
  { requiredKeys: ['id', 'hash', 'verified', 'adapter', 'time', 'ackedAt'] },
);

/** Shapes around a record: wrong types, missing and extra members, lone surrogates, non-plain objects. */
const nearRecord = fc.oneof(
  anyRecord.chain((value) => fc.constantFrom(...(Object.keys(value) as Array<keyof typeof value>)).map((key) => ({ ...value, [key]: 42 }))),
  anyRecord.chain((value) => fc.constantFrom(...(Object.keys(value) as Array<keyof typeof value>)).map((key) => ({ ...value, [key]: '' }))),
  anyRecord.chain((value) => fc.constantFrom('id', 'hash', 'verified', 'adapter', 'time', 'ackedAt').map((key) => {
    const copy: Record<string, unknown> = { ...value };
    delete copy[key];
    return copy;
  })),
  anyRecord.map((value) => ({ ...value, extra: 'x' })),
  anyRecord.map((value) => ({ ...value, id: `${value.id}\ud800` })),
  anyRecord.map((value) => ({ ...value, serverId: '\udc00' })),
  anyRecord.chain((value) => fc.constantFrom(HEX.toUpperCase(), HEX.slice(1), `${HEX}0`, `${HEX}\n`, `${HEX.slice(1)}g`).map((hash) => ({ ...value, hash }))),
  anyRecord.map((value) => Object.assign(Object.create({ inherited: true }) as object, value)),
  anyRecord.map((value) => JSON.parse(`{"__proto__":1,${JSON.stringify(value).slice(1)}`) as unknown),
  fc.constantFrom(null, undefined, 'record', 1, [], new Date(0)),
);

describe('templateRecordJson', () => {
  it('equals canonicalJson for every spec vector record', () => {
    expect(vectorRecords.length).toBeGreaterThan(0);
    for (const value of vectorRecords) {
      expect(templateRecordJson(value)).toBe(canonicalJson(value));
      expect(canonicalRecord(value)).toBe(canonicalJson(value));
    }
  });

  it('equals canonicalJson for every record shape (optional members present, absent or undefined)', () => {
    fc.assert(
      fc.property(anyRecord, (value) => {
        expect(LedgerRecordSchema.safeParse(value).success).toBe(true);
        expect(templateRecordJson(value)).toBe(canonicalJson(value));
      }),
      { numRuns: 2000 },
    );
    const base = record(1);
    const { serverId: _serverId, serverHash: _serverHash, ...bare } = base;
    for (const value of [base, bare, { ...bare, serverId: undefined, serverHash: undefined }, { ...bare, serverHash: 'x' }, { ...bare, serverId: '' }]) {
      expect(templateRecordJson(value)).toBe(canonicalJson(value));
    }
  });

  it('answers only for what the schema accepts, and leaves everything else to it', () => {
    fc.assert(
      fc.property(fc.oneof(anyRecord, nearRecord), (value) => {
        const json = templateRecordJson(value);
        const parsed = LedgerRecordSchema.safeParse(value);
        if (json !== undefined) {
          expect(parsed.success).toBe(true);
          expect(json).toBe(canonicalJson(parsed.data));
        }
        // canonicalRecord (template, else schema + canonicalJson) accepts exactly what the schema accepts.
        if (parsed.success) expect(canonicalRecord(value)).toBe(canonicalJson(parsed.data));
        else expect(() => canonicalRecord(value)).toThrow(/\$\./);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a line back as the same record whether the template or the schema takes it', () => {
    fc.assert(
      fc.property(anyRecord, (value) => {
        const json = canonicalJson(value);
        const parsed = parseRecordLine(recordLine(json).slice(0, -1));
        expect(parsed).toEqual({ ok: true, json, record: LedgerRecordSchema.parse(value) });
      }),
      { numRuns: 500 },
    );
    // Valid JSON of a valid record, but not its canonical form: refused as before.
    const reordered = JSON.stringify({ id: 'e', hash: HEX, verified: true, adapter: 'a', time: 't', ackedAt: 'a' });
    expect(parseRecordLine(recordLine(reordered).slice(0, -1))).toEqual({ ok: false, reason: 'not in canonical JSON form' });
    // A lone surrogate, escaped as JSON allows: not a record (it has no canonical form), and no exception.
    const lone = canonicalJson({ ...record(2), serverId: 'x' }).replace('"serverId":"x"', '"serverId":"\\ud800"');
    expect(parseRecordLine(recordLine(lone).slice(0, -1))).toMatchObject({ ok: false, reason: expect.stringMatching(/^not a ledger record \(serverId: /) });
  });
});
