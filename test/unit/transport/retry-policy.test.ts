import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseHttpDate, parseRetryAfter } from '../../../src/transport/retry-policy.js';

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);

describe('parseRetryAfter', () => {
  it.each([
    ['0', 0],
    ['7', 7_000],
    [' 12 ', 12_000],
    ['Mon, 07 Dec 2026 12:00:30 GMT', 30_000],
    ['Monday, 07-Dec-26 12:00:30 GMT', 30_000],
    ['Mon Dec  7 12:00:30 2026', 30_000],
    ['Mon, 07 Dec 2026 11:00:00 GMT', 0],
  ])('reads %j as %d ms (RFC 9110 delay-seconds or HTTP-date)', (header, expected) => {
    expect(parseRetryAfter(header, NOW)).toBe(expected);
  });

  it.each(['-5', '1.5', '2, 2', '+3', '1e3', '0x10', '', 'soon', 'Tue, 07 Dec 2026 12:00:30 GMT ,', '2026-12-07T12:00:30Z', 'Mon, 31 Feb 2026 12:00:00 GMT', 'Infinity', 'NaN'])(
    'ignores %j (not delay-seconds nor an HTTP-date), so the normal backoff applies',
    (header) => {
      expect(parseRetryAfter(header, NOW)).toBeUndefined();
    },
  );

  it('caps a huge delay at what a timer can wait', () => {
    expect(parseRetryAfter('99999999999999999999999', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT', NOW)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('never reads a value that is not 1*DIGIT or an HTTP-date as a wait', () => {
    fc.assert(
      fc.property(fc.string(), (header) => {
        const parsed = parseRetryAfter(header, NOW);
        const wellFormed = /^[0-9]+$/.test(header.trim()) || parseHttpDate(header.trim()) !== undefined;
        if (!wellFormed) expect(parsed).toBeUndefined();
        else expect(parsed).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('round-trips every IMF-fixdate toUTCString writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799 }), (seconds) => {
        const date = new Date(seconds * 1000);
        expect(parseHttpDate(date.toUTCString())).toBe(date.getTime());
      }),
    );
  });
});
