import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { retracedOracle } from '../../helpers/retraced-oracle.js';
import type { ReferenceServer, RequestInfo } from '../../../src/testing.js';
import { AUDITLOG_ELEMENT, FORMATS, FRONTEGG_AUDIT, LOGZAB_EVENT, RETRACED_EVENT } from './formats.js';
import { expectedHash, field, send, startServer, type Answer } from './http.js';

// `deduplicate: true`: a repeated event id (per format) is acknowledged with the record stored first and not
// stored again. Each format carries the id in its own member (types.ts StoredEvent.eventId).

interface DedupCase {
  readonly name: 'auditlog' | 'retraced' | 'logzab' | 'frontegg';
  /** Sends one event whose own id is `id` (undefined: an event without an id of its own) and whose content varies with `note`. */
  send(server: ReferenceServer, id: string | undefined, note?: string): Promise<Answer>;
  /** `{serverId, hash}` of a success answer. */
  ack(answer: Answer): { serverId: string | undefined; hash: string };
}

const token = async (server: ReferenceServer): Promise<string> =>
  field<string>((await send(`${server.url}/auth/vendor`, { body: { clientId: 'c', secret: 's' } })).json, 'token');

const CASES: readonly DedupCase[] = [
  {
    name: 'auditlog',
    send: (server, id, note = 'first') =>
      send(`${server.url}/api/v1/events`, { body: [{ ...AUDITLOG_ELEMENT, uuid: id ?? 'evt-none', description: note }], headers: { 'x-api-key': 'c:s' } }),
    ack: (answer) => {
      const [entry] = field<Array<{ id: string; hash: string }>>(answer.json, 'receivedEvents');
      return { serverId: entry?.id, hash: entry?.hash ?? '' };
    },
  },
  {
    name: 'retraced',
    send: (server, id, note = 'first') => {
      const { external_id: _id, ...event } = RETRACED_EVENT;
      const body = id === undefined ? { ...event, description: note } : { ...event, external_id: id, description: note };
      return send(`${server.url}/publisher/v1/project/p/event`, { body, headers: { authorization: 'Token token=t' } });
    },
    ack: (answer) => ({ serverId: field<string>(answer.json, 'id'), hash: field<string>(answer.json, 'hash') }),
  },
  {
    name: 'logzab',
    send: (server, id, note = 'first') =>
      send(`${server.url}/v1/addTrail`, { body: { apiKey: 'k', ...LOGZAB_EVENT, desc: JSON.stringify(id === undefined ? { note } : { id, note }) } }),
    ack: (answer) => ({ serverId: field<string>(answer.json, 'id'), hash: field<string>(answer.json, 'hash') }),
  },
  {
    name: 'frontegg',
    send: async (server, id, note = 'first') => {
      const { auditwireId: _id, ...audit } = FRONTEGG_AUDIT;
      const body = id === undefined ? { ...audit, note } : { ...audit, auditwireId: id, note };
      return send(`${server.url}/audits/`, { body, headers: { 'x-access-token': await token(server), 'frontegg-tenant-id': 'acme' } });
    },
    ack: (answer) => ({ serverId: undefined, hash: field<string>(answer.json, 'hash') }),
  },
];

describe.each(CASES)('deduplicate on $name', (format) => {
  it('acknowledges a repeated id with the first record, stores it once and counts the duplicate', async () => {
    const requests: RequestInfo[] = [];
    const server = await startServer({ deduplicate: true, onRequest: (info) => info.format !== undefined && requests.push(info) });
    const first = await format.send(server, 'evt-1');
    const again = await format.send(server, 'evt-1');
    expect(again.status).toBe(first.status);
    expect(format.ack(again)).toEqual(format.ack(first));
    expect(server.events.map((event) => event.eventId)).toEqual(['evt-1']);
    expect(format.ack(first).hash).toBe(server.events[0]?.hash);
    expect(server.stats.duplicates).toBe(1);
    // onRequest reports what each request stored: the repeat stored nothing.
    expect(requests.map((info) => info.events)).toEqual([1, 0]);
  });

  it('answers a repeated id with different content with the stored hash, which is not the new content\'s', async () => {
    const server = await startServer({ deduplicate: true });
    const first = await format.send(server, 'evt-1', 'first');
    const changed = await format.send(server, 'evt-1', 'changed');
    expect(format.ack(changed).hash).toBe(format.ack(first).hash);
    expect(server.events).toHaveLength(1);
    expect(JSON.stringify(server.events[0]?.body)).toContain('first');
    // What the server would have answered for the changed content, had it stored it: a client comparing its own
    // hash of the resent event sees the conflict.
    const fresh = await startServer();
    expect(format.ack(await format.send(fresh, 'evt-1', 'changed')).hash).not.toBe(format.ack(first).hash);
  });

  // AuditLog.co requires `uuid`: every one of its events has an id of its own.
  it.runIf(format.name !== 'auditlog')('never deduplicates events without an id of their own', async () => {
    const server = await startServer({ deduplicate: true });
    await format.send(server, undefined);
    await format.send(server, undefined);
    expect(server.events).toHaveLength(2);
    expect(server.stats.duplicates).toBe(0);
  });

  it('stores a repeated id twice without the option, as the vendors do', async () => {
    const server = await startServer();
    await format.send(server, 'evt-1');
    await format.send(server, 'evt-1');
    expect(server.events.map((event) => event.eventId)).toEqual(['evt-1', 'evt-1']);
    expect(server.stats.duplicates).toBe(0);
  });

  it('acknowledges the resend of a batch whose connection dropped after storing, without storing it again', async () => {
    const server = await startServer({ deduplicate: true, faults: { dropAfterStoreProbability: 1 } });
    await expect(format.send(server, 'evt-1')).rejects.toThrow();
    expect(server.events).toHaveLength(1);
    server.setFaults({});
    const resent = await format.send(server, 'evt-1');
    expect(resent.status).toBeLessThan(300);
    expect(format.ack(resent).hash).toBe(server.events[0]?.hash);
    expect(server.events).toHaveLength(1);
    expect(server.stats.duplicates).toBe(1);
  });
});

