import express from 'express';
import type { IncomingMessage, RequestListener } from 'node:http';
import { describe, expect, it } from 'vitest';
import { AuditEventSchema, ValidationError, requestContext, type RequestContext, type RequestContextOptions } from '../../../src/index.js';
import { fetchFrom, listen, SPOOF_CASES, SPOOFED, spoofOptions, type RequestOptions } from './helpers.js';

/** Starts a server for this one case, sends `request`, and returns what requestContext read on the server side. */
async function contextOf(options: RequestContextOptions | undefined, request: RequestOptions = {}): Promise<RequestContext> {
  return contextFrom((req, res) => res.end(JSON.stringify(requestContext(req, options))), request);
}

async function contextFrom(handler: RequestListener, request: RequestOptions = {}): Promise<RequestContext> {
  const server = await listen(handler);
  try {
    const answer = await fetchFrom(server.url, request);
    expect(answer.status).toBe(200);
    return JSON.parse(answer.body) as RequestContext;
  } finally {
    await server.close();
  }
}

const withXff = (value: string): RequestOptions => ({ headers: { 'x-forwarded-for': value } });

describe('requestContext', () => {
  it('reads the socket peer, the user agent and the path with its query', async () => {
    const context = await contextOf(undefined, { path: '/login?next=%2Fbilling', headers: { 'user-agent': 'curl/8.5.0' } });
    expect(context).toEqual({ ip: '127.0.0.1', userAgent: 'curl/8.5.0', url: '/login?next=%2Fbilling' });
    expect(AuditEventSchema.safeParse({ action: 'user.login', ...context }).success).toBe(true);
  });

  it('omits absent members instead of sending empty strings', async () => {
    const context = await contextOf(undefined, { headers: { 'user-agent': '' } });
    expect(context).toEqual({ ip: '127.0.0.1', url: '/' });
    expect(Object.hasOwn(context, 'userAgent')).toBe(false);
  });

  describe('a spoofed X-Forwarded-For', () => {
    it.each(SPOOF_CASES)('with $name gives $expected', async (spoof) => {
      expect((await contextOf(spoofOptions(spoof), { headers: SPOOFED })).ip).toBe(spoof.expected);
    });

    it('does not change the ip when there is no trustProxy, however many entries it lists', async () => {
      const context = await contextOf({}, withXff('1.1.1.1, 2.2.2.2, 3.3.3.3, 127.0.0.1'));
      expect(context.ip).toBe('127.0.0.1');
    });

    it('is not read at all from a Forwarded header unless proxyHeader says so', async () => {
      const context = await contextOf({ trustProxy: 'loopback' }, { headers: { forwarded: 'for=6.6.6.6' } });
      expect(context.ip).toBe('127.0.0.1');
    });

    it('is ignored when the proxy header is Forwarded', async () => {
      const context = await contextOf(
        { trustProxy: 'loopback', proxyHeader: 'forwarded' },
        { headers: { 'x-forwarded-for': '6.6.6.6', forwarded: 'for=203.0.113.9' } },
      );
      expect(context.ip).toBe('203.0.113.9');
    });
  });

  describe('with trustProxy', () => {
    it('takes the right-most untrusted hop of a chain of trusted proxies, not the left-most entry', async () => {
      const context = await contextOf({ trustProxy: ['loopback', '10.0.0.0/8'] }, withXff('6.6.6.6, 203.0.113.9, 10.0.0.2, 10.0.0.3'));
      expect(context.ip).toBe('203.0.113.9');
    });

    it.each([
      [1, '10.0.0.3'],
      [2, '10.0.0.2'],
      [3, '203.0.113.9'],
      [4, '6.6.6.6'],
      [9, '6.6.6.6'],
    ])('with a hop count of %i picks %s', async (hops, expected) => {
      expect((await contextOf({ trustProxy: hops }, withXff('6.6.6.6, 203.0.113.9, 10.0.0.2, 10.0.0.3'))).ip).toBe(expected);
    });

    it('with true believes the left-most entry, as Express and Fastify do (hence: only behind a proxy that overwrites it)', async () => {
      expect((await contextOf({ trustProxy: true }, { headers: SPOOFED })).ip).toBe('6.6.6.6');
    });

    it('calls a trust function with each address and its hop number, nearest first, until one is refused', async () => {
      const calls: Array<[string, number]> = [];
      const trustProxy = (address: string, hop: number): boolean => {
        calls.push([address, hop]);
        return address === '127.0.0.1' || address.startsWith('10.');
      };
      const context = await contextOf({ trustProxy }, withXff('6.6.6.6, 203.0.113.9, 10.0.0.2'));
      expect(context.ip).toBe('203.0.113.9');
      expect(calls).toEqual([
        ['127.0.0.1', 0],
        ['10.0.0.2', 1],
        ['203.0.113.9', 2],
      ]);
    });

    it('accepts IPv6 subnets and the ::1 of the loopback preset', async () => {
      const context = await contextOf({ trustProxy: 'loopback, 2001:db8::/32' }, withXff('2001:db8:ffff::9, 2001:db8::7'));
      expect(context.ip).toBe('2001:db8:ffff::9');
    });

    it('reads the for= of RFC 7239 Forwarded elements, quoted IPv6 with a port included', async () => {
      const forwarded = 'for=6.6.6.6;proto=http, for="[2001:db8:cafe::17]:4711";proto=https;by=10.0.0.1';
      const context = await contextOf({ trustProxy: 'loopback', proxyHeader: 'forwarded' }, { headers: { forwarded } });
      expect(context.ip).toBe('2001:db8:cafe::17');
    });

    it('keeps the entries a trusted proxy appended even after a Forwarded value with an unterminated quote', async () => {
      const forwarded = 'for="6.6.6.6, for=7.7.7.7, for=203.0.113.9';
      const context = await contextOf({ trustProxy: 'loopback', proxyHeader: 'forwarded' }, { headers: { forwarded } });
      expect(context.ip).toBe('203.0.113.9');
    });

    it('reads each entry of repeated X-Forwarded-For lines, in order', async () => {
      const context = await contextFrom(
        (req, res) => res.end(JSON.stringify(requestContext(req, { trustProxy: 1 }))),
        { headers: { 'x-forwarded-for': '6.6.6.6' } },
      );
      expect(context.ip).toBe('6.6.6.6');
      const repeated = await contextFrom((req, res) => {
        // Node joins repeated lines with ', '; a hand-made request may carry an array instead.
        (req.headers as Record<string, unknown>)['x-forwarded-for'] = ['6.6.6.6', '203.0.113.9'];
        res.end(JSON.stringify(requestContext(req, { trustProxy: 1 })));
      });
      expect(repeated.ip).toBe('203.0.113.9');
    });
  });

  describe('addresses that are not valid', () => {
    it.each([
      ['garbage', 'not-an-ip'],
      ['a leading-zero IPv4', '01.2.3.4'],
      ['an RFC 7239 obfuscated name', '_hidden'],
      ['unknown', 'unknown'],
      ['a script', '<script>alert(1)</script>'],
      ['too many IPv6 groups', '1:2:3:4:5:6:7:8:9'],
    ])('drop the ip (%s) rather than fail the event', async (_name, entry) => {
      const context = await contextOf({ trustProxy: 'loopback' }, { headers: { 'x-forwarded-for': entry, 'user-agent': 'ua' } });
      expect(context).toEqual({ userAgent: 'ua', url: '/' });
      expect(AuditEventSchema.safeParse({ action: 'user.login', ...context }).success).toBe(true);
    });

    it('stop the walk: garbage to the right of a real address gives no ip, not the address behind it', async () => {
      expect((await contextOf({ trustProxy: 'loopback' }, withXff('203.0.113.9, garbage'))).ip).toBeUndefined();
    });

    it('to the left of the untrusted hop change nothing', async () => {
      expect((await contextOf({ trustProxy: 'loopback' }, withXff('garbage, 203.0.113.9'))).ip).toBe('203.0.113.9');
    });

    it('make the ip absent from Forwarded too (for=unknown)', async () => {
      const context = await contextOf({ trustProxy: 'loopback', proxyHeader: 'forwarded' }, { headers: { forwarded: 'for=unknown' } });
      expect(context.ip).toBeUndefined();
    });

    it.each([
      ['[2001:db8::1]:443', '2001:db8::1'],
      ['[2001:db8::1]', '2001:db8::1'],
      ['203.0.113.9:5555', '203.0.113.9'],
      ['fe80::1%eth0', 'fe80::1'],
      ['::ffff:203.0.113.9', '::ffff:203.0.113.9'],
    ])('are read leniently where proxies write ports, brackets or zones: %s -> %s', async (entry, expected) => {
      const context = await contextOf({ trustProxy: 'loopback' }, withXff(entry));
      expect(context.ip).toBe(expected);
      expect(AuditEventSchema.safeParse({ action: 'x', ip: context.ip }).success).toBe(true);
    });
  });

  describe('url', () => {
    it('is originalUrl where Express has rewritten req.url inside a router', async () => {
      const app = express();
      const router = express.Router();
      router.get('/login', (req, res) => {
        expect(req.url).toBe('/login?step=2');
        res.json(requestContext(req));
      });
      app.use('/auth', router);
      const context = await contextFrom(app, { path: '/auth/login?step=2' });
      expect(context.url).toBe('/auth/login?step=2');
    });

    it('leaves out the query with includeQuery: false', async () => {
      expect((await contextOf({ includeQuery: false }, { path: '/oauth/callback?code=secret&state=x' })).url).toBe('/oauth/callback');
    });

    it('is the path and query of a request in absolute form, without the host the client claims', async () => {
      const context = await contextOf(undefined, { path: 'http://evil.example/login?x=1' });
      expect(context.url).toBe('/login?x=1');
    });

    it('prefers a string originalUrl on any request object', async () => {
      const context = await contextFrom((req: IncomingMessage & { originalUrl?: string }, res) => {
        req.originalUrl = '/mounted/path';
        res.end(JSON.stringify(requestContext(req)));
      });
      expect(context.url).toBe('/mounted/path');
    });
  });

  it('cuts a user agent longer than 4,096 characters (the smallest vendor limit) instead of making the event undeliverable', async () => {
    const context = await contextOf(undefined, { headers: { 'user-agent': 'A'.repeat(5000) } });
    expect(context.userAgent).toBe('A'.repeat(4096));
  });

  it('refuses a malformed trustProxy or proxyHeader with a ValidationError naming the option', () => {
    const req = { headers: {}, socket: { remoteAddress: '127.0.0.1' }, url: '/' } as unknown as IncomingMessage;
    expect(() => requestContext(req, { trustProxy: 'lopback' })).toThrow(ValidationError);
    expect(() => requestContext(req, { trustProxy: 'lopback' })).toThrow(/options\.trustProxy: "lopback" is not an IP address/);
    expect(() => requestContext(req, { trustProxy: -1 })).toThrow(/options\.trustProxy/);
    expect(() => requestContext(req, { proxyHeader: 'x-real-ip' as 'forwarded' })).toThrow(/options\.proxyHeader/);
  });
});
