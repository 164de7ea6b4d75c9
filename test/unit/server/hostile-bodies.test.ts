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
