import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditsClient, AuthenticationError, DeliveryError, ValidationError, type ClientOptions } from '../../../src/index.js';
import { createReferenceServer } from '../../../src/testing.js';
import { blockNetwork, rejectionOf, resetNock } from '../../helpers/client.js';

// getAudits, getAuditsStats, getAuditsMetadata and setAuditsMetadata: Frontegg's paths, query and headers as
// @frontegg/client 5.3.2 sends them (its dist/src/clients/audits/index.js), with the client's retries and errors.

const GATEWAY = 'https://api.frontegg.com';
const TOKEN = 'vendor-token-7c1';

const opened: AuditsClient[] = [];
function fronteggClient(options: ClientOptions = {}): AuditsClient {
  const client = new AuditsClient({ adapter: 'frontegg', endpoint: GATEWAY, clientId: 'c-1', apiKey: 'secret-1', retry: { initialDelayMs: 0, maxDelayMs: 0 }, ...options });
  opened.push(client);
  return client;
}

beforeEach(() => {
  blockNetwork();
  for (const name of ['AUDITWIRE_ADAPTER', 'AUDITWIRE_ENDPOINT', 'AUDITWIRE_API_KEY', 'FRONTEGG_CLIENT_ID', 'FRONTEGG_API_KEY', 'FRONTEGG_API_GATEWAY_URL']) vi.stubEnv(name, '');
  nock(GATEWAY).post('/auth/vendor', { clientId: 'c-1', secret: 'secret-1' }).reply(200, { token: TOKEN, expiresIn: 3600 }).persist();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((client) => client.destroy()));
  vi.unstubAllEnvs();
  await resetNock();
});

describe('the HTTP exchange of each call', () => {
  it('getAudits sends GET /audits/ with the query, the filters spread in, the token and the tenant header', async () => {
    const page = { data: [{ action: 'x' }], total: 1 };
    const scope = nock(GATEWAY, { reqheaders: { 'x-access-token': TOKEN, 'frontegg-tenant-id': 't-1' } })
      .get('/audits/')
      .query({ tenantId: 't-1', offset: '0', count: '10', sortBy: 'createdAt', sortDirection: 'DESC', filter: 'plan', severity: 'High' })
      .reply(200, page);
    const result = await fronteggClient().getAudits({ tenantId: 't-1', offset: 0, count: 10, sortBy: 'createdAt', sortDirection: 'DESC', filter: 'plan', filters: { severity: 'High' } });
    expect(result).toEqual(page);
    expect(scope.isDone()).toBe(true);
  });

  it('getAuditsStats sends GET /audits/stats with the tenant and without the filters', async () => {
    const scope = nock(GATEWAY, { reqheaders: { 'x-access-token': TOKEN, 'frontegg-tenant-id': 't-1' } })
      .get('/audits/stats')
      .query({ tenantId: 't-1' })
      .reply(200, { totalToday: 3, severeThisWeek: 1 });
    expect(await fronteggClient().getAuditsStats({ tenantId: 't-1', filters: { severity: 'High' } })).toEqual({ totalToday: 3, severeThisWeek: 1 });
    expect(scope.isDone()).toBe(true);
  });

  it('getAuditsMetadata sends GET /metadata/?entityName=audits; setAuditsMetadata POSTs the metadata with entityName audits', async () => {
    const scope = nock(GATEWAY, { reqheaders: { 'x-access-token': TOKEN } })
      .get('/metadata/')
      .query({ entityName: 'audits' })
      .reply(200, { entityName: 'audits', properties: [] })
      .post('/metadata/', { entityName: 'audits', properties: [{ name: 'plan' }] })
      .reply(200, { entityName: 'audits', properties: [{ name: 'plan' }] });
    const client = fronteggClient();
    expect(await client.getAuditsMetadata()).toEqual({ entityName: 'audits', properties: [] });
    const metadata = { entityName: 'other', properties: [{ name: 'plan' }] };
    expect(await client.setAuditsMetadata(metadata)).toEqual({ entityName: 'audits', properties: [{ name: 'plan' }] });
    expect(metadata.entityName).toBe('other'); // the caller's object is not rewritten
    expect(scope.isDone()).toBe(true);
  });
});

