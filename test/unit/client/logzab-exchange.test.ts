import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthenticationError, canonicalJson, ValidationError, type ClientOptions } from '../../../src/index.js';
import { blockNetwork, deferred, hashOfElement, newClient, rejectionOf, resetNock } from '../../helpers/client.js';
import { MockRoute, type RouteResponder } from '../../helpers/mock-route.js';
import { captureWarnings } from '../../helpers/warnings.js';

// Failures here are on purpose and heard by no listener: their process warnings are captured, not printed.
captureWarnings();

// LogZab addTrail: shared/reference/wire/README.md section 3; mapping spec/EVENT.md section 7.

const ENDPOINT = 'https://api.logzab.com';
const KEY = 'lz-key-31d9';
let trail: MockRoute;

beforeEach(() => {
  blockNetwork();
  trail = new MockRoute(ENDPOINT, '/v1/addTrail');
});

afterEach(async () => {
  vi.useRealTimers();
  await resetNock();
});

function logzabClient(options: ClientOptions = {}) {
  return newClient({ adapter: 'logzab', endpoint: ENDPOINT, apiKey: KEY, ...options });
}

/** The body minus apiKey, which is what LogZab hashes (spec/EVENT.md section 9). */
function withoutKey(body: unknown): Record<string, unknown> {
  const { apiKey: _key, ...rest } = body as Record<string, unknown>;
  return rest;
}

const ok: RouteResponder = (request) => [200, { id: `lz-${trail.requests.length}`, hash: hashOfElement(withoutKey(request.json)) }];

describe('the addTrail request', () => {
  it("maps the spec's example exactly, with the API key in the body and nowhere else", async () => {
    trail.reply(ok);
    const receipt = await logzabClient().sendAudit({
      id: 'evt-1',
      action: 'update',
      time: '2026-01-02T03:04:05.678Z',
      actor: { id: 'u-42', name: 'Jane' },
      tenant: { id: 'acme' },
      target: { id: 'inv-42', name: 'invoice #42' },
      url: '/invoices/42',
      tags: ['billing'],
    });
    const [request] = trail.requests;
    expect(request?.url).toBe(`${ENDPOINT}/v1/addTrail`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.json).toEqual({
      apiKey: KEY,
      actor: { unique_id: 'u-42', name: 'Jane', group: 'acme' },
      object: 'invoice #42',
      action: 'update',
      path: '/invoices/42',
      tag: 'billing',
      desc: '{"actor":{"id":"u-42","name":"Jane"},"id":"evt-1","outcome":"success","severity":"Info","target":{"id":"inv-42","name":"invoice #42"},"tenant":{"id":"acme"},"time":"2026-01-02T03:04:05.678Z"}',
    });
    expect(receipt).toMatchObject({ id: 'evt-1', adapter: 'logzab', serverId: 'lz-1', verified: true });
    expect(receipt.hash).toBe(hashOfElement(withoutKey(request?.json)));
  });

  it('puts the request context in actor, uses sentinels without actor or target, and keeps the rest in desc', async () => {
    trail.reply(ok);
    await logzabClient().sendAudit({
      id: 'e2',
      action: 'login_failed',
      time: '2026-01-02T03:04:05.678Z',
      ip: '::ffff:10.0.0.7',
      device: 'phone',
      location: 'Lisbon',
      timezone: 'Europe/Lisbon',
      userAgent: 'UA',
      outcome: 'failure',
      fields: { attempt: '3' },
    });
    const body = trail.requests[0]?.json as Record<string, unknown>;
    expect(body.actor).toEqual({ unique_id: 'anonymous', name: 'Anonymous', ip: '10.0.0.7', device: 'phone', location: 'Lisbon' });
    expect(body.object).toBe('none');
    expect(body.timezone).toBe('Europe/Lisbon');
    expect(JSON.parse(body.desc as string)).toEqual({
      id: 'e2',
      time: '2026-01-02T03:04:05.678Z',
      outcome: 'failure',
      severity: 'Info',
      userAgent: 'UA',
      fields: { attempt: '3' },
    });
    expect(body.desc).toBe(canonicalJson(JSON.parse(body.desc as string)));
  });

  it('names the actor by email, then id, when it has no name', async () => {
    trail.always(ok);
    const client = logzabClient();
    await client.sendAudit({ action: 'a', actor: { id: 'u-1', email: 'u1@example.com' } });
    await client.sendAudit({ action: 'a', actor: { id: 'u-2' } });
    expect(trail.bodies.map((body) => (body as { actor: unknown }).actor)).toEqual([
      { unique_id: 'u-1', name: 'u1@example.com' },
      { unique_id: 'u-2', name: 'u-2' },
    ]);
  });

  it("passes a native trail through unchanged and refuses one that carries its own apiKey", async () => {
    trail.reply(ok);
    const client = logzabClient();
    const native = { actor: { unique_id: 'u-9', name: 'Ann' }, object: 'settings', action: 'edit', desc: 'changed theme' };
    await client.sendAudit(native);
    expect(withoutKey(trail.requests[0]?.json)).toEqual(native);
    // @ts-expect-error the key is the client's: no accepted shape declares it
    const error = await rejectionOf(client.sendAudit({ ...native, apiKey: 'other' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toBe('$.apiKey');
    expect(trail.requests).toHaveLength(1);
  });

  it('refuses a tag containing a comma (the tag slot is a comma-separated list)', async () => {
    const error = await rejectionOf(logzabClient().sendAudit({ action: 'a', tags: ['ok', 'x,y'] }));
    expect((error as ValidationError).issues).toEqual([expect.objectContaining({ path: '$.tags[1]' })]);
  });
});

describe('one event per request, with bounded concurrency', () => {
  it('sends 30 events as 30 requests and never has more than maxConcurrentRequests in flight', async () => {
    const gate = deferred();
    const full = deferred();
    let inFlight = 0;
    let peak = 0;
    trail.always(async (request) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      if (inFlight === 3) full.release();
      await gate.promise;
      inFlight--;
      return ok(request);
    });
    const client = logzabClient({ maxConcurrentRequests: 3 });
    const sends = Array.from({ length: 30 }, (_, i) => client.sendAudit({ id: `e-${i}`, action: 'a' }));
    await full.promise;
    expect(inFlight).toBe(3);
    gate.release();
    await Promise.all(sends);
    expect(trail.requests).toHaveLength(30);
    expect(peak).toBe(3);
  });
});

describe('responses (undocumented by the vendor: any 2xx is acceptance)', () => {
  it('accepts an empty 201 and reports the event unverified', async () => {
    trail.reply(() => [201, '']);
    const receipt = await logzabClient().sendAudit({ action: 'a' });
    expect(receipt.verified).toBe(false);
    expect(receipt.serverHash).toBeUndefined();
  });

  it('retries a 503 and fails a 401 with AuthenticationError without retrying', async () => {
    trail.reply(() => [503, '']).reply(ok);
    const client = logzabClient();
    expect((await client.sendAudit({ action: 'a' })).attempts).toBe(2);
    trail.reply(() => [401, { error: 'invalid apiKey' }]);
    const error = await rejectionOf(client.sendAudit({ action: 'b' }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).not.toContain(KEY);
    expect(trail.requests).toHaveLength(3);
  });
});
