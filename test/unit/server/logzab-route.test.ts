import { describe, expect, it } from 'vitest';
import { expectedHash, field, send, startServer } from './http.js';

const DESC = JSON.stringify({ id: 'evt-7', outcome: 'success', severity: 'Info', time: '2026-01-02T03:04:05.678Z' });
const EVENT = { actor: { unique_id: 'u-42', name: 'Jane', group: 'acme' }, object: 'invoice #42', action: 'update', path: '/invoices/42', tag: 'billing', desc: DESC };
const trail = (url: string): string => `${url}/v1/addTrail`;

describe('LogZab addTrail', () => {
  it('answers 200 {id, hash}, hashing the body without apiKey, and keeps the body without the key', async () => {
    const server = await startServer();
    const answer = await send(trail(server.url), { body: { apiKey: 'k-1', ...EVENT } });
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.json as object).sort()).toEqual(['hash', 'id']);
    expect(field(answer.json, 'hash')).toBe(expectedHash(EVENT));
    expect(server.events).toEqual([{ format: 'logzab', serverId: field(answer.json, 'id'), eventId: 'evt-7', body: EVENT, hash: expectedHash(EVENT), receivedAt: expect.any(String) }]);
  });

  it.each([
    ['no desc', undefined],
    ['a plain-text desc', 'changed the invoice'],
    ['a JSON desc without a string id', JSON.stringify({ id: 7 })],
  ])('uses the server id as event id with %s', async (_name, desc) => {
    const server = await startServer();
    const answer = await send(trail(server.url), { body: { apiKey: 'k', ...EVENT, desc } });
    expect(answer.status).toBe(200);
    expect(server.events[0]?.eventId).toBe(field(answer.json, 'id'));
  });

  it.each([
    ['a missing apiKey', {}],
    ['an empty apiKey', { apiKey: '' }],
    ['a non-string apiKey', { apiKey: 7 }],
  ])('answers 401 JSON for %s', async (_name, key) => {
    const server = await startServer();
    const answer = await send(trail(server.url), { body: { ...EVENT, ...key } });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: expect.any(String), details: {} });
    expect(server.events).toHaveLength(0);
  });

  it('requires the configured apiKey when one is given', async () => {
    const server = await startServer({ credentials: { logzab: 'right' } });
    expect((await send(trail(server.url), { body: { apiKey: 'wrong', ...EVENT } })).status).toBe(401);
    expect((await send(trail(server.url), { body: { apiKey: 'right', ...EVENT } })).status).toBe(200);
    expect(server.events).toHaveLength(1);
  });

  it.each([
    ['actor.unique_id missing', { actor: { name: 'Jane' } }, 'actor.unique_id'],
    ['actor.name empty', { actor: { unique_id: 'u', name: '' } }, 'actor.name'],
    ['actor not an object', { actor: 'Jane' }, 'actor'],
    ['object missing', { object: undefined }, 'object'],
    ['action not a string', { action: 5 }, 'action'],
    ['action empty', { action: '' }, 'action'],
  ])('answers 400 {error, details} for %s', async (_name, change, path) => {
    const server = await startServer();
    const answer = await send(trail(server.url), { body: { apiKey: 'k', ...EVENT, ...change } });
    expect(answer.status).toBe(400);
    expect(Object.keys(field<Record<string, string>>(answer.json, 'details'))).toEqual([path]);
    expect(typeof field(answer.json, 'error')).toBe('string');
    expect(server.events).toHaveLength(0);
  });

  it('answers 400 JSON for invalid JSON and for a body that is not an object', async () => {
    const server = await startServer();
    const broken = await send(trail(server.url), { raw: '{"apiKey":', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect(broken.json).toMatchObject({ error: expect.any(String), details: expect.any(Object) });
    expect((await send(trail(server.url), { body: [EVENT] })).status).toBe(400);
  });
});