describe('retries and errors', () => {
  it('retries a 503 and a 429 with Retry-After, then returns the answer', async () => {
    nock(GATEWAY).get('/audits/stats').query(true).reply(503).get('/audits/stats').query(true).reply(429, '', { 'retry-after': '0' });
    nock(GATEWAY).get('/audits/stats').query(true).reply(200, { totalToday: 0 });
    expect(await fronteggClient().getAuditsStats({ tenantId: 't-1' })).toEqual({ totalToday: 0 });
  });

  it('fetches a new token once after a 401', async () => {
    nock(GATEWAY).get('/metadata/').query(true).reply(401).get('/metadata/').query(true).reply(200, { entityName: 'audits' });
    expect(await fronteggClient().getAuditsMetadata()).toEqual({ entityName: 'audits' });
  });

  it('rejects with AuthenticationError when the token is refused twice, and DeliveryError with the status for a 400, the token redacted', async () => {
    nock(GATEWAY).get('/metadata/').query(true).times(2).reply(401);
    expect(await rejectionOf(fronteggClient().getAuditsMetadata())).toBeInstanceOf(AuthenticationError);
    nock(GATEWAY).get('/audits/').query(true).reply(400, { errors: [`bad query for ${TOKEN}`] });
    const error = await rejectionOf(fronteggClient().getAudits({ tenantId: 't-1', offset: 0, count: 1 }));
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).status).toBe(400);
    expect(JSON.stringify({ message: (error as Error).message, body: (error as DeliveryError).body })).not.toContain(TOKEN);
  });

  it('refuses the calls on another adapter, and a tenant id that cannot be a header', async () => {
    const auditlog = new AuditsClient({ adapter: 'auditlog', apiKey: 'a:b', endpoint: GATEWAY });
    opened.push(auditlog);
    expect(await rejectionOf(auditlog.getAuditsMetadata())).toBeInstanceOf(ValidationError);
    const error = await rejectionOf(fronteggClient().getAudits({ tenantId: 'bad\nid', offset: 0, count: 1 }));
    expect((error as ValidationError).issues[0]?.path).toBe('$.tenantId');
  });
});

describe('against the reference server', () => {
  it('lists, counts and pages what was sent, per tenant, and keeps the metadata', async () => {
    nock.enableNetConnect('127.0.0.1');
    const server = await createReferenceServer();
    try {
      const client = fronteggClient({ endpoint: server.url, allowInsecureHttp: true });
      await client.sendAudits([
        { tenantId: 't-1', severity: 'Info', action: 'first', user: 'jane' },
        { tenantId: 't-1', severity: 'High', action: 'second', user: 'joe' },
        { tenantId: 't-2', severity: 'Info', action: 'other tenant' },
      ]);
      const page = await client.getAudits({ tenantId: 't-1', offset: 0, count: 10, sortBy: 'action', sortDirection: 'ASC' });
      expect(page.total).toBe(2);
      expect(page.data?.map((audit) => audit.action)).toEqual(['first', 'second']);
      expect(page.data?.[0]).toMatchObject({ tenantId: 't-1', user: 'jane', frontegg_id: expect.any(String), createdAt: expect.any(String) });
      expect((await client.getAudits({ tenantId: 't-1', offset: 1, count: 1, sortBy: 'action', sortDirection: 'ASC' })).data?.map((a) => a.action)).toEqual(['second']);
      expect((await client.getAudits({ tenantId: 't-1', offset: 0, count: 10, filters: { severity: 'High' } })).total).toBe(1);
      expect(await client.getAuditsStats({ tenantId: 't-1' })).toEqual({ totalToday: 2, severeThisWeek: 1 });
      expect(await client.getAuditsMetadata()).toEqual({ entityName: 'audits' });
      await client.setAuditsMetadata({ properties: [{ name: 'user', displayName: 'User' }] });
      expect(await client.getAuditsMetadata()).toEqual({ entityName: 'audits', properties: [{ name: 'user', displayName: 'User' }] });
    } finally {
      await server.close();
    }
  });
});
