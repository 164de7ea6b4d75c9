import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditsClient, type ClientOptions } from '../../../src/index.js';
import { blockNetwork, resetNock, SERVER } from '../../helpers/client.js';
import { MockRoute } from '../../helpers/mock-route.js';
import { tempDir } from './spool-helpers.js';
import { captureWarnings } from '../../helpers/warnings.js';

// Failures here are on purpose and heard by no listener: their process warnings are captured, not printed.
captureWarnings();

// Frontegg's drop-in takes its credentials from init(clientId, apiKey), after construction: events recovered from a
// spool must wait for it, or they would all fail at once for want of a token.

const GATEWAY = 'https://api.frontegg.com';
const opened: AuditsClient[] = [];

beforeEach(() => blockNetwork());
afterEach(async () => {
  await Promise.all(opened.splice(0).map((client) => client.destroy()));
  await resetNock();
});

function fronteggClient(dir: string, options: ClientOptions = {}): AuditsClient {
  const client = new AuditsClient({ adapter: 'frontegg', endpoint: GATEWAY, server: SERVER, flushIntervalMs: 0, spool: { dir, commitIntervalMs: 0 }, ...options });
  opened.push(client);
  return client;
}

describe('replaying a Frontegg spool', () => {
  it('waits for init() when the client has no credentials of its own, then sends the recovered events', async () => {
    const dir = tempDir();
    const first = fronteggClient(dir, { clientId: 'client-1', apiKey: 'secret', flushIntervalMs: 60_000 });
    const persisted = new Promise<readonly string[]>((resolve) => first.once('persisted', resolve));
    void first.sendAudit({ tenantId: 'tenant-1', user: 'jane@example.com', action: 'Updated plan', severity: 'Info' });
    const [id] = await persisted;
    await first.destroy();

    const auth = new MockRoute(GATEWAY, '/auth/vendor').reply(() => [200, { token: 'token-1', expiresIn: 3600 }]);
    const audits = new MockRoute(GATEWAY, '/audits/').always(() => [202, '']);
    const next = fronteggClient(dir);
    const recovered: string[][] = [];
    next.on('recovered', (ids) => recovered.push([...ids]));
    await new Promise((resolve) => setImmediate(resolve));
    expect({ recovered, stats: next.stats().recovered, sent: audits.bodies.length }).toEqual({ recovered: [], stats: 0, sent: 0 });

    const delivered = new Promise<string>((resolve) => next.once('delivered', (receipt) => resolve(receipt.id)));
    await next.init('client-1', 'secret');
    expect(await delivered).toBe(id);
    expect(recovered).toEqual([[id]]);
    expect(auth.bodies).toHaveLength(1);
    // The replayed event is sent exactly as the first client would have: same body, same tenant header.
    expect(audits.requests).toHaveLength(1);
    expect(audits.requests[0]?.headers['frontegg-tenant-id']).toBe('tenant-1');
    expect(audits.bodies[0]).toMatchObject({ tenantId: 'tenant-1', action: 'Updated plan' });
  });

  // A failed token exchange says nothing about the events: they were never sent, so they stay for the next start.
  it.each([
    ['a 200 with an HTML page instead of a token', [200, '<html><body>Sign in</body></html>', { 'content-type': 'text/html' }]],
    ['a 404', [404, 'Not Found']],
    ['a 400', [400, { message: 'bad request' }]],
  ] as const)('keeps events never sent when the token exchange fails for good with %s, and the next start delivers them', async (_case, reply) => {
    const dir = tempDir();
    const auth = new MockRoute(GATEWAY, '/auth/vendor').always(() => reply);
    const first = fronteggClient(dir, { clientId: 'client-1', apiKey: 'secret', retry: { maxRetries: 0 } });
    const failure = first.sendAudit({ tenantId: 'tenant-1', user: 'jane@example.com', action: 'Updated plan', severity: 'Info' });
    await expect(failure).rejects.toThrow(/frontegg/);
    await first.close();
    expect(auth.requests.length).toBeGreaterThan(0);
    await resetNock();

    new MockRoute(GATEWAY, '/auth/vendor').always(() => [200, { token: 'token-1', expiresIn: 3600 }]);
    const audits = new MockRoute(GATEWAY, '/audits/').always(() => [202, '']);
    const next = fronteggClient(dir, { clientId: 'client-1', apiKey: 'secret' });
    await next.flush();
    expect(next.stats()).toMatchObject({ recovered: 1, delivered: 1 });
    expect(audits.bodies).toEqual([expect.objectContaining({ tenantId: 'tenant-1', action: 'Updated plan' })]);
  });
});