describe('deduplicate across formats, batches and the JSONL file', () => {
  it('keys ids per format: the same id in two formats is two events', async () => {
    const server = await startServer({ deduplicate: true });
    for (const format of CASES) await format.send(server, 'shared-id');
    expect(server.events.map((event) => event.format)).toEqual(['auditlog', 'retraced', 'logzab', 'frontegg']);
    expect(server.stats.duplicates).toBe(0);
  });

  it('answers every element of an AuditLog.co batch, repeats inside the batch and from earlier batches included', async () => {
    const server = await startServer({ deduplicate: true });
    const element = (uuid: string) => ({ ...AUDITLOG_ELEMENT, uuid });
    const post = (elements: unknown[]) => send(`${server.url}/api/v1/events`, { body: elements, headers: { 'x-api-key': 'c:s' } });
    const first = field<Array<{ id: string; uuid: string; hash: string }>>((await post([element('a'), element('b')])).json, 'receivedEvents');
    const second = field<Array<{ id: string; uuid: string; hash: string }>>((await post([element('b'), element('c'), element('c'), element('a')])).json, 'receivedEvents');
    expect(second.map((entry) => entry.uuid)).toEqual(['b', 'c', 'c', 'a']);
    expect(second[0]).toEqual(first[1]);
    expect(second[3]).toEqual(first[0]);
    expect(second[2]).toEqual(second[1]);
    expect(server.events.map((event) => event.eventId)).toEqual(['a', 'b', 'c']);
    expect(server.stats.duplicates).toBe(3);
  });

  it('answers a Retraced bulk repeat with the first server id and the formula over that id', async () => {
    const server = await startServer({ deduplicate: true });
    const bulk = (events: unknown[]) => send(`${server.url}/publisher/v1/project/p/event/bulk`, { body: { events }, headers: { authorization: 'Token token=t' } });
    const [first] = (await bulk([RETRACED_EVENT])).json as Array<{ id: string; hash: string }>;
    const answers = (await bulk([{ ...RETRACED_EVENT, external_id: 'evt-new' }, RETRACED_EVENT])).json as Array<{ id: string; hash: string }>;
    expect(answers[1]).toEqual(first);
    const oracle = retracedOracle(RETRACED_EVENT, first?.id ?? '');
    expect(oracle.ok && oracle.hash).toBe(first?.hash);
    expect(server.events.map((event) => event.eventId)).toEqual(['evt-r', 'evt-new']);
  });

  it('writes a deduplicated event to the JSONL file once', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'auditwire-dedup-')), 'events.jsonl');
    const server = await startServer({ deduplicate: true, file });
    const answers = await Promise.all(Array.from({ length: 5 }, () => FORMATS[2]!.send(server)));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    await server.close();
    const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect(server.stats.duplicates).toBe(4);
  });

  it('deduplicates concurrent requests for the same id (the store is synchronous)', async () => {
    const server = await startServer({ deduplicate: true });
    const answers = await Promise.all(Array.from({ length: 20 }, () => FORMATS[3]!.send(server)));
    expect(new Set(answers.map((answer) => field<string>(answer.json, 'hash')))).toEqual(new Set([expectedHash(FRONTEGG_AUDIT)]));
    expect(server.events).toHaveLength(1);
    expect(server.stats.duplicates).toBe(19);
  });
});
