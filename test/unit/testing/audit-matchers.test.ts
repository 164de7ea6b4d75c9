import canonicalize from 'canonicalize';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { auditMatchers, type AuditMatcherResult } from '../../../src/testing.js';
import { thrownBy } from '../../helpers/errors.js';
import { retracedOracle } from '../../helpers/retraced-oracle.js';
import { sha256HexOf } from '../../helpers/sha256.js';

// The types come from test/unit/testing/vitest-audit-matchers.d.ts, the snippet docs/testing.md gives users.
expect.extend(auditMatchers);

const EVENT = { id: 'evt-1', time: '2026-01-01T00:00:00.000Z', action: 'invoice.paid', fields: { amount: '12.50' } };
const CANONICAL = canonicalize(EVENT) as string;
const HASH = sha256HexOf(CANONICAL);
const OTHER = 'e'.repeat(64);

/** The message of the error `fn` threw. */
function messageOf(fn: () => unknown): string {
  const error = thrownBy(fn);
  expect(error).toBeInstanceOf(Error);
  return (error as Error).message;
}

describe('expect(event).toHaveAuditHash(hash) through expect.extend', () => {
  it('passes when the event hashes to the value', () => {
    expect(EVENT).toHaveAuditHash(HASH);
  });

  it('fails with both hashes and the canonical JSON in the message, and hands vitest actual/expected', () => {
    const error = thrownBy(() => expect(EVENT).toHaveAuditHash(OTHER)) as Error & { actual?: unknown; expected?: unknown };
    expect(error.message).toContain(`expected: ${OTHER}`);
    expect(error.message).toContain(`actual:   ${HASH}`);
    expect(error.message).toContain(CANONICAL);
    expect(error.actual).toBe(HASH);
    expect(error.expected).toBe(OTHER);
  });

  it('with .not, passes for another hash and fails, saying so, for the event’s own hash', () => {
    expect(EVENT).not.toHaveAuditHash(OTHER);
    const message = messageOf(() => expect(EVENT).not.toHaveAuditHash(HASH));
    expect(message).toContain('expected the event not to have this hash, but it does');
    expect(message).toContain(CANONICAL);
  });

  it('fails for a malformed hash whether or not it is negated: .not passes, as the event does not have it', () => {
    expect(messageOf(() => expect(EVENT).toHaveAuditHash('1234'))).toContain('is not a SHA-256 hex digest');
    expect(EVENT).not.toHaveAuditHash('1234');
  });

  it('checks the Retraced formula with { retracedId }', () => {
    const event = { action: 'doc.read', crud: 'r', actor: { id: 'u1' } };
    const vendor = retracedOracle(event, 'kfbr392');
    if (!vendor.ok) throw new Error('the vendor computeHash refused the fixture');
    expect(event).toHaveAuditHash(vendor.hash, { retracedId: 'kfbr392' });
    expect(event).not.toHaveAuditHash(vendor.hash, { retracedId: 'other-id' });
  });

  it('works as an asymmetric matcher inside toEqual', () => {
    expect({ event: EVENT, note: 'x' }).toEqual({ event: expect.toHaveAuditHash(HASH), note: 'x' });
    expect(() => expect({ event: EVENT }).toEqual({ event: expect.toHaveAuditHash(OTHER) })).toThrow();
  });
});

describe('auditMatchers.toHaveAuditHash called directly (as any runner calls it)', () => {
  it('returns { pass, message, actual, expected } and reads only isNot from its context', () => {
    const result = auditMatchers.toHaveAuditHash.call({ isNot: false }, EVENT, OTHER);
    expect(result).toEqual({ pass: false, message: expect.any(Function), actual: HASH, expected: OTHER });
    expect(result.message()).toContain(CANONICAL);
    expect(auditMatchers.toHaveAuditHash.call({ isNot: true }, EVENT, HASH).pass).toBe(true);
  });

  it('is typed for runners without depending on one', () => {
    expectTypeOf(auditMatchers.toHaveAuditHash).returns.toEqualTypeOf<AuditMatcherResult>();
    expectTypeOf(auditMatchers.toHaveAuditHash).thisParameter.toEqualTypeOf<{ readonly isNot: boolean }>();
    expectTypeOf(expect(EVENT).toHaveAuditHash).parameters.toEqualTypeOf<[hash: string, options?: { readonly retracedId?: string | undefined }]>();
    // @ts-expect-error the hash is required
    expectTypeOf(expect(EVENT).toHaveAuditHash).toBeCallableWith();
  });
});
