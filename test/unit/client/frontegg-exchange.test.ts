import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditsClient, AuthenticationError, HashMismatchError, ValidationError, type AuditsError, type AuditInput, type ClientOptions, type FronteggAudit } from '../../../src/index.js';
import { blockNetwork, deferred, hashOfElement, newClient, rejectionOf, resetNock, SERVER, useFakeTimers } from '../../helpers/client.js';
import { MockRoute, type RouteResponder } from '../../helpers/mock-route.js';
import { captureWarnings } from '../../helpers/warnings.js';

// Failures here are on purpose and heard by no listener: their process warnings are captured, not printed.
captureWarnings();

// Frontegg: shared/reference/wire/README.md section 4; mapping spec/EVENT.md section 8.

const GATEWAY = 'https://api.frontegg.com';
const CLIENT_ID = 'client-7f3a';
const API_KEY = 'frontegg-secret-9c1e';

let auth: MockRoute;
let audits: MockRoute;
let issued = 0;

/** 200 {token, expiresIn}, each token distinct (`token-1`, `token-2`...). */
function issueToken(expiresIn = 3600): RouteResponder {
  return () => [200, { token: `token-${++issued}`, expiresIn }];
}

const accepted: RouteResponder = () => [202, ''];

beforeEach(() => {
  blockNetwork();
  issued = 0;
  auth = new MockRoute(GATEWAY, '/auth/vendor');
  audits = new MockRoute(GATEWAY, '/audits/');
  // A developer's shell must not leak into what "no options" means.
  for (const name of ['AUDITWIRE_ADAPTER', 'AUDITWIRE_ENDPOINT', 'AUDITWIRE_API_KEY', 'FRONTEGG_CLIENT_ID', 'FRONTEGG_API_KEY', 'FRONTEGG_API_GATEWAY_URL']) {
    vi.stubEnv(name, '');
  }
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((client) => client.destroy()));
  vi.useRealTimers();
  vi.unstubAllEnvs();
  await resetNock();
});

const opened: AuditsClient[] = [];

/** A Frontegg client on the mocked gateway, with no batching delay or backoff wait. */
function fronteggClient(options: ClientOptions = {}): AuditsClient {
  const client = new AuditsClient({
    adapter: 'frontegg',
    endpoint: GATEWAY,
    server: SERVER,
    flushIntervalMs: 0,
    requestTimeoutMs: 2_000,
    ...options,
    retry: { initialDelayMs: 0, maxDelayMs: 0, ...options.retry },
  });
  opened.push(client);
  return client;
}

const flatAudit: FronteggAudit = { tenantId: 'tenant-1', user: 'jane@example.com', resource: 'Billing', action: 'Updated plan', severity: 'Info', ip: '203.0.113.9' };

describe("Frontegg's own calls work unchanged", () => {
  it('new AuditsClient() + init() + a flat sendAudit: one token exchange, then the audit with token and tenant headers', async () => {
    auth.reply(issueToken());
    audits.reply(accepted);
    const client = new AuditsClient();
    try {
      await client.init(CLIENT_ID, API_KEY);
      const receipt = await client.sendAudit(flatAudit);

      expect(client.adapter).toBe('frontegg');
      expect(auth.requests).toHaveLength(1);
      expect(auth.requests[0]?.url).toBe(`${GATEWAY}/auth/vendor`);
      expect(auth.requests[0]?.json).toEqual({ clientId: CLIENT_ID, secret: API_KEY });
      const [request] = audits.requests;
      expect(request?.url).toBe(`${GATEWAY}/audits/`);
      expect(request?.headers['x-access-token']).toBe('token-1');
      expect(request?.headers['frontegg-tenant-id']).toBe('tenant-1');
      expect(request?.headers['content-type']).toBe('application/json');
      // A native Frontegg object passes through unchanged (spec/EVENT.md 4.4).
      expect(request?.json).toEqual(flatAudit);
      expect(receipt).toMatchObject({ adapter: 'frontegg', hash: hashOfElement(flatAudit), verified: false, attempts: 1 });
    } finally {
      await client.destroy();
    }
  });

  it('takes clientId and apiKey as options (or FRONTEGG_CLIENT_ID / FRONTEGG_API_KEY) and exchanges them at the first send', async () => {
    vi.stubEnv('FRONTEGG_CLIENT_ID', CLIENT_ID);
    vi.stubEnv('FRONTEGG_API_KEY', API_KEY);
    auth.reply(issueToken());
    audits.reply(accepted);
    const client = fronteggClient();
    await client.sendAudit(flatAudit);
    expect(auth.requests.map((request) => request.json)).toEqual([{ clientId: CLIENT_ID, secret: API_KEY }]);
    expect(audits.requests[0]?.headers['x-access-token']).toBe('token-1');
  });
});

