import { AssertionError } from 'node:assert';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { expectAuditHash } from '../../../src/testing.js';
import { thrownBy } from '../../helpers/errors.js';
import { retracedOracle } from '../../helpers/retraced-oracle.js';
import { sha256HexOf } from '../../helpers/sha256.js';

const EVENT = { id: 'evt-1', time: '2026-01-01T00:00:00.000Z', action: 'user.login', actor: { id: 'user-42', name: 'Zoë' } };
// Computed independently of the code under test: the canonicalize package and a streaming SHA-256.
const CANONICAL = canonicalize(EVENT) as string;
const HASH = sha256HexOf(CANONICAL);
const OTHER = sha256HexOf('something else');

/** The AssertionError `fn` threw; fails the test when it threw anything else or nothing. */
function assertionFrom(fn: () => unknown): AssertionError {
  const error = thrownBy(fn);
  expect(error).toBeInstanceOf(AssertionError);
  return error as AssertionError;
}

describe('expectAuditHash', () => {
  it('returns quietly when the event hashes to the expected value', () => {
    expect(expectAuditHash(EVENT, HASH)).toBeUndefined();
  });

  it('passes for the event and hash of its TSDoc example', () => {
    const example = { id: 'evt-1', time: '2026-01-01T00:00:00.000Z', action: 'user.login' };
    expect(sha256HexOf(canonicalize(example) as string)).toBe('5c2b5f16a93db6c6c56dd5feee84443f885ad8e87cbb72f14f689ade6d2e6f84');
    expectAuditHash(example, '5c2b5f16a93db6c6c56dd5feee84443f885ad8e87cbb72f14f689ade6d2e6f84');
  });

  it('ignores key order, as the canonical form does', () => {
    const reordered = { actor: { name: 'Zoë', id: 'user-42' }, action: 'user.login', time: EVENT.time, id: EVENT.id };
    expect(() => expectAuditHash(reordered, HASH)).not.toThrow();
  });

  it('accepts the expected hash in upper-case hex, as verifyEventHash does', () => {
    expect(() => expectAuditHash(EVENT, HASH.toUpperCase())).not.toThrow();
  });

  it("throws node's AssertionError showing both hashes and the canonical JSON on a mismatch", () => {
    const error = assertionFrom(() => expectAuditHash(EVENT, OTHER));
    expect(error.code).toBe('ERR_ASSERTION');
    expect(error.operator).toBe('expectAuditHash');
    expect(error.actual).toBe(HASH);
    expect(error.expected).toBe(OTHER);
    expect(error.message).toContain(`expected: ${OTHER}`);
    expect(error.message).toContain(`actual:   ${HASH}`);
    expect(error.message).toContain(CANONICAL);
    expect(error.message).toContain('auditwire hash mismatch');
  });

  it('fails when one member changes, quoting the changed text', () => {
    const error = assertionFrom(() => expectAuditHash({ ...EVENT, action: 'user.logout' }, HASH));
    expect(error.message).toContain('"action":"user.logout"');
    expect(error.actual).toBe(sha256HexOf(canonicalize({ ...EVENT, action: 'user.logout' }) as string));
  });

  it('starts the stack at the caller, not inside auditwire', () => {
    const error = assertionFrom(() => expectAuditHash(EVENT, OTHER));
    const firstFrame = error.stack?.split('\n').find((line) => line.trimStart().startsWith('at '));
    expect(firstFrame).toContain('expect-audit-hash.test.ts');
  });

  it.each([
    ['too short', 'abc123'],
    ['65 digits', `${HASH}0`],
    ['not hex', 'g'.repeat(64)],
    ['empty', ''],
  ])('reports a malformed expected hash (%s) as such, with the hash to pin', (_name, malformed) => {
    const error = assertionFrom(() => expectAuditHash(EVENT, malformed));
    expect(error.message).toContain('is not a SHA-256 hex digest (64 hex digits)');
    expect(error.message).toContain(JSON.stringify(malformed));
    expect(error.message).toContain(`the event's hash: ${HASH}`);
    expect(error.message).toContain(CANONICAL);
  });

  it('reports a non-string expected hash from untyped callers', () => {
    const error = assertionFrom(() => expectAuditHash(EVENT, undefined as unknown as string));
    expect(error.message).toContain('got undefined');
  });

  it('fails with the JSON path when the event is not I-JSON, instead of hashing it approximately', () => {
    const error = assertionFrom(() => expectAuditHash({ fields: { count: Number.NaN } }, HASH));
    expect(error.message).toContain('the event cannot be hashed');
    expect(error.message).toContain('$.fields.count');
    expect(error.actual).toBeUndefined();
  });
});

describe('expectAuditHash with { retracedId }: the Retraced formula', () => {
  const RETRACED = {
    action: 'document.edit',
    crud: 'u',
    actor: { id: 'user-42', name: 'Zoë' },
    group: { id: 'acme' },
    target: { id: 'doc-7' },
    source_ip: '10.0.0.7',
    is_failure: true,
    fields: { 'a:b': 'c=d;e', percent: '100%' },
    external_id: 'evt-9',
    metadata: {},
  };
  const SERVER_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const oracle = retracedOracle(RETRACED, SERVER_ID);
  if (!oracle.ok) throw new Error('the vendor computeHash refused the fixture');

  it("passes with the hash the vendor's computeHash gives", () => {
    expect(() => expectAuditHash(RETRACED, oracle.hash, { retracedId: SERVER_ID })).not.toThrow();
  });

  it("passes for the vendor's hash of an event with empty fields and metadata", () => {
    const sparse = { action: 'a.b', crud: 'c', fields: {}, metadata: {} };
    const vendor = retracedOracle(sparse, 'kfbr392');
    expect(vendor.ok).toBe(true);
    if (vendor.ok) expectAuditHash(sparse, vendor.hash, { retracedId: 'kfbr392' });
  });

  it('fails for another server id, showing the Retraced hash target instead of canonical JSON', () => {
    const otherId = 'f'.repeat(32);
    const vendor = retracedOracle(RETRACED, otherId);
    const error = assertionFrom(() => expectAuditHash(RETRACED, oracle.hash, { retracedId: otherId }));
    expect(error.message).toContain(`Retraced hash (id "${otherId}") mismatch`);
    expect(error.message).toContain(`expected: ${oracle.hash}`);
    expect(vendor.ok && error.message.includes(`Retraced hash target of the event (the exact text hashed):\n  ${vendor.hashTarget}`)).toBe(true);
    expect(vendor.ok && error.actual === vendor.hash).toBe(true);
    expect(error.message).not.toContain('canonical JSON');
  });

  it('does not accept the auditwire hash where the Retraced one is asked for, and vice versa', () => {
    const auditwire = sha256HexOf(canonicalize(RETRACED) as string);
    expect(() => expectAuditHash(RETRACED, auditwire, { retracedId: SERVER_ID })).toThrow(AssertionError);
    expect(() => expectAuditHash(RETRACED, oracle.hash)).toThrow(AssertionError);
  });

  it('fails naming what the formula needs when the event lacks it, or the id is empty', () => {
    expect(assertionFrom(() => expectAuditHash({ crud: 'c' }, oracle.hash, { retracedId: SERVER_ID })).message).toContain('$.action');
    expect(assertionFrom(() => expectAuditHash(RETRACED, oracle.hash, { retracedId: '' })).message).toContain('cannot be hashed');
  });
});
