import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { send, startServer } from './http.js';

// Bodies the reference server must refuse cleanly rather than crash on or break later readers with.

describe('JSON nesting limit', () => {
  const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it.each([
    ['auditlog', (url: string, body: string) => send(`${url}/api/v1/events`, { raw: `[{"x":${body}}]`, headers: { 'x-api-key': 'c:s', 'content-type': 'application/json' } })],
    ['retraced', (url: string, body: string) => send(`${url}/publisher/v1/project/p/event`, { raw: `{"action":"a","crud":"c","x":${body}}`, headers: { authorization: 'Token token=t', 'content-type': 'application/json' } })],
    ['logzab', (url: string, body: string) => send(`${url}/v1/addTrail`, { raw: `{"apiKey":"k","actor":{"unique_id":"u","name":"n"},"object":"o","action":"a","x":${body}}` })],
  ])('refuses a %s body nested past 1,000 levels with a 400, and keeps serving the event list', async (_name, post) => {
    const server = await startServer();
    const answer = await post(server.url, nested(5_000));
    expect(answer.status).toBe(400);
    expect(server.events).toHaveLength(0);
    expect((await send(`${server.url}/_auditwire/events`)).status).toBe(200);
  });

  it('accepts a Frontegg audit nested 990 levels deep and still lists it', async () => {
    const server = await startServer();
    const token = ((await send(`${server.url}/auth/vendor`, { body: { clientId: 'c', secret: 's' } })).json as { token: string }).token;
    const headers = { 'x-access-token': token, 'frontegg-tenant-id': 'acme', 'content-type': 'application/json' };
    const ok = await send(`${server.url}/audits`, { raw: `{"tenantId":"acme","severity":"Info","x":${nested(990)}}`, headers });
    expect(ok.status).toBe(202);
    const deep = await send(`${server.url}/audits`, { raw: `{"tenantId":"acme","severity":"Info","x":${nested(50_000)}}`, headers });
    expect(deep.status).toBe(400);
    expect(deep.json).toEqual({ errors: ['The request body is not valid JSON'] });
    expect(server.events).toHaveLength(1);
    expect((await send(`${server.url}/_auditwire/events`)).status).toBe(200);
  });
});

describe('lone surrogates', () => {
  it.each([
    ['a string', '{"apiKey":"k","actor":{"unique_id":"u","name":"n"},"object":"o","action":"a","note":"\\ud800"}'],
    ['a key', '{"apiKey":"k","actor":{"unique_id":"u","name":"n"},"object":"o","action":"a","\\udfff":"x"}'],
    ['the __proto__ member', '{"apiKey":"k","actor":{"unique_id":"u","name":"n"},"object":"o","action":"a","__proto__":"\\ud800"}'],
  ])('refuses one in %s with the route\'s 400 for invalid JSON, not a crash', async (_where, raw) => {
    const server = await startServer();
    const answer = await send(`${server.url}/v1/addTrail`, { raw, headers: { 'content-type': 'application/json' } });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: 'The request body is not valid JSON', details: { body: expect.stringContaining('lone surrogate') } });
    expect(server.events).toHaveLength(0);
  });
});

describe('bodies that are not UTF-8', () => {
  /** `prefix`, then a JSON string holding the bytes FF FE (never valid UTF-8), then `suffix`. */
  const latin = (prefix: string, suffix: string): Uint8Array => Buffer.concat([Buffer.from(`${prefix}"caf`), Buffer.from([0xff, 0xfe]), Buffer.from(`"${suffix}`)]);
  /** The same body with valid UTF-8 in that string: the route stores it, so only the bytes make the difference. */
  const valid = (prefix: string, suffix: string): Uint8Array => Buffer.from(`${prefix}"caf\u00e9"${suffix}`, 'utf8');

  it.each([
    ['auditlog', '/api/v1/events', ['[{"uuid":"e-1","time":"2024-05-01T12:00:00Z","action":"a","actor":{"uuid":"u","name":', '},"client":{"uuid":"c"},"context":{"server":{"serverId":"s","version":"1"}}}]'], { 'x-api-key': 'c:s', 'content-type': 'application/json' }],
    ['retraced', '/publisher/v1/project/p/event', ['{"action":"a","crud":"c","is_anonymous":true,"description":', '}'], { authorization: 'Token token=t', 'content-type': 'application/json' }],
    ['logzab', '/v1/addTrail', ['{"apiKey":"k","actor":{"unique_id":"u","name":"n"},"object":"o","action":"a","note":', '}'], { 'content-type': 'application/json' }],
  ] as const)('refuses a %s body with invalid UTF-8 as not valid JSON, instead of storing replacement characters', async (_name, path, [prefix, suffix], headers) => {
    const server = await startServer();
    expect((await send(`${server.url}${path}`, { raw: valid(prefix, suffix), headers })).status).toBeLessThan(300);
    const answer = await send(`${server.url}${path}`, { raw: latin(prefix, suffix), headers });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(600);
    expect(server.events).toHaveLength(1);
  });

  it('says why in the LogZab answer, which carries the parser\'s reason', async () => {
    const server = await startServer();
    const raw = latin('{"apiKey":"k","actor":{"unique_id":"u","name":"n"},"object":"o","action":"a","note":', '}');
    const answer = await send(`${server.url}/v1/addTrail`, { raw, headers: { 'content-type': 'application/json' } });
    expect(answer.json).toEqual({ error: 'The request body is not valid JSON', details: { body: expect.stringContaining('not valid UTF-8') } });
  });

  it('refuses a Frontegg audit with invalid UTF-8 with its 400 for invalid JSON', async () => {
    const server = await startServer();
    const token = ((await send(`${server.url}/auth/vendor`, { body: { clientId: 'c', secret: 's' } })).json as { token: string }).token;
    const headers = { 'x-access-token': token, 'frontegg-tenant-id': 'acme', 'content-type': 'application/json' };
    const answer = await send(`${server.url}/audits`, { raw: latin('{"tenantId":"acme","severity":"Info","action":', '}'), headers });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ errors: ['The request body is not valid JSON'] });
    expect(server.events).toHaveLength(0);
  });
});

describe('oversized bodies on a kept-alive connection', () => {
  it('answers 413 with Connection: close and the next request on the same agent is served', async () => {
    const server = await startServer({ maxBodyBytes: 1024 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = (body: string): Promise<{ status: number; connection: string | undefined }> =>
      new Promise((resolve, reject) => {
        const req = request(`${server.url}/v1/addTrail`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
        });
        req.on('error', reject);
        req.end(body);
      });
    try {
      expect(await post(`{"x":"${'y'.repeat(1 << 20)}"}`)).toEqual({ status: 413, connection: 'close' });
      expect((await post('{"apiKey":"k","actor":{"unique_id":"u","name":"n"},"object":"o","action":"a"}')).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});
