import type { IncomingMessage } from 'node:http';
import { parseAddress } from './ip-address.js';

/**
 * The header a trusted proxy writes the client address into. Only one is read: if both were, a client could
 * send the one your proxy does not touch and have it believed.
 * @example
 * ```ts
 * requestContext(req, { trustProxy: ['10.0.0.0/8'], proxyHeader: 'forwarded' }); // Forwarded: for=203.0.113.7
 * ```
 */
export type ProxyHeader = 'x-forwarded-for' | 'forwarded';

/**
 * The addresses `header` lists, nearest first (right to left: each proxy appends the peer it saw), each parsed
 * with `parseAddress` (`undefined` for an entry that is not one).
 *
 * Entries are split at every comma, also inside quotes. RFC 7239 allows a quoted comma, but no `for=` value
 * contains one, and splitting blindly keeps the right-hand entries, which trusted proxies wrote, intact whatever
 * a client puts to their left (an unterminated quote cannot swallow them).
 */
export function proxyChain(req: IncomingMessage, header: ProxyHeader): Array<string | undefined> {
  const raw = req.headers[header];
  // Node joins repeated X-Forwarded-For / Forwarded lines with ', '; an array only comes from hand-made requests.
  const text = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  const entries = text.split(',').filter((entry) => entry.trim() !== '');
  const parse = header === 'forwarded' ? forwardedFor : parseAddress;
  return entries.reverse().map(parse);
}

// One `name=value` pair of a Forwarded element: the value a complete quoted string, or unquoted (leniently also
// `for=2001:db8::1`, which the RFC wants quoted but some proxies write bare).
const PAIR = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)=("(?:[^"\\]|\\.)*"|[^"\s]*)\s*$/;

/** The `for=` address of one RFC 7239 element (`for=192.0.2.60;proto=https`, `for="[2001:db8::17]:4711"`). */
function forwardedFor(element: string): string | undefined {
  let found: string | undefined;
  for (const pair of element.split(';')) {
    const match = PAIR.exec(pair);
    // A malformed element is not an address: better no ip than a guess.
    if (match === null) return undefined;
    const [, name = '', value = ''] = match;
    if (name.toLowerCase() === 'for') found = value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
  }
  return parseAddress(found);
}
