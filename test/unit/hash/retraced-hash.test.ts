import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AuditsError, ValidationError } from '../../../src/errors.js';
import { retracedHash, retracedHashTarget } from '../../../src/hash/retraced-hash.js';
import { thrownBy } from '../../helpers/errors.js';
import { retracedOracle } from '../../helpers/retraced-oracle.js';
import { sha256HexOf } from '../../helpers/sha256.js';

interface GoldenVector {
  id: string;
  event: Record<string, unknown>;
  hashTarget: string;
  hash: string;
}

// The vendor's golden vectors (a verbatim copy kept in the repo, so a clone needs nothing beside it).
const VECTORS_URL = new URL('../../fixtures/retraced-hash-vectors.json', import.meta.url);
const { vectors } = JSON.parse(readFileSync(VECTORS_URL, 'utf8')) as { vectors: GoldenVector[] };

/** Asserts that target and hash equal the given ones, and that the vendor's computeHash agrees. */
function expectTarget(event: object, id: string, target: string): void {
  expect(retracedHashTarget(event, id)).toBe(target);
  expect(retracedHash(event, id)).toBe(sha256HexOf(target));
  expect(retracedOracle(event, id)).toEqual({ ok: true, hash: sha256HexOf(target), hashTarget: target });
}

function expectRejected(event: object, id: string, path: string): void {
  const error = thrownBy(() => retracedHash(event, id));
  expect(error).toBeInstanceOf(ValidationError);
  expect(error).toBeInstanceOf(AuditsError);
  expect((error as ValidationError).code).toBe('VALIDATION');
  expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual([path]);
  expect(() => retracedHashTarget(event, id)).toThrow(ValidationError);
  expect(retracedOracle(event, id).ok).toBe(false);
}

const ID = 'evt-1';

describe('retracedHash: golden vectors', () => {
  it('reads four vectors from the shared reference file', () => {
    expect(vectors).toHaveLength(4);
  });

  it.each(vectors.map((vector, index) => [index, vector] as const))(
    'reproduces the hash target and hash of vector %i',
    (_index, vector) => {
      expect(retracedHashTarget(vector.event, vector.id)).toBe(vector.hashTarget);
      expect(retracedHash(vector.event, vector.id)).toBe(vector.hash);
      expect(sha256HexOf(vector.hashTarget)).toBe(vector.hash);
    },
  );
});

describe('retracedHash: the formula, case by case', () => {
  it('writes ":" for an absent fields map', () => {
    expectTarget({ action: 'a' }, ID, 'evt-1:a:::::0:0::');
  });

  it('writes nothing (no extra colon) for an empty fields map, so {} and absent differ', () => {
    expectTarget({ action: 'a', fields: {} }, ID, 'evt-1:a:::::0:0:');
    expect(retracedHash({ action: 'a', fields: {} }, ID)).not.toBe(retracedHash({ action: 'a' }, ID));
  });

  it('treats fields: undefined like an absent fields map', () => {
    expectTarget({ action: 'a', fields: undefined }, ID, 'evt-1:a:::::0:0::');
  });

  it('appends a lone ":" for an empty metadata map', () => {
    expectTarget({ action: 'a', metadata: {} }, ID, 'evt-1:a:::::0:0:::');
    expectTarget({ action: 'a', fields: {}, metadata: {} }, ID, 'evt-1:a:::::0:0::');
  });

  it('appends ":" and the entries of a metadata map', () => {
    expectTarget({ action: 'a', fields: { f: '1' }, metadata: { m: '2' } }, ID, 'evt-1:a:::::0:0:f=1;:m=2;');
  });

  it('appends the external id, escaped once, before the metadata', () => {
    expectTarget({ action: 'a', external_id: 'ext-9' }, ID, 'evt-1:a:::::0:0:::ext-9');
    expectTarget({ action: 'a', external_id: '50%:x=y;' }, ID, 'evt-1:a:::::0:0:::50%25%3Ax=y;');
    expectTarget({ action: 'a', external_id: 'e', metadata: { k: 'v' } }, ID, 'evt-1:a:::::0:0:::e:k=v;');
  });

  it('leaves an empty external id out', () => {
    expectTarget({ action: 'a', external_id: '' }, ID, 'evt-1:a:::::0:0::');
  });

  it('writes target, actor, group and source_ip in that order', () => {
    expectTarget(
      { action: 'a', group: { id: 'g' }, actor: { id: 'u' }, target: { id: 't' }, source_ip: '10.0.0.1' },
      ID,
      'evt-1:a:t:u:g:10.0.0.1:0:0::',
    );
  });

  it('ignores names, types, crud, description, created and nested fields', () => {
    const plain = { action: 'a', target: { id: 't' }, actor: { id: 'u' } };
    const decorated = {
      ...plain,
      crud: 'u',
      created: new Date(0),
      description: 'something happened',
      target: { id: 't', name: 'T', type: 'doc', href: 'https://x', fields: { f: '1' } },
      actor: { id: 'u', name: 'U', href: 'https://y', fields: { f: '2' } },
      component: 'api',
      version: '1.2.3',
    };
    expect(retracedHashTarget(decorated, ID)).toBe(retracedHashTarget(plain, ID));
    expectTarget(decorated, ID, 'evt-1:a:t:u:::0:0::');
  });

  it('writes 1 for is_failure and is_anonymous when they are true', () => {
    expectTarget({ action: 'a', is_failure: true }, ID, 'evt-1:a:::::1:0::');
    expectTarget({ action: 'a', is_anonymous: true }, ID, 'evt-1:a:::::0:1::');
    expectTarget({ action: 'a', is_failure: true, is_anonymous: true }, ID, 'evt-1:a:::::1:1::');
    expectTarget({ action: 'a', is_failure: false, is_anonymous: false }, ID, 'evt-1:a:::::0:0::');
  });

  it('escapes % and : (only) in the id, action and entity ids', () => {
    expectTarget(
      { action: 'a:b%c=d;e', group: { id: '%:' }, actor: { id: '::' }, target: { id: '%%' }, source_ip: '::1' },
      'x:%',
      'x%3A%25:a%3Ab%25c=d;e:%25%25:%3A%3A:%25%3A:%3A%3A1:0:0::',
    );
  });

  it('escapes % first, so an existing "%3A" is not decoded or double-counted', () => {
    expectTarget({ action: '%3A' }, ID, 'evt-1:%253A:::::0:0::');
  });

  it('escapes % : = ; in field keys and values', () => {
    expectTarget(
      { action: 'a', fields: { 'k=1;': 'v:2%', plain: 'x' } },
      ID,
      'evt-1:a:::::0:0:k%3D1%3B=v%3A2%25;plain=x;',
    );
  });

  it('sorts field keys by raw text in UTF-16 code-unit order (non-BMP before U+FFFF)', () => {
    expectTarget(
      { action: 'a', fields: { '\uffff': '1', '\ud83d\ude00': '2', z: '3', Z: '4', '\u00e9': '5' } },
      ID,
      'evt-1:a:::::0:0:Z=4;z=3;\u00e9=5;\ud83d\ude00=2;\uffff=1;',
    );
  });

  it('sorts keys before escaping them', () => {
    // Raw "3" (0x33) sorts before ";" (0x3B), but the escape "%3B" (0x25...) would sort before "3X".
    expectTarget({ action: 'a', fields: { ';': '2', '3X': '1' } }, ID, 'evt-1:a:::::0:0:3X=1;%3B=2;');
  });

  it('hashes the UTF-8 bytes of a non-ASCII target', () => {
    const event = { action: 'caf\u00e9.\ud83d\ude00', actor: { id: '\u00fc' } };
    expectTarget(event, ID, 'evt-1:caf\u00e9.\ud83d\ude00::\u00fc:::0:0::');
  });

  it('treats an empty group, actor or target object as absent', () => {
    expectTarget({ action: 'a', group: {}, actor: {}, target: {} }, ID, 'evt-1:a:::::0:0::');
  });

  it('treats an empty source_ip as absent', () => {
    expectTarget({ action: 'a', source_ip: '' }, ID, 'evt-1:a:::::0:0::');
  });
});

