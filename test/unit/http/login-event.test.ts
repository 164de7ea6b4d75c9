import type { RequestListener } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditEventSchema,
  AuditsClient,
  LOGIN_ACTIONS,
  ValidationError,
  loginEvent,
  type AuditActor,
  type AuditEvent,
  type ClientOptions,
  type LoginEventInput,
} from '../../../src/index.js';
import { createReferenceServer, type EventFormat, type ReferenceServer } from '../../../src/testing.js';
import { fetchFrom, listen, type RequestOptions } from './helpers.js';

const jane = { id: 'user-42', name: 'Jane Smith', email: 'jane@acme.example' };
const acme = { id: 'acme', name: 'Acme Corp' };

/** The cases the Retraced guide names as tricky, each with and without a tenant, and the event each must give. */
const CASES: ReadonlyArray<{ name: string; input: LoginEventInput; expected: AuditEvent }> = [
  {
    name: 'success with a tenant',
    input: { outcome: 'success', user: jane, tenant: acme },
    expected: { action: 'user.login', crud: 'c', outcome: 'success', actor: jane, tenant: acme },
  },
  {
    name: 'success without a tenant',
    input: { outcome: 'success', user: { id: 'user-7' } },
    expected: { action: 'user.login', crud: 'c', outcome: 'success', actor: { id: 'user-7' } },
  },
  {
    name: 'failure of a known user with a tenant',
    input: { outcome: 'failure', user: jane, tenant: acme, reason: 'bad_password' },
    expected: { action: 'user.login.failed', crud: 'c', outcome: 'failure', actor: jane, tenant: acme, fields: { reason: 'bad_password' } },
  },
  {
    name: 'failure of a known user without a tenant',
    input: { outcome: 'failure', user: { id: 'user-7', email: 'x@example.com' } },
    expected: { action: 'user.login.failed', crud: 'c', outcome: 'failure', actor: { id: 'user-7', email: 'x@example.com' } },
  },
  {
    name: 'failure of an unknown user with a tenant',
    input: { outcome: 'failure', tenant: { id: 'acme' }, reason: 'unknown_user' },
    expected: { action: 'user.login.failed', crud: 'c', outcome: 'failure', anonymous: true, tenant: { id: 'acme' }, fields: { reason: 'unknown_user' } },
  },
  {
    name: 'failure of an unknown user without a tenant, with the opt-in attempted username',
    input: { outcome: 'failure', reason: 'unknown_user', attemptedUsername: 'someone@example.com' },
    expected: {
      action: 'user.login.failed',
      crud: 'c',
      outcome: 'failure',
      anonymous: true,
      fields: { reason: 'unknown_user', attemptedUsername: 'someone@example.com' },
    },
  },
];

