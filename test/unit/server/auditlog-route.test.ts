import { describe, expect, it } from 'vitest';
import { expectedHash, field, send, startServer } from './http.js';

const ELEMENT = {
  uuid: 'evt-1',
  time: '2026-01-02T03:04:05.678Z',
  action: 'user.login',
  client: { uuid: 'acme', name: 'Acme' },
  actor: { uuid: 'u-1', name: 'Jane' },
  context: { client: { ipAddress: '10.0.0.7' }, server: { serverId: 'api', version: '1.0.0' } },
  target: { type: 'doc', uuid: 'doc-1' },
};
const KEY = { 'x-api-key': 'consumer:secret' };
const events = (url: string): string => `${url}/api/v1/events`;

describe('AuditLog.co events', () => {
  it('answers 200 receivedEvents in request order, each with the auditwire hash of its element', async () => {
    const server = await startServer();
    const second = { ...ELEMENT, uuid: 'evt-2', action: 'user.logout' };
    const answer = await send(events(server.url), { body: [ELEMENT, second], headers: KEY });
    expect(answer.status).toBe(200);
    const received = field<Array<{ id: string; uuid: string; hash: string }>>(answer.json, 'receivedEvents');
    expect(received.map(({ uuid, hash }) => ({ uuid, hash }))).toEqual([
      { uuid: 'evt-1', hash: expectedHash(ELEMENT) },
      { uuid: 'evt-2', hash: expectedHash(second) },
    ]);
    expect(server.events.map((event) => [event.format, event.serverId, event.eventId])).toEqual(received.map(({ id, uuid }) => ['auditlog', id, uuid]));
  });

  it('answers 401 without a key and 403 for a malformed one', async () => {
    const server = await startServer();
    expect((await send(events(server.url), { body: [ELEMENT] })).status).toBe(401);
    expect((await send(events(server.url), { body: [ELEMENT], headers: { 'x-api-key': 'no-colon' } })).status).toBe(403);
    expect(server.events).toHaveLength(0);
  });

  it('requires the configured key when one is given (403 otherwise)', async () => {
    const server = await startServer({ credentials: { auditlog: 'c:right' } });
    expect((await send(events(server.url), { body: [ELEMENT], headers: { 'x-api-key': 'c:wrong' } })).status).toBe(403);
    expect((await send(events(server.url), { body: [ELEMENT], headers: { 'x-api-key': 'c:right' } })).status).toBe(200);
  });

  it('answers 400 with details keyed by element path and stores nothing', async () => {
    const server = await startServer();
    const answer = await send(events(server.url), { body: [ELEMENT, { ...ELEMENT, action: 'x'.repeat(41), client: {} }], headers: KEY });
    expect(answer.status).toBe(400);
    expect(field(answer.json, 'details')).toEqual({ '[1].action': 'must be at most 40 characters', '[1].client.uuid': 'is required' });
    expect(server.events).toHaveLength(0);
  });

  it('answers 400 for invalid JSON and for a body that is not an array', async () => {
    const server = await startServer();
    expect((await send(events(server.url), { raw: '[', headers: { ...KEY, 'content-type': 'application/json' } })).status).toBe(400);
    expect((await send(events(server.url), { body: ELEMENT, headers: KEY })).status).toBe(400);
  });
});

describe('AuditLog.co read-back', () => {
  it('returns the stored element plus id and receptionTime', async () => {
    const server = await startServer();
    const posted = await send(events(server.url), { body: [ELEMENT], headers: KEY });
    const id = field<Array<{ id: string }>>(posted.json, 'receivedEvents')[0]?.id ?? '';
    const answer = await send(`${events(server.url)}/${id}`, { headers: KEY });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ ...ELEMENT, id, receptionTime: server.events[0]?.receivedAt });
  });

  it('answers 404 for an unknown id and 401 without a key', async () => {
    const server = await startServer();
    expect((await send(`${events(server.url)}/nope`, { headers: KEY })).status).toBe(404);
    expect((await send(`${events(server.url)}/nope`)).status).toBe(401);
  });
});
