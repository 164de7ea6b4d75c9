import { describe, expect, it } from 'vitest';
import { retracedOracle } from '../../helpers/retraced-oracle.js';
import { field, send, startServer, type Answer } from './http.js';

const AUTH = { authorization: 'Token token=proj-key' };
const EVENT = {
  action: 'user.login',
  crud: 'c',
  actor: { id: 'u-1', name: 'Jane', fields: { email: 'jane@example.com' } },
  group: { id: 'acme', name: 'Acme' },
  target: { id: 'doc-1', type: 'doc' },
  source_ip: '10.0.0.7',
  is_failure: false,
  is_anonymous: false,
  external_id: 'evt-1',
  created: '2026-01-02T03:04:05.678Z',
  fields: { plan: 'pro' },
  metadata: { severity: 'Info' },
};

async function post(url: string, body: unknown, bulk = false, headers: Record<string, string> = AUTH): Promise<Answer> {
  return send(`${url}/publisher/v1/project/proj-1/event${bulk ? '/bulk' : ''}`, { body, headers });
}

function oracleHash(event: unknown, id: string): string {
  const outcome = retracedOracle(event, id);
  if (!outcome.ok) throw new Error('the oracle refused the event');
  return outcome.hash;
}

describe('Retraced single event', () => {
  it('answers 201 {id, hash} with a 32-hex id and the hash the vendor package computes', async () => {
    const server = await startServer();
    const answer = await post(server.url, EVENT);
    expect(answer.status).toBe(201);
    expect(Object.keys(answer.json as object).sort()).toEqual(['hash', 'id']);
    const id = field<string>(answer.json, 'id');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(field(answer.json, 'hash')).toBe(oracleHash(EVENT, id));
    expect(server.events).toEqual([{ format: 'retraced', serverId: id, eventId: 'evt-1', body: EVENT, hash: oracleHash(EVENT, id), receivedAt: expect.any(String) }]);
  });

  it('uses the server id as event id when there is no external_id, and accepts an anonymous event without actor', async () => {
    const server = await startServer();
    const answer = await post(server.url, { action: 'a', crud: 'r', is_anonymous: true });
    expect(answer.status).toBe(201);
    expect(server.events[0]?.eventId).toBe(field(answer.json, 'id'));
  });

  it('joins the violations of an invalid event into one 400 error, with the request id header', async () => {
    const server = await startServer();
    const answer = await post(server.url, { action: 'a', crud: 'x' });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({
      status: 400,
      type: 'Error',
      error: "Invalid value for 'crud' field: x\n--Event is not marked anonymous, and missing required field 'actor'",
    });
    expect(answer.headers.get('x-retraced-requestid')).toMatch(/^[0-9a-f]{32}$/);
    expect(server.events).toHaveLength(0);
  });
});

describe('Retraced bulk', () => {
  it('answers 201 [{id, hash}] in input order, each hash the vendor formula with its own id', async () => {
    const server = await startServer();
    const events = [EVENT, { ...EVENT, external_id: 'evt-2', action: 'user.logout' }, { action: 'x', crud: 'd', is_anonymous: true, fields: {} }];
    const answer = await post(server.url, { events }, true);
    expect(answer.status).toBe(201);
    const answers = answer.json as Array<{ id: string; hash: string }>;
    expect(answers).toHaveLength(3);
    answers.forEach((entry, index) => {
      expect(Object.keys(entry).sort()).toEqual(['hash', 'id']);
      expect(entry.hash).toBe(oracleHash(events[index], entry.id));
    });
    expect(new Set(answers.map((entry) => entry.id)).size).toBe(3);
    expect(server.events.map((event) => event.eventId)).toEqual(['evt-1', 'evt-2', answers[2]?.id]);
  });

  it('accepts 50 events and refuses 51 with the vendor message', async () => {
    const server = await startServer();
    const fifty = Array.from({ length: 50 }, (_, i) => ({ ...EVENT, external_id: `e-${i}` }));
    expect((await post(server.url, { events: fifty }, true)).status).toBe(201);
    const answer = await post(server.url, { events: [...fifty, EVENT] }, true);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ status: 400, type: 'Error', error: 'A maximum of 50 events may be created at once, received 51' });
    expect(server.events).toHaveLength(50);
  });

  it('stores nothing when one event is invalid, and lists each invalid event with its index and violations', async () => {
    const server = await startServer();
    const events = [EVENT, { ...EVENT, source_ip: '::1' }, EVENT, { ...EVENT, group: { name: 'no id' } }];
    const answer = await post(server.url, { events }, true);
    expect(answer.status).toBe(400);
    const invalid = field<Array<{ index: number; message: string; violations: Array<{ field: string }> }>>(answer.json, 'invalid');
    expect(field(answer.json, 'error')).toMatch(/^One or more invalid inputs, no events were logged/);
    expect(invalid.map((entry) => entry.index)).toEqual([1, 3]);
    expect(invalid[0]?.violations.map((violation) => violation.field)).toEqual(['source_ip']);
    expect(invalid[1]?.violations.map((violation) => violation.field)).toEqual(['group.id']);
    expect(invalid[1]?.message).toBe("Invalid event input at index 3:\n-- Field 'group.id' is required if 'group' is present");
    expect(server.events).toHaveLength(0);
  });
});