describe('the token is fetched once and shared', () => {
  it('200 concurrent sendAudit calls right after an awaited init() cause exactly one /auth/vendor request', async () => {
    auth.always(issueToken());
    audits.always(accepted);
    const client = fronteggClient();
    await client.init(CLIENT_ID, API_KEY);
    const receipts = await Promise.all(Array.from({ length: 200 }, (_, i) => client.sendAudit({ ...flatAudit, n: String(i) })));
    expect(receipts).toHaveLength(200);
    expect(auth.requests).toHaveLength(1);
    expect(audits.requests).toHaveLength(200);
    expect(new Set(audits.requests.map((request) => request.headers['x-access-token']))).toEqual(new Set(['token-1']));
  });

  it('200 concurrent sendAudit calls while init() is still in flight wait for that same exchange', async () => {
    const gate = deferred();
    auth.always(async (request) => {
      await gate.promise;
      return issueToken()(request);
    });
    audits.always(accepted);
    const client = fronteggClient();
    const init = client.init(CLIENT_ID, API_KEY);
    const sends = Array.from({ length: 200 }, (_, i) => client.sendAudit({ ...flatAudit, n: String(i) }));
    // The exchange is held at the gateway and batches are in flight, waiting on it, before it answers.
    await vi.waitFor(() => {
      expect(auth.requests).toHaveLength(1);
      expect(client.stats().inFlight).toBeGreaterThan(0);
    });
    gate.release();
    await init;
    await Promise.all(sends);
    expect(auth.requests).toHaveLength(1);
    expect(audits.requests).toHaveLength(200);
  });
});

describe('renewal', () => {
  it('renews an expired token once, however many sends need it', async () => {
    useFakeTimers();
    auth.always(issueToken(60));
    audits.always(accepted);
    const client = fronteggClient();
    await client.init(CLIENT_ID, API_KEY);
    await client.sendAudit(flatAudit);
    vi.advanceTimersByTime(61_000);
    await Promise.all(Array.from({ length: 50 }, () => client.sendAudit(flatAudit)));
    expect(auth.requests).toHaveLength(2);
    expect(audits.requests[0]?.headers['x-access-token']).toBe('token-1');
    expect(new Set(audits.requests.slice(1).map((request) => request.headers['x-access-token']))).toEqual(new Set(['token-2']));
  });

  it('renews at 80% of expiresIn, before expiry and without waiting for a send, then sends with the new token', async () => {
    useFakeTimers();
    const renewed = deferred();
    const askedAt: number[] = [];
    auth.always((request) => {
      askedAt.push(Date.now()); // the faked clock
      if (askedAt.length === 2) renewed.release();
      return issueToken(100)(request);
    });
    audits.always(accepted);
    const client = fronteggClient();
    await client.init(CLIENT_ID, API_KEY);
    vi.advanceTimersByTime(79_000);
    await client.sendAudit(flatAudit);
    expect(askedAt).toHaveLength(1);
    vi.advanceTimersByTime(1_000); // 80 s of 100: the renewal timer fires, no send needed
    await renewed.promise;
    expect((askedAt[1] as number) - (askedAt[0] as number)).toBe(80_000);
    vi.advanceTimersByTime(16_000); // past the first token's end
    await client.sendAudit(flatAudit);
    expect(askedAt).toHaveLength(2);
    expect(audits.requests.map((request) => request.headers['x-access-token'])).toEqual(['token-1', 'token-2']);
  });

  it('renews nothing once the client is closed (the timer is cleared, and never held the process)', async () => {
    useFakeTimers();
    auth.always(issueToken(100));
    const client = fronteggClient();
    await client.init(CLIENT_ID, API_KEY);
    await client.close();
    // No timer is left to fire: the renewal was cleared by close().
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(200_000);
    expect(auth.requests).toHaveLength(1);
  });

  it('after a 401, fetches a new token once and resends with it', async () => {
    auth.always(issueToken());
    audits.reply(() => [401, { error: 'Unauthorized' }]).reply(accepted);
    const client = fronteggClient();
    await client.init(CLIENT_ID, API_KEY);
    const receipt = await client.sendAudit(flatAudit);
    expect(receipt.attempts).toBe(2);
    expect(auth.requests).toHaveLength(2);
    expect(audits.requests.map((request) => request.headers['x-access-token'])).toEqual(['token-1', 'token-2']);
  });

  it('when many sends are refused with the same token at once, only one new token is fetched (the refresh race)', async () => {
    auth.always(issueToken());
    const client = fronteggClient({ maxConcurrentRequests: 8 });
    await client.init(CLIENT_ID, API_KEY);
    audits.always((request) => (request.headers['x-access-token'] === 'token-1' ? [401, ''] : [202, '']));
    const receipts = await Promise.all(Array.from({ length: 40 }, () => client.sendAudit(flatAudit)));
    expect(receipts.every((receipt) => receipt.attempts <= 2)).toBe(true);
    expect(auth.requests).toHaveLength(2);
  });

  it('fails with AuthenticationError, without a loop, when the new token is refused too', async () => {
    auth.always(issueToken());
    audits.always(() => [401, '']);
    const client = fronteggClient();
    await client.init(CLIENT_ID, API_KEY);
    const error = await rejectionOf(client.sendAudit(flatAudit));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(auth.requests).toHaveLength(2);
    expect(audits.requests).toHaveLength(2);
  });

  it('retries a token exchange that failed with a 503', async () => {
    auth.reply(() => [503, '']).reply(issueToken());
    audits.reply(accepted);
    const client = fronteggClient({ clientId: CLIENT_ID, apiKey: API_KEY });
    const receipt = await client.sendAudit(flatAudit);
    expect(receipt.attempts).toBe(2);
    expect(auth.requests).toHaveLength(2);
  });
});

