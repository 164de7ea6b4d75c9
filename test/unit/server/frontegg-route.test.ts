import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectedHash, field, send, startServer, type Answer } from './http.js';

const AUDIT = { tenantId: 'acme', user: 'jane@example.com', resource: 'invoice', action: 'update', severity: 'Info', auditwireId: 'evt-9', tags: ['a,b'] };

async function token(url: string, credentials: unknown = { clientId: 'cid', secret: 's' }): Promise<Answer> {
  return send(`${url}/auth/vendor`, { body: credentials });
}

async function audit(url: string, accessToken: string, body: unknown = AUDIT, tenant: string | null = 'acme', path = '/audits/'): Promise<Answer> {
  return send(`${url}${path}`, { body, headers: { 'x-access-token': accessToken, ...(tenant === null ? {} : { 'frontegg-tenant-id': tenant }) } });
}

async function issued(url: string): Promise<string> {
  return field<string>((await token(url)).json, 'token');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Frontegg /auth/vendor', () => {
  it('issues {token, expiresIn} with the default lifetime of 3600 seconds, counting the request', async () => {
    const server = await startServer();
    const answer = await token(server.url);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ token: expect.stringMatching(/^[0-9a-f]{48}$/), expiresIn: 3600 });
    expect(server.stats.authRequests).toBe(1);
  });

  it('uses tokenTtlSeconds for expiresIn', async () => {
    const server = await startServer({ tokenTtlSeconds: 60 });
    expect(field((await token(server.url)).json, 'expiresIn')).toBe(60);
  });

  it.each([
    ['no body members', {}],
    ['an empty secret', { clientId: 'cid', secret: '' }],
    ['a non-string clientId', { clientId: 1, secret: 's' }],
    ['an array body', [{ clientId: 'cid', secret: 's' }]],
  ])('answers 401 for %s', async (_name, body) => {
    const server = await startServer();
    const answer = await token(server.url, body);
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ errors: [expect.any(String)] });
    expect(server.stats.authRequests).toBe(1);
  });

  it('requires the configured credentials when given', async () => {
    const server = await startServer({ credentials: { frontegg: { clientId: 'cid', secret: 'right' } } });
    expect((await token(server.url, { clientId: 'cid', secret: 'wrong' })).status).toBe(401);
    expect((await token(server.url, { clientId: 'other', secret: 'right' })).status).toBe(401);
    expect((await token(server.url, { clientId: 'cid', secret: 'right' })).status).toBe(200);
  });
});

describe('Frontegg /audits', () => {
  it('answers 202 {hash} with the auditwire hash of the body, at /audits/ and /audits', async () => {
    const server = await startServer();
    const accessToken = await issued(server.url);
    for (const path of ['/audits/', '/audits']) {
      const answer = await audit(server.url, accessToken, AUDIT, 'acme', path);
      expect(answer.status).toBe(202);
      expect(answer.json).toEqual({ hash: expectedHash(AUDIT) });
    }
    expect(server.events.map((event) => [event.format, event.eventId, event.hash])).toEqual([
      ['frontegg', 'evt-9', expectedHash(AUDIT)],
      ['frontegg', 'evt-9', expectedHash(AUDIT)],
    ]);
    expect(server.events[0]?.body).toEqual(AUDIT);
  });

  it('uses the server id as event id without a string auditwireId, and accepts a body without tenantId', async () => {
    const server = await startServer();
    const answer = await audit(server.url, await issued(server.url), { severity: 'High', auditwireId: 5 });
    expect(answer.status).toBe(202);
    expect(server.events[0]?.eventId).toBe(server.events[0]?.serverId);
    expect(server.events[0]?.serverId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['no token', undefined],
    ['a token this server never issued', 'forged'],
  ])('answers 401 for %s', async (_name, accessToken) => {
    const server = await startServer();
    const answer = await send(`${server.url}/audits/`, { body: AUDIT, headers: { 'frontegg-tenant-id': 'acme', ...(accessToken ? { 'x-access-token': accessToken } : {}) } });
    expect(answer.status).toBe(401);
    expect(server.events).toHaveLength(0);
  });

  it('refuses every issued token after expireTokens(), and accepts a newly issued one', async () => {
    const server = await startServer();
    const old = await issued(server.url);
    expect((await audit(server.url, old)).status).toBe(202);
    server.expireTokens();
    expect((await audit(server.url, old)).status).toBe(401);
    expect((await audit(server.url, await issued(server.url))).status).toBe(202);
    expect(server.events).toHaveLength(2);
  });

  it("expires a token after tokenTtlSeconds on the server's clock", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const server = await startServer({ tokenTtlSeconds: 60 });
    const accessToken = await issued(server.url);
    vi.setSystemTime(new Date('2026-01-01T00:00:59.999Z'));
    expect((await audit(server.url, accessToken)).status).toBe(202);
    vi.setSystemTime(new Date('2026-01-01T00:01:00Z'));
    expect((await audit(server.url, accessToken)).status).toBe(401);
  });

  it.each([
    ['no tenant header', AUDIT, null],
    ['an empty tenant header', AUDIT, ''],
    ['a tenant header that differs from body.tenantId', AUDIT, 'other'],
    ['no severity', { ...AUDIT, severity: undefined }, 'acme'],
    ['an unknown severity', { ...AUDIT, severity: 'Low' }, 'acme'],
    ['an empty tenantId', { ...AUDIT, tenantId: '' }, 'acme'],
    ['a non-string tenantId', { ...AUDIT, tenantId: 7 }, 'acme'],
    ['a body that is not an object', [AUDIT], 'acme'],
  ])('answers 400 for %s and stores nothing', async (_name, body, tenant) => {
    const server = await startServer();
    const answer = await audit(server.url, await issued(server.url), body, tenant);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ errors: [expect.any(String)] });
    expect(server.events).toHaveLength(0);
  });

  it('answers 400 for invalid JSON', async () => {
    const server = await startServer();
    const answer = await send(`${server.url}/audits/`, { raw: '{', headers: { 'x-access-token': await issued(server.url), 'frontegg-tenant-id': 'acme' } });
    expect(answer.status).toBe(400);
  });
});
