import { BlockList, isIP } from 'node:net';
import { ValidationError } from '../errors.js';

/**
 * Which proxies in front of the app may be believed when they say, in `X-Forwarded-For` (or `Forwarded`), whom
 * they received the request from. The same forms as Express's `trust proxy` and Fastify's `trustProxy`:
 *
 * - `false` (the default) or `0`: trust nothing; the address is the socket's peer and the header is never read.
 *   Right for an app that clients reach directly: anyone can send `X-Forwarded-For: 1.2.3.4`.
 * - a list of addresses and CIDR subnets, as an array or one comma-separated string
 *   (`'10.0.0.0/8, 2001:db8::/32'`), and the presets `'loopback'` (127.0.0.0/8, ::1/128), `'linklocal'`
 *   (169.254.0.0/16, fe80::/10) and `'uniquelocal'` (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7):
 *   hops from those addresses are proxies. The recommended form: it checks who is actually talking to you.
 * - a function `(address, hop) => boolean`: hop 0 is the socket's peer, hop 1 the address it reports, and so on.
 *   Check the address, not only the hop number. It is only called with valid IP addresses.
 * - a number `n`: the nearest `n` hops are proxies, whatever their addresses. Safe only when the app cannot be
 *   reached except through exactly those `n` proxies; a client that connects directly picks its own address.
 * - `true`: every hop is a proxy, so the address is the left-most entry, which the client itself may have written.
 *   Safe only when the proxy in front overwrites (not appends to) the header.
 *
 * The client address is the nearest hop that is not trusted (the right-most untrusted entry), never blindly the
 * left-most one; when every hop is trusted, the furthest. A hop that is not an IP address is never trusted, so the
 * walk stops there and the request has no known address.
 *
 * @example
 * ```ts
 * requestContext(req, { trustProxy: 'loopback' });              // behind nginx on the same host
 * requestContext(req, { trustProxy: ['10.0.0.0/8'] });          // behind a load balancer in the VPC
 * requestContext(req, { trustProxy: (address) => address === '10.1.2.3' });
 * ```
 */
export type TrustProxy = boolean | number | string | readonly string[] | ((address: string, hop: number) => boolean);

/**
 * A compiled `TrustProxy`: whether the hop at `hop` (0 = the socket's peer) with this address is a proxy.
 * @example
 * ```ts
 * compileTrustProxy('loopback')?.('::ffff:127.0.0.1', 0); // true
 * ```
 */
export type TrustFunction = (address: string, hop: number) => boolean;

const PRESETS: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/**
 * Compiles a `TrustProxy` once (at start-up, so a typo fails there rather than per request). `undefined` means
 * "trust nothing": the caller need not read any header.
 * @throws ValidationError for an entry that is not an address, a subnet or a preset, or a negative hop count.
 */
export function compileTrustProxy(trust: TrustProxy | undefined): TrustFunction | undefined {
  if (trust === undefined || trust === false || trust === 0 || trust === '') return undefined;
  if (trust === true) return () => true;
  if (typeof trust === 'function') return trust;
  if (typeof trust === 'number') {
    if (!Number.isSafeInteger(trust) || trust < 0) throw invalid(`a hop count must be a whole number >= 0, got ${trust}`);
    return (_address, hop) => hop < trust;
  }
  const entries = typeof trust === 'string' ? trust.split(',') : trust;
  const list = new BlockList();
  for (const entry of entries) {
    if (typeof entry !== 'string') throw invalid(`expected addresses or subnets, got ${typeof entry}`);
    for (const subnet of PRESETS[entry.trim()] ?? [entry.trim()]) addSubnet(list, subnet);
  }
  return (address) => list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

function addSubnet(list: BlockList, subnet: string): void {
  const [address = '', prefix, ...rest] = subnet.split('/');
  const family = isIP(address);
  const bits = family === 6 ? 128 : 32;
  const length = prefix === undefined ? bits : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
  if (family === 0 || rest.length > 0 || !(length >= 0 && length <= bits)) {
    throw invalid(`"${subnet}" is not an IP address, a CIDR subnet (10.0.0.0/8) or one of ${Object.keys(PRESETS).join(', ')}`);
  }
  list.addSubnet(address, length, family === 6 ? 'ipv6' : 'ipv4');
}

function invalid(message: string): ValidationError {
  return new ValidationError([{ path: 'options.trustProxy', message }]);
}
