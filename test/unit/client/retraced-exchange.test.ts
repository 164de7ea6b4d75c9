import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HashMismatchError, ValidationError, type AuditEvent, type ClientOptions } from '../../../src/index.js';
import { blockNetwork, newClient, rejectionOf, resetNock } from '../../helpers/client.js';
import { MockRoute, type RouteResponder } from '../../helpers/mock-route.js';
import { retracedOracle } from '../../helpers/retraced-oracle.js';
import { captureWarnings } from '../../helpers/warnings.js';

// Failures here are on purpose and heard by no listener: their process warnings are captured, not printed.
captureWarnings();

// Retraced publisher API: shared/reference/wire/README.md section 2; mapping spec/EVENT.md section 6.

const BASE = 'http://127.0.0.1:3000/auditlog';
const TOKEN = 'retraced-token-5e2b';
const PROJECT = 'proj-1';
const PATH = `/auditlog/publisher/v1/project/${PROJECT}/event`;

let single: MockRoute;
let bulk: MockRoute;
let nextId = 0;

beforeEach(() => {
  blockNetwork();
  nextId = 0;
  single = new MockRoute('http://127.0.0.1:3000', PATH);
  bulk = new MockRoute('http://127.0.0.1:3000', `${PATH}/bulk`);
});

afterEach(resetNock);

function retracedClient(options: ClientOptions = {}) {
  return newClient({ adapter: 'retraced', endpoint: BASE, apiKey: TOKEN, projectId: PROJECT, ...options });
}

/** A server id as Retraced makes them (32 lowercase hex) and the vendor's own hash of the event with it. */
function stored(event: unknown): { id: string; hash: string } {
  const id = (++nextId).toString(16).padStart(32, '0');
  const oracle = retracedOracle(event, id);
  if (!oracle.ok) throw new Error('the oracle refused an event the client sent');
  return { id, hash: oracle.hash };
}

const acceptBulk: RouteResponder = (request) => [201, (request.json as { events: unknown[] }).events.map(stored)];
const acceptSingle: RouteResponder = (request) => [201, stored(request.json)];

const event = (i: number): AuditEvent => ({ id: `evt-${i}`, action: 'user.login', crud: 'c', actor: { id: `u-${i}` }, tenant: { id: 'acme' } });

describe('bulk requests', () => {
  it('splits 120 events into bulk requests of at most 50, wrapped in {"events": [...]}, with the token header', async () => {
    bulk.always(acceptBulk);
    const client = retracedClient({ maxBatchSize: 500, flushIntervalMs: 50 });
    const receipts = await Promise.all(Array.from({ length: 120 }, (_, i) => client.sendAudit(event(i))));

    const sizes = bulk.bodies.map((body) => (body as { events: unknown[] }).events.length);
    expect(sizes).toEqual([50, 50, 20]);
    expect(single.requests).toHaveLength(0);
    const [request] = bulk.requests;
    expect(request?.headers.authorization).toBe(`Token token=${TOKEN}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(Object.keys(request?.json as object)).toEqual(['events']);
    // Each event verified against the vendor's formula with the id the server assigned.
    expect(receipts.every((receipt) => receipt.verified && receipt.serverId?.length === 32)).toBe(true);
    expect(receipts.map((receipt) => receipt.id)).toEqual(Array.from({ length: 120 }, (_, i) => `evt-${i}`));
  });

  it('sends a batch of one to the single endpoint, body = the event', async () => {
    single.reply(acceptSingle);
    const receipt = await retracedClient().sendAudit(event(1));
    expect(single.requests).toHaveLength(1);
    expect((single.requests[0]?.json as { external_id: string }).external_id).toBe('evt-1');
    expect(receipt).toMatchObject({ verified: true, adapter: 'retraced', attempts: 1 });
  });
});

describe('an invalid event never costs the valid events of its batch', () => {
  it('refuses an event Retraced would refuse at sendAudit, alone; its neighbours go out together', async () => {
    bulk.always(acceptBulk);
    const client = retracedClient({ flushIntervalMs: 20 });
    const sends = [
      client.sendAudit(event(0)),
      client.sendAudit({ action: 'user.login', actor: { id: 'u' } }), // no crud
      client.sendAudit({ ...event(2), fields: { '': 'empty key' } }),
      client.sendAudit(event(3)),
    ];
    const results = await Promise.allSettled(sends);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(((results[1] as PromiseRejectedResult).reason as ValidationError).issues[0]?.path).toBe('$.crud');
    expect(bulk.bodies.map((body) => (body as { events: unknown[] }).events.length)).toEqual([3]);
  });

  it('when the server still refuses a bulk request with invalid[].index, fails only those events and resends the rest', async () => {
    bulk
      .reply(() => [
        400,
        {
          status: 400,
          type: 'Error',
          error: 'One or more invalid inputs, no events were logged',
          invalid: [{ message: 'Invalid actor', index: 1, violations: [{ field: 'actor.id', message: 'unknown actor' }] }],
        },
      ])
      .reply(acceptBulk);
    const client = retracedClient({ flushIntervalMs: 20 });
    const results = await Promise.allSettled([0, 1, 2].map((i) => client.sendAudit(event(i))));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const reason = (results[1] as PromiseRejectedResult).reason as ValidationError;
    expect(reason).toBeInstanceOf(ValidationError);
    expect(reason.message).toContain('unknown actor');
    const sent = bulk.bodies.map((body) => (body as { events: Array<{ external_id: string }> }).events.map((e) => e.external_id));
    expect(sent).toEqual([
      ['evt-0', 'evt-1', 'evt-2'],
      ['evt-0', 'evt-2'],
    ]);
  });
});

describe('verification', () => {
  it('reports a hash that does not match the formula over the event and the server id', async () => {
    single.reply((request) => [201, { ...stored(request.json), hash: 'f'.repeat(64) }]);
    const error = await rejectionOf(retracedClient().sendAudit(event(1)));
    expect(error).toBeInstanceOf(HashMismatchError);
    expect((error as HashMismatchError).remote).toBe('f'.repeat(64));
  });
});