describe('Retraced quirks reproduced from the real server (500s)', () => {
  const cases: ReadonlyArray<readonly [string, unknown, boolean]> = [
    ['a missing action', { crud: 'c', is_anonymous: true }, false],
    ['a missing crud', { action: 'a', is_anonymous: true }, false],
    ['an unparseable created', { ...EVENT, created: 'yesterday' }, false],
    ['an empty bulk', { events: [] }, true],
    ['a bulk with one event missing crud', { events: [EVENT, { action: 'a', is_anonymous: true }] }, true],
  ];
  it.each(cases)('answers 500 for %s and stores nothing', async (_name, body, bulk) => {
    const server = await startServer();
    const answer = await post(server.url, body, bulk);
    expect(answer.status).toBe(500);
    expect(answer.json).toMatchObject({ status: 500, type: 'Error' });
    expect(server.events).toHaveLength(0);
  });

  it('answers 500 when the Content-Type is not application/json', async () => {
    const server = await startServer();
    const answer = await send(`${server.url}/publisher/v1/project/p/event`, { raw: JSON.stringify(EVENT), headers: { ...AUTH, 'content-type': 'text/plain' } });
    expect(answer.status).toBe(500);
    expect(server.events).toHaveLength(0);
  });

  it('answers invalid JSON with an HTML 400 page, as Express does for the vendor', async () => {
    const server = await startServer();
    const answer = await send(`${server.url}/publisher/v1/project/p/event`, { raw: '{"action":', headers: { ...AUTH, 'content-type': 'application/json' } });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.text).toContain('SyntaxError');
  });
});

describe('Retraced validation rules (400)', () => {
  const cases: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
    ['crud outside c/r/u/d', { crud: 'x' }, 'crud'],
    ['an actor missing when not anonymous', { actor: undefined, is_anonymous: false }, 'actor'],
    ['group without id', { group: { name: 'g' } }, 'group.id'],
    ['actor without id', { actor: { name: 'n' } }, 'actor.id'],
    ['target without id', { target: { type: 't' } }, 'target.id'],
    ['an unknown top-level key', { severity: 'Info' }, 'severity'],
    ['an unknown key in group', { group: { id: 'g', email: 'x' } }, 'group.email'],
    ['an unknown key in actor', { actor: { id: 'a', email: 'x' } }, 'actor.email'],
    ['an unknown key in target', { target: { id: 't', url: 'x' } }, 'target.url'],
    ['an empty string at the top level', { description: '' }, 'description'],
    ['an empty string in actor', { actor: { id: 'a', name: '' } }, 'actor.name'],
    ['an empty action', { action: '' }, 'action'],
    ['a non-string fields value', { fields: { n: 1 } }, 'fields.n'],
    ['an empty metadata value', { metadata: { k: '' } }, 'metadata.k'],
    ['a non-boolean is_failure', { is_failure: 'yes' }, 'is_failure'],
    ['an IPv4 source_ip with first octet 0', { source_ip: '0.1.2.3' }, 'source_ip'],
    ['the IPv6 source_ip ::1', { source_ip: '::1' }, 'source_ip'],
    ['an IPv4-mapped IPv6 source_ip', { source_ip: '::ffff:10.0.0.7' }, 'source_ip'],
    ['a source_ip that is no address', { source_ip: 'localhost' }, 'source_ip'],
  ];
  it.each(cases)('refuses %s', async (_name, change, path) => {
    const server = await startServer();
    const event = Object.fromEntries(Object.entries({ ...EVENT, ...change }).filter(([, value]) => value !== undefined));
    const answer = await post(server.url, { events: [event] }, true);
    expect(answer.status).toBe(400);
    const invalid = field<Array<{ index: number; violations: Array<{ field: string }> }>>(answer.json, 'invalid');
    expect(invalid).toHaveLength(1);
    expect(invalid[0]?.index).toBe(0);
    expect(invalid[0]?.violations.map((violation) => violation.field)).toEqual([path]);
    expect(server.events).toHaveLength(0);
  });

  it.each(['2001:db8::1', '192.168.1.10', '255.255.255.255', '1:2:3:4:5:6:7:8'])('accepts the source_ip %s', async (ip) => {
    const server = await startServer();
    expect((await post(server.url, { ...EVENT, source_ip: ip })).status).toBe(201);
  });
});

describe('Retraced auth', () => {
  const bad: ReadonlyArray<readonly [string, Record<string, string>]> = [
    ['no Authorization header', {}],
    ['a header without token=', { authorization: 'Bearer abc' }],
    ['an empty token', { authorization: 'Token token=' }],
  ];
  it.each(bad)('answers 401 for %s', async (_name, headers) => {
    const server = await startServer();
    const answer = await post(server.url, EVENT, false, headers);
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ status: 401, type: 'Error' });
    expect(answer.headers.get('x-retraced-requestid')).not.toBeNull();
    expect(server.events).toHaveLength(0);
  });

  it('requires the configured token when one is given', async () => {
    const server = await startServer({ credentials: { retraced: 'right' } });
    expect((await post(server.url, EVENT, false, { authorization: 'Token token=wrong' })).status).toBe(401);
    expect((await post(server.url, EVENT, false, { authorization: 'Token token=right' })).status).toBe(201);
    expect(server.events).toHaveLength(1);
  });
});
