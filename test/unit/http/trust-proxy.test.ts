import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/index.js';
import { compileTrustProxy } from '../../../src/http/trust-proxy.js';

describe('compileTrustProxy', () => {
  it('trusts nothing (and needs no header read) for undefined, false, 0 and the empty string', () => {
    for (const trust of [undefined, false, 0, '']) expect(compileTrustProxy(trust)).toBeUndefined();
  });

  it('expands the loopback, linklocal and uniquelocal presets as Express does', () => {
    const trust = compileTrustProxy(['loopback', 'linklocal', 'uniquelocal']);
    for (const address of ['127.0.0.1', '127.255.0.9', '::1', '169.254.1.1', 'fe80::9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.7.7', 'fd00::1']) {
      expect(trust?.(address, 0), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '172.32.0.1', '2001:db8::1', '::2', '192.169.0.1']) expect(trust?.(address, 0), address).toBe(false);
  });

  it('matches IPv4-mapped IPv6 peers (dual-stack sockets) against IPv4 subnets', () => {
    const trust = compileTrustProxy('loopback, 10.0.0.0/8');
    expect(trust?.('::ffff:127.0.0.1', 0)).toBe(true);
    expect(trust?.('::ffff:10.20.30.40', 0)).toBe(true);
    expect(trust?.('::ffff:11.0.0.1', 0)).toBe(false);
  });

  it('treats a bare address as a single host', () => {
    const trust = compileTrustProxy(['203.0.113.9', '2001:db8::7']);
    expect([trust?.('203.0.113.9', 0), trust?.('203.0.113.10', 0), trust?.('2001:db8::7', 0), trust?.('2001:db8::8', 0)]).toEqual([true, false, true, false]);
  });

  it('trusts by hop number for a count, and everything for true', () => {
    const two = compileTrustProxy(2);
    expect([two?.('8.8.8.8', 0), two?.('8.8.8.8', 1), two?.('8.8.8.8', 2)]).toEqual([true, true, false]);
    expect(compileTrustProxy(true)?.('8.8.8.8', 99)).toBe(true);
  });

  it.each([['lopback'], ['10.0.0.0/33'], ['10.0.0.0/8/8'], ['::1/129'], ['10.0.0/8'], ['10.0.0.0/x'], ['host.example']])(
    'refuses %s at compile time',
    (entry) => {
      expect(() => compileTrustProxy([entry])).toThrow(ValidationError);
    },
  );

  it.each([[-1], [1.5], [Number.NaN]])('refuses the hop count %s', (hops) => {
    expect(() => compileTrustProxy(hops)).toThrow(/options\.trustProxy: a hop count must be a whole number/);
  });
});