describe('init() failures', () => {
  it('rejects with AuthenticationError on refused credentials, reports it, and never shows the secret', async () => {
    auth.reply(() => [401, { message: 'bad credentials' }]);
    const reported: AuditsError[] = [];
    const client = fronteggClient({ onError: (error) => reported.push(error) });
    const error = await rejectionOf(client.init(CLIENT_ID, API_KEY));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(reported).toEqual([error]);
    expect(String((error as Error).message)).not.toContain(API_KEY);
  });

  it('rejects empty credentials without a request', async () => {
    const client = fronteggClient();
    const error = await rejectionOf(client.init('', ' '));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual(['init.clientId', 'init.apiKey']);
    expect(auth.requests).toHaveLength(0);
  });

  it('is refused by adapters that take credentials as options', async () => {
    const client = newClient();
    const error = await rejectionOf(client.init(CLIENT_ID, API_KEY));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain('init(clientId, apiKey) is for the frontegg adapter');
  });

  it('fails a send made with no credentials at all with AuthenticationError and no request', async () => {
    const client = fronteggClient();
    const error = await rejectionOf(client.sendAudit(flatAudit));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toContain('call init(clientId, apiKey) first');
    expect(auth.requests).toHaveLength(0);
  });

  it('refuses a clientId without its apiKey at construction', () => {
    expect(() => new AuditsClient({ adapter: 'frontegg', clientId: CLIENT_ID })).toThrow(/options\.apiKey: the frontegg adapter .*needs clientId and apiKey together/);
  });
});

describe('an audit without its tenant', () => {
  it("reports $.tenantId for Frontegg's flat audit, not the common model's $.tenant or its unknown keys", async () => {
    const client = fronteggClient({ clientId: CLIENT_ID, apiKey: API_KEY });
    const { tenantId: _tenant, ...withoutTenant } = flatAudit;
    const error = await rejectionOf(client.sendAudit(withoutTenant as AuditInput));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: '$.tenantId', message: expect.stringContaining('required by Frontegg') }]);
  });

  it('reports $.tenant for a common event, naming tenantId as the other way', async () => {
    const client = fronteggClient({ clientId: CLIENT_ID, apiKey: API_KEY });
    const error = await rejectionOf(client.sendAudit({ action: 'a', actor: { id: 'u' } }));
    expect((error as ValidationError).issues).toEqual([{ path: '$.tenant', message: expect.stringContaining("or tenantId, in Frontegg's own flat audit") }]);
  });
});

