import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CanonicalizationError } from '../../../src/errors.js';
import { hashEvent, verifyEventHash } from '../../../src/hash/event-hash.js';
import { expectCanonicalizationError } from '../../helpers/errors.js';

const event = {
  time: '2024-05-01T12:00:00Z',
  action: 'user.login',
  actor: { name: 'Zo\u00eb', id: 'u-1' },
  fields: { '\ud83d\ude00': 'grin', count: '3' },
  tags: ['b', 'a'],
  amount: 1e21,
  anonymous: false,
  removed: null,
};

// Written by hand from RFC 8785, not produced by the code under test.
const CANONICAL =
  '{"action":"user.login","actor":{"id":"u-1","name":"Zo\u00eb"},"amount":1e+21,"anonymous":false,' +
  '"fields":{"count":"3","\ud83d\ude00":"grin"},"removed":null,"tags":["b","a"],"time":"2024-05-01T12:00:00Z"}';

const EXPECTED = createHash('sha256').update(Buffer.from(CANONICAL, 'utf8')).digest('hex');

describe('hashEvent', () => {
  it('is the lowercase hex SHA-256 of the UTF-8 bytes of the canonical JSON', () => {
    expect(hashEvent(event)).toBe(EXPECTED);
    expect(hashEvent(event)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes the empty object to the SHA-256 of "{}"', () => {
    expect(hashEvent({})).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });

  it('does not depend on key order', () => {
    const reordered = Object.fromEntries(Object.entries(event).reverse());
    expect(hashEvent(reordered)).toBe(EXPECTED);
  });

  it('changes when any value changes', () => {
    expect(hashEvent({ ...event, action: 'user.logout' })).not.toBe(EXPECTED);
    expect(hashEvent({ ...event, tags: ['a', 'b'] })).not.toBe(EXPECTED);
  });

  it('throws CanonicalizationError with the path for a value that is not I-JSON', () => {
    expectCanonicalizationError(() => hashEvent({ ...event, fields: { count: Number.NaN } }), '$.fields.count');
    expectCanonicalizationError(() => hashEvent(undefined), '$');
  });
});

describe('verifyEventHash', () => {
  it('returns true for the matching hash', () => {
    expect(verifyEventHash(event, EXPECTED)).toBe(true);
  });

  it('accepts the hash in uppercase hex', () => {
    expect(verifyEventHash(event, EXPECTED.toUpperCase())).toBe(true);
  });

  it('returns false for a well-formed hash of other data', () => {
    expect(verifyEventHash(event, hashEvent({ ...event, action: 'x' }))).toBe(false);
    const lastFlipped = EXPECTED.slice(0, -1) + (EXPECTED.endsWith('0') ? '1' : '0');
    expect(verifyEventHash(event, lastFlipped)).toBe(false);
    expect(verifyEventHash(event, '0'.repeat(64))).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['one digit short', EXPECTED.slice(1)],
    ['one digit long', `${EXPECTED}0`],
    ['twice as long', EXPECTED + EXPECTED],
    ['a non-hex digit', `g${EXPECTED.slice(1)}`],
    ['prefixed with 0x', `0x${EXPECTED.slice(2)}`],
    ['surrounded by spaces', ` ${EXPECTED} `],
    ['followed by a newline', `${EXPECTED}\n`],
    ['base64 of the digest', Buffer.from(EXPECTED, 'hex').toString('base64')],
    ['full-width digits', EXPECTED.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)))],
  ])('returns false, without throwing, for an expected hash that is %s', (_name, expected) => {
    expect(() => verifyEventHash(event, expected)).not.toThrow();
    expect(verifyEventHash(event, expected)).toBe(false);
  });

  it.each([
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an object', { hash: EXPECTED }],
    ['a Buffer of the digest', Buffer.from(EXPECTED, 'hex')],
    ['a boxed string', new String(EXPECTED)],
  ])('returns false, without throwing, for %s passed as the expected hash', (_name, expected) => {
    expect(() => verifyEventHash(event, expected as unknown as string)).not.toThrow();
    expect(verifyEventHash(event, expected as unknown as string)).toBe(false);
  });

  it('throws CanonicalizationError when the value itself is not I-JSON', () => {
    expectCanonicalizationError(() => verifyEventHash({ n: Number.POSITIVE_INFINITY }, EXPECTED), '$.n');
    expect(() => verifyEventHash({ s: '\ud800' }, 'not a hash')).toThrow(CanonicalizationError);
  });
});