describe('retracedHash: rejections (where the vendor throws)', () => {
  it('rejects a missing or empty id', () => {
    expectRejected({ action: 'a' }, '', 'id');
  });

  it('rejects a missing or empty action', () => {
    expectRejected({}, ID, '$.action');
    expectRejected({ action: '' }, ID, '$.action');
  });

  it.each(['group', 'actor', 'target'])('rejects a non-empty %s without an id', (name) => {
    expectRejected({ action: 'a', [name]: { name: 'N' } }, ID, `$.${name}.id`);
    expectRejected({ action: 'a', [name]: { id: '' } }, ID, `$.${name}.id`);
  });
});

describe('retracedHash: inputs where the vendor reference behaves oddly', () => {
  // Regression (found in review): the vendor checks sub-fields with lodash `_.get(event, 'group.id')`, which reads a top-level key literally
  // named "group.id" when one exists. For { action: 'a', group: { name: 'n' }, 'group.id': 'x' } computeHash returns
  // the target "i:a:::undefined::0:0::" while retracedHash throws ValidationError ($.group.id); for
  // { action: 'a', group: { id: 'g' }, 'group.id': '' } computeHash throws while retracedHash returns "i:a:::g::0:0::".
  // The contract asks for identical results on every input; `member()` should mirror `_.get`'s literal-key lookup.
  it('agrees with the vendor when the event has a top-level key literally named "group.id"', () => {
    expectTarget({ action: 'a', group: { name: 'n' }, 'group.id': 'x' }, 'i', 'i:a:::undefined::0:0::');
    const rejectedByVendor = { action: 'a', group: { id: 'g' }, 'group.id': '' };
    expect(retracedOracle(rejectedByVendor, 'i').ok).toBe(false);
    expect(() => retracedHash(rejectedByVendor, 'i')).toThrow(ValidationError);
  });

  // Regression (found in review): lodash `isEmpty` treats a DataView as empty (it is neither array-like nor has own keys), but the local
  // `isEmpty` returns `length === 0` for every ArrayBuffer view, and a DataView has no length, so it counts as present.
  // { action: 'a', target: new DataView(new ArrayBuffer(2)) }: computeHash gives "i:a:::::0:0::", retracedHash
  // throws ValidationError ($.target.id).
  it('treats a DataView target as absent, like lodash isEmpty', () => {
    expectTarget({ action: 'a', target: new DataView(new ArrayBuffer(2)) }, 'i', 'i:a:::::0:0::');
  });
});