describe('loginEvent', () => {
  it.each(CASES)('builds $name', ({ input, expected }) => {
    const event = loginEvent(input);
    expect(event).toEqual(expected);
    expect(AuditEventSchema.safeParse(event).success).toBe(true);
  });

  it.each(CASES.filter(({ input }) => input.user === undefined))('never invents an actor: $name', ({ input }) => {
    const event = loginEvent(input);
    expect(Object.hasOwn(event, 'actor')).toBe(false);
    expect(event.anonymous).toBe(true);
  });

  it('names the outcome in the action too, since AuditLog.co drops outcome', () => {
    expect(LOGIN_ACTIONS).toEqual({ success: 'user.login', failure: 'user.login.failed' });
    expect(LOGIN_ACTIONS.failure.length).toBeLessThanOrEqual(40); // AuditLog.co's action limit
  });

  it('copies only id, name and email of a user record, so a password hash cannot slip into the log', () => {
    const record = { ...jane, passwordHash: '$argon2id$v=19$...', mfaSecret: 'JBSWY3DP' } as AuditActor;
    const tenant = { ...acme, billingToken: 'tok_123' } as { id: string; name: string };
    const event = loginEvent({ outcome: 'success', user: record, tenant });
    expect(event.actor).toEqual(jane);
    expect(event.tenant).toEqual(acme);
    expect(JSON.stringify(event)).not.toMatch(/argon2|JBSWY3DP|tok_123/);
  });

  it('records no attempted username unless it is passed, and no empty fields', () => {
    const event = loginEvent({ outcome: 'failure', reason: '', attemptedUsername: '' });
    expect(event).toEqual({ action: 'user.login.failed', crud: 'c', outcome: 'failure', anonymous: true });
  });

  it('refuses, for JavaScript callers, a success without a user and an unknown outcome', () => {
    expect(() => loginEvent({ outcome: 'success' } as LoginEventInput)).toThrow(ValidationError);
    expect(() => loginEvent({ outcome: 'success' } as LoginEventInput)).toThrow(/user: required when outcome is success/);
    expect(() => loginEvent({ outcome: 'maybe' } as unknown as LoginEventInput)).toThrow(/outcome: must be 'success' or 'failure'/);
  });

  describe('with the request', () => {
    async function eventFor(build: (req: Parameters<RequestListener>[0]) => AuditEvent, request: RequestOptions): Promise<AuditEvent> {
      const server = await listen((req, res) => res.end(JSON.stringify(build(req))));
      try {
        return JSON.parse((await fetchFrom(server.url, request)).body) as AuditEvent;
      } finally {
        await server.close();
      }
    }

    it('adds ip, user agent and the url without its query (login queries carry codes and tokens)', async () => {
      const event = await eventFor((req) => loginEvent({ outcome: 'success', user: jane, req }), {
        path: '/oauth/callback?code=SECRET&state=abc',
        headers: { 'user-agent': 'Mozilla/5.0', 'x-forwarded-for': '6.6.6.6' },
      });
      expect(event).toMatchObject({ ip: '127.0.0.1', userAgent: 'Mozilla/5.0', url: '/oauth/callback' });
      expect(JSON.stringify(event)).not.toContain('SECRET');
    });

    it('keeps the query with includeQuery: true and follows trustProxy', async () => {
      const event = await eventFor((req) => loginEvent({ outcome: 'failure', req, includeQuery: true, trustProxy: 'loopback' }), {
        path: '/login?next=%2Fbilling',
        headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' },
      });
      expect(event).toMatchObject({ ip: '203.0.113.9', url: '/login?next=%2Fbilling', anonymous: true });
    });
  });
});

describe('loginEvent through each adapter to the reference server', () => {
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await createReferenceServer();
  });
  afterAll(async () => {
    await server.close();
  });

  const adapters: ReadonlyArray<[EventFormat, () => ClientOptions]> = [
    ['auditlog', () => ({ adapter: 'auditlog', endpoint: server.url, apiKey: 'consumer:secret' })],
    ['retraced', () => ({ adapter: 'retraced', endpoint: server.url, apiKey: 'retraced-token', projectId: 'project-1' })],
    ['logzab', () => ({ adapter: 'logzab', endpoint: server.url, apiKey: 'logzab-key' })],
    ['frontegg', () => ({ adapter: 'frontegg', endpoint: server.url, clientId: 'dev-client', apiKey: 'dev-secret' })],
  ];

  it.each(adapters)('%s stores every case with a verified hash (Frontegg: each case with a tenant; without one it refuses at $.tenant)', async (format, options) => {
    const client = new AuditsClient({ ...options(), flushIntervalMs: 0, verify: 'require', server: { id: 'test', version: '1' } });
    client.on('error', () => {}); // the refusals are asserted below
    try {
      for (const { name, input } of CASES) {
        const event = loginEvent(input);
        const sending = client.sendAudit({ ...event, ip: '203.0.113.9' });
        if (format === 'frontegg' && event.tenant === undefined) {
          const error = await sending.then(() => undefined, (reason: unknown) => reason);
          expect(error, name).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).issues.map((issue) => issue.path), name).toContain('$.tenant');
          continue;
        }
        const receipt = await sending;
        expect(receipt.verified, name).toBe(true);
        const stored = server.events.find((entry) => entry.format === format && entry.eventId === receipt.id);
        expect(stored, name).toBeDefined();
        if (format === 'retraced') {
          // The case Retraced's guide warns about: an unknown user is anonymous, with no actor at all.
          expect(stored?.body, name).toMatchObject({ is_anonymous: event.anonymous === true, is_failure: event.outcome === 'failure', crud: 'c' });
          if (event.anonymous === true) expect(Object.hasOwn(stored?.body as object, 'actor'), name).toBe(false);
        }
      }
    } finally {
      await client.close();
    }
  });
});
