import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { retracedFormulaHash, retracedHashTarget, type RetracedHashInput } from '../../../src/server/retraced-formula.js';
import { retracedOracle } from '../../helpers/retraced-oracle.js';
import { sha256HexOf } from '../../helpers/sha256.js';

interface GoldenVector {
  readonly id: string;
  readonly event: RetracedHashInput;
  readonly hashTarget: string;
  readonly hash: string;
}

const { vectors } = JSON.parse(readFileSync(new URL('../../fixtures/retraced-hash-vectors.json', import.meta.url), 'utf8')) as { vectors: GoldenVector[] };

describe("the reference server's own Retraced formula", () => {
  it('reads the four golden vectors', () => {
    expect(vectors).toHaveLength(4);
  });

  it.each(vectors.map((vector, index) => [index, vector] as const))('reproduces golden vector %i exactly (target and hash)', (_index, vector) => {
    expect(retracedHashTarget(vector.event, vector.id)).toBe(vector.hashTarget);
    expect(retracedFormulaHash(vector.event, vector.id)).toBe(vector.hash);
  });

  const cases: ReadonlyArray<readonly [string, RetracedHashInput]> = [
    ['an empty fields object (present: no extra colon)', { action: 'a', fields: {} }],
    ['an empty metadata object (appends a lone colon)', { action: 'a', metadata: {} }],
    ['external_id and metadata with separators to escape', { action: 'a:b', external_id: 'x%:y', metadata: { 'k=;:': 'v;=%' } }],
    ['keys sorted by UTF-16 code units (upper case first, astral after BMP)', { action: 'a', fields: { b: '1', B: '2', '\u{1F600}': '3', '\uFFFF': '4' } }],
    ['every hashed member', { action: 'x', actor: { id: 'u:1' }, target: { id: 't%' }, group: { id: 'g' }, source_ip: '2001:db8::1', is_failure: true, is_anonymous: true }],
  ];
  it.each(cases)('agrees with the vendor package for %s', (_name, event) => {
    const id = '0123456789abcdef0123456789abcdef';
    const oracle = retracedOracle(event, id);
    expect(oracle).toEqual({ ok: true, hash: retracedFormulaHash(event, id), hashTarget: retracedHashTarget(event, id) });
    expect(retracedFormulaHash(event, id)).toBe(sha256HexOf(retracedHashTarget(event, id)));
  });

  it('tells an absent fields from an empty one', () => {
    expect(retracedHashTarget({ action: 'a' }, 'i')).toBe('i:a:::::0:0::');
    expect(retracedHashTarget({ action: 'a', fields: {} }, 'i')).toBe('i:a:::::0:0:');
    expect(retracedHashTarget({ action: 'a', metadata: {} }, 'i')).toBe('i:a:::::0:0:::');
  });
});
