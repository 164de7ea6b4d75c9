import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createReferenceServer, type RequestInfo } from '../../../src/testing.js';
import { AUDITLOG_ELEMENT, FORMATS } from './formats.js';
import { send, startServer } from './http.js';

const tempFile = (): string => join(mkdtempSync(join(tmpdir(), 'auditwire-server-')), 'events.jsonl');
const lines = (file: string): unknown[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);

describe('JSONL file', () => {
  it('holds one line per stored event of every format, in order, once close() resolves', async () => {
    const file = tempFile();
    const server = await createReferenceServer({ file });
    for (const format of FORMATS) await format.send(server);
    const stored = [...server.events];
    await server.close();
    const written = lines(file);
    expect(written).toEqual(stored.map(({ format, serverId, eventId, hash, receivedAt, body }) => ({ format, serverId, eventId, hash, receivedAt, body })));
    expect(written.map((line) => Object.keys(line as object))).toEqual(stored.map(() => ['format', 'serverId', 'eventId', 'hash', 'receivedAt', 'body']));
    expect(written.map((line) => (line as { format: string }).format)).toEqual(['auditlog', 'retraced', 'logzab', 'frontegg']);
  });

  it('appends to an existing file and keeps the order of concurrent requests', async () => {
    const file = tempFile();
    writeFileSync(file, '{"earlier":true}\n');
    const server = await createReferenceServer({ file });
    const elements = Array.from({ length: 20 }, (_, i) => ({ ...AUDITLOG_ELEMENT, uuid: `evt-${i}` }));
    const answers = await Promise.all(elements.map((element) => send(`${server.url}/api/v1/events`, { body: [element], headers: { 'x-api-key': 'c:s' } })));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const order = server.events.map((event) => event.eventId);
    await server.close();
    const written = lines(file);
    expect(written[0]).toEqual({ earlier: true });
    expect(written.slice(1).map((line) => (line as { eventId: string }).eventId)).toEqual(order);
    expect(order.slice().sort()).toEqual(elements.map((element) => element.uuid).sort());
  });

  it('rejects at start when the file cannot be opened', async () => {
    await expect(createReferenceServer({ file: join(tempFile(), 'no', 'such', 'dir.jsonl') })).rejects.toThrow();
  });

  it('closes idempotently', async () => {
    const server = await createReferenceServer({ file: tempFile() });
    await server.close();
    await expect(server.close()).resolves.toBeUndefined();
  });
});

describe('onRequest', () => {
  it('is called once per answered request with status, format and stored events', async () => {
    const calls: RequestInfo[] = [];
    const server = await startServer({ onRequest: (info) => calls.push(info) });
    await send(`${server.url}/api/v1/events?x=1`, { body: [AUDITLOG_ELEMENT, { ...AUDITLOG_ELEMENT, uuid: 'evt-b' }], headers: { 'x-api-key': 'c:s' } });
    await send(`${server.url}/publisher/v1/project/p/event`, { body: {} });
    await send(`${server.url}/auth/vendor`, { body: { clientId: 'c', secret: 's' } });
    await send(`${server.url}/nowhere`);
    await send(`${server.url}/_auditwire/events`);
    expect(calls).toEqual([
      { method: 'POST', path: '/api/v1/events', status: 200, format: 'auditlog', events: 2 },
      { method: 'POST', path: '/publisher/v1/project/p/event', status: 401, format: 'retraced', events: 0 },
      { method: 'POST', path: '/auth/vendor', status: 200, events: 0 },
      { method: 'GET', path: '/nowhere', status: 404, events: 0 },
      { method: 'GET', path: '/_auditwire/events', status: 200, events: 0, listed: 2 },
    ]);
  });

  it('keeps serving when the callback throws', async () => {
    const server = await startServer({
      onRequest: () => {
        throw new Error('logger broke');
      },
    });
    expect((await send(`${server.url}/_auditwire/events`)).status).toBe(200);
    expect((await send(`${server.url}/_auditwire/events`)).status).toBe(200);
  });
});

describe('routes common to the server', () => {
  it('lists every stored event at GET /_auditwire/events', async () => {
    const server = await startServer();
    for (const format of FORMATS) await format.send(server);
    const answer = await send(`${server.url}/_auditwire/events`);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ events: JSON.parse(JSON.stringify(server.events)) as unknown, nextCursor: null, total: 4 });
    expect(server.events.map((event) => event.eventId)).toEqual(['evt-a', 'evt-r', 'evt-l', 'evt-f']);
  });

  it('pages the list from a cursor that survives DELETE /_auditwire/events, which forgets the ids too', async () => {
    const server = await startServer({ deduplicate: true });
    for (const format of FORMATS) await format.send(server);
    const page = (query: string): Promise<{ events: Array<{ eventId: string }>; nextCursor: string | null; total: number }> =>
      send(`${server.url}/_auditwire/events${query}`).then((answer) => answer.json as never);
    const first = await page('?limit=3');
    expect(first.events.map((event) => event.eventId)).toEqual(['evt-a', 'evt-r', 'evt-l']);
    expect(first.nextCursor).toBe('3');
    expect((await send(`${server.url}/_auditwire/events`, { method: 'DELETE' })).json).toEqual({ cleared: 4 });
    expect(server.events).toEqual([]);
    await FORMATS[0]!.send(server);
    // A cursor from before the clear continues at the oldest event kept; the cleared id is stored again.
    expect((await page(`?cursor=${first.nextCursor}`)).events.map((event) => event.eventId)).toEqual(['evt-a']);
    expect((await page('?cursor=4')).events).toHaveLength(1);
    expect((await page('?cursor=5')).events).toHaveLength(0);
  });

  it('answers unknown routes and wrong methods with a JSON 404', async () => {
    const server = await startServer();
    const unknown = await send(`${server.url}/api/v2/events`, { body: [] });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ statusCode: 404 });
    expect((await send(`${server.url}/v1/addTrail`)).status).toBe(404);
  });

  it('answers 413 above maxBodyBytes', async () => {
    const server = await startServer({ maxBodyBytes: 100 });
    const answer = await send(`${server.url}/v1/addTrail`, { body: { apiKey: 'k', pad: 'x'.repeat(200) } });
    expect(answer.status).toBe(413);
    expect(server.events).toHaveLength(0);
  });

  it('counts every request and listens on loopback by default', async () => {
    const server = await startServer();
    await send(`${server.url}/nowhere`);
    await send(`${server.url}/_auditwire/events`);
    expect(server.stats.requests).toBe(2);
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
  });

  it('refuses a negative tokenTtlSeconds', async () => {
    await expect(createReferenceServer({ tokenTtlSeconds: -1 })).rejects.toThrow(RangeError);
  });
});