describe('the mapping of a common event (spec/EVENT.md section 8)', () => {
  async function sendCommon(event: Record<string, unknown>) {
    auth.reply(issueToken());
    audits.reply(accepted);
    const client = fronteggClient({ clientId: CLIENT_ID, apiKey: API_KEY, server: SERVER });
    const receipt = await client.sendAudit(event as AuditInput);
    return { receipt, request: audits.requests[0] };
  }

  it('maps every member, flattens custom fields and sends the tenant as a header', async () => {
    const { receipt, request } = await sendCommon({
      id: 'evt-1',
      action: 'invoice.update',
      time: '2026-01-02T03:04:05.678Z',
      tenant: { id: 'acme', name: 'Acme Inc.' },
      actor: { id: 'u-42', name: 'Jane', email: 'jane@example.com' },
      target: { id: 'inv-42', type: 'invoice', name: 'Invoice #42', url: 'https://app.example/inv/42' },
      outcome: 'failure',
      crud: 'u',
      severity: 'High',
      description: 'Changed the due date',
      url: '/invoices/42',
      ip: '203.0.113.9',
      userAgent: 'Mozilla/5.0',
      location: 'Berlin',
      device: 'laptop',
      timezone: 'Europe/Berlin',
      fields: { plan: 'pro', reason: 'customer request' },
      tags: ['billing', 'a,b'],
    });
    expect(request?.headers['frontegg-tenant-id']).toBe('acme');
    expect(request?.json).toEqual({
      tenantId: 'acme',
      user: 'jane@example.com',
      resource: 'Invoice #42',
      action: 'invoice.update',
      severity: 'High',
      ip: '203.0.113.9',
      auditwireId: 'evt-1',
      time: '2026-01-02T03:04:05.678Z',
      outcome: 'failure',
      crud: 'u',
      description: 'Changed the due date',
      url: '/invoices/42',
      userAgent: 'Mozilla/5.0',
      location: 'Berlin',
      device: 'laptop',
      timezone: 'Europe/Berlin',
      tags: ['billing', 'a,b'],
      tenantName: 'Acme Inc.',
      actorId: 'u-42',
      actorName: 'Jane',
      actorEmail: 'jane@example.com',
      targetId: 'inv-42',
      targetType: 'invoice',
      targetName: 'Invoice #42',
      targetUrl: 'https://app.example/inv/42',
      plan: 'pro',
      reason: 'customer request',
    });
    expect(receipt.id).toBe('evt-1');
    expect(receipt.hash).toBe(hashOfElement(request?.json));
  });

  it('marks an event without an actor anonymous and falls back from email to name to id', async () => {
    const { request } = await sendCommon({ id: 'e', action: 'login.failed', time: '2026-01-02T03:04:05.678Z', tenant: { id: 't' }, target: { id: 'acct-1' } });
    expect(request?.json).toEqual({
      tenantId: 't',
      resource: 'acct-1',
      targetId: 'acct-1',
      action: 'login.failed',
      severity: 'Info',
      auditwireId: 'e',
      time: '2026-01-02T03:04:05.678Z',
      outcome: 'success',
      anonymous: true,
    });
  });

  it('rejects, sending nothing: no tenant, a custom field named like a mapped key, a tenant id unfit for a header', () => {
    const client = fronteggClient({ clientId: CLIENT_ID, apiKey: API_KEY });
    const issues = async (event: Record<string, unknown>) => ((await rejectionOf(client.sendAudit(event as AuditInput))) as ValidationError).issues;
    return Promise.all([
      expect(issues({ action: 'a' })).resolves.toEqual([expect.objectContaining({ path: '$.tenant' })]),
      // In canonical key order: normalization sorts the custom fields.
      expect(issues({ action: 'a', tenant: { id: 't' }, fields: { user: 'x', ok: 'y', auditwireId: 'z' } })).resolves.toEqual([
        expect.objectContaining({ path: '$.fields.auditwireId' }),
        expect.objectContaining({ path: '$.fields.user' }),
      ]),
      expect(issues({ action: 'a', tenant: { id: 'tenant\u00e9' } })).resolves.toEqual([expect.objectContaining({ path: '$.tenant.id' })]),
      expect(issues({ tenantId: 'x', severity: 'Loud' })).resolves.toHaveLength(1),
    ]).then(() => expect(audits.requests).toHaveLength(0));
  });
});

describe('hash verification', () => {
  it('verifies the hash an auditwire-compatible server returns in its 202 body', async () => {
    auth.reply(issueToken());
    audits.reply((request) => [202, { hash: hashOfElement(request.json) }]);
    const client = fronteggClient({ clientId: CLIENT_ID, apiKey: API_KEY });
    const receipt = await client.sendAudit(flatAudit);
    expect(receipt.verified).toBe(true);
    expect(receipt.serverHash).toBe(receipt.hash);
  });

  it('reports a wrong hash as HashMismatchError', async () => {
    auth.reply(issueToken());
    audits.reply(() => [202, { hash: '0'.repeat(64) }]);
    const client = fronteggClient({ clientId: CLIENT_ID, apiKey: API_KEY });
    expect(await rejectionOf(client.sendAudit(flatAudit))).toBeInstanceOf(HashMismatchError);
  });
});
