import type { IncomingMessage } from 'node:http';
import { parseAddress } from './ip-address.js';
import { proxyChain, type ProxyHeader } from './proxy-chain.js';
import type { TrustFunction } from './trust-proxy.js';

/**
 * The client's address: the socket's peer, or, when `trust` says the peer is a proxy, the nearest hop of the
 * proxy header that is not trusted (the furthest one when all are). `undefined` when that hop is not an IP address:
 * a client must not be able to pick which entry is believed by writing garbage to its right.
 */
export function clientAddress(req: IncomingMessage, trust: TrustFunction | undefined, header: ProxyHeader): string | undefined {
  // Optional chaining: test doubles and some inject() helpers hand over requests without a real socket.
  const peer = parseAddress(req.socket?.remoteAddress);
  if (trust === undefined || peer === undefined) return peer;
  const hops = [peer, ...proxyChain(req, header)];
  for (let hop = 0; hop < hops.length - 1; hop++) {
    const address = hops[hop];
    if (address === undefined || !trust(address, hop)) return address;
  }
  return hops.at(-1);
}
