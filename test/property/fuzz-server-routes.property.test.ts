import { request } from 'node:http';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReferenceServer } from '../../src/testing.js';
import { recordFigures, sized, testing } from '../reliability/target.js';
import { BIG_STRING, hostileJsonText, hostileKey, hostileValue, looksPolluted, mutate, watchProcess } from './hostile.js';

// Fuzzing the reference server's HTTP routes with raw bodies (issue "Reliability and security", part 2):
// prototype-pollution keys, huge strings, deep nesting, lone surrogates, BigInt-looking numbers, bytes that are
// not UTF-8, non-JSON bodies, wrong content types, oversized requests. Every answer is a 2xx or a 4xx in the
// vendor's shape (or one of Retraced's documented 500s), never the server's own crash answer; the server keeps
// serving; what it stores is consistent with its hash; no prototype is polluted.

const RUNS = sized({ ci: 1_500, full: 15_000 });
/** Small, so oversized bodies are cheap to make; the default (10 MiB) is covered by test/unit/server. */
const MAX_BODY_BYTES = 256 * 1024;

let server: ReferenceServer;
let token: string;
const figures = { requests: 0, byStatus: {} as Record<string, number>, stored: 0 };

beforeAll(async () => {
  server = await testing.createReferenceServer({ maxBodyBytes: MAX_BODY_BYTES });
  token = (JSON.parse((await post('/auth/vendor', JSON.stringify({ clientId: 'c', secret: 's' }), 'application/json', {})).text) as { token: string }).token;
});

afterAll(async () => {
  figures.stored = server.events.length;
  await server.close();
  recordFigures('fuzz-server-routes', figures);
});

interface Answer {
  readonly status: number;
  readonly text: string;
}

/** A raw POST over node:http (any bytes, any content type, header values as given). */
function post(path: string, body: string | Buffer, contentType: string | undefined, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, server.url);
    const req = request(url, { method: 'POST', headers: { ...(contentType === undefined ? {} : { 'content-type': contentType }), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const ROUTES = [
  { path: '/api/v1/events', headers: (): Record<string, string> => ({ 'x-api-key': 'c:s' }) },
  { path: '/publisher/v1/project/p/event', headers: (): Record<string, string> => ({ authorization: 'Token token=t' }) },
  { path: '/publisher/v1/project/p/event/bulk', headers: (): Record<string, string> => ({ authorization: 'Token token=t' }) },
  { path: '/v1/addTrail', headers: (): Record<string, string> => ({}) },
  { path: '/audits/', headers: (): Record<string, string> => ({ 'x-access-token': token, 'frontegg-tenant-id': 'acme' }) },
  { path: '/auth/vendor', headers: (): Record<string, string> => ({}) },
] as const;

/** Valid bodies per route, to mutate: the fuzz then reaches validation and storage, not only the JSON parser. */
const VALID: Record<string, unknown> = {
  '/api/v1/events': [{ uuid: 'evt-a', time: '2026-01-02T03:04:05.678Z', action: 'user.login', client: { uuid: 'acme' }, actor: { uuid: 'u-1' }, context: { server: { serverId: 'api', version: '1.0.0' } } }],
  '/publisher/v1/project/p/event': { action: 'user.login', crud: 'c', actor: { id: 'u-1' }, external_id: 'evt-r', fields: { a: 'b' } },
  '/publisher/v1/project/p/event/bulk': { events: [{ action: 'user.login', crud: 'c', actor: { id: 'u-1' } }] },
  '/v1/addTrail': { apiKey: 'k', actor: { unique_id: 'u-1', name: 'Jane' }, object: 'invoice', action: 'update', desc: '{"id":"evt-l"}' },
  '/audits/': { tenantId: 'acme', severity: 'Info', action: 'update', auditwireId: 'evt-f' },
  '/auth/vendor': { clientId: 'c', secret: 's' },
};

const PATHS = ['__proto__', 'constructor.prototype.polluted', '0.__proto__', '0.uuid', '0.actor.uuid', '0.context', 'events.0.__proto__', 'events.0.crud', 'actor', 'actor.fields', 'fields', 'fields.__proto__', 'desc', 'apiKey', 'severity', 'tenantId', 'external_id', 'created', 'source_ip', 'x'];

function stringify(value: unknown): string {
  try {
    // BigInts become BigInt-looking numbers in the text: exactly what a JSON parser meets from other languages.
    const marked = JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? `@@${inner}@@` : inner)) ?? 'null';
    return marked.replace(/"@@(-?\d+)@@"/g, '$1');
  } catch {
    return '{"unserializable":';
  }
}

const body: fc.Arbitrary<string | Buffer> = fc.oneof(
  { arbitrary: hostileJsonText, weight: 3 },
  { arbitrary: fc.tuple(fc.constantFrom(...ROUTES.map((route) => route.path)), fc.constantFrom(...PATHS), hostileValue).map(([path, at, value]) => stringify(mutate(VALID[path] as Record<string, unknown>, at, value))), weight: 4 },
  { arbitrary: fc.tuple(hostileKey, hostileValue).map(([key, value]) => `{${JSON.stringify(key)}:${stringify(value)}}`), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 96 }).map((bytes) => Buffer.from(bytes)), weight: 1 },
  { arbitrary: fc.constant(`{"big":"${BIG_STRING}"}`), weight: 1 },
);

const contentType = fc.constantFrom<string | undefined>('application/json', 'application/json', 'APPLICATION/JSON; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', undefined, 'application/json; charset=latin1');

/** What the server answers when a handler throws: never acceptable. */
const CRASH = /reference server error/;
/** Retraced's 500s, reproduced on purpose (src/server/routes/retraced.ts). */
const RETRACED_500 = /^\{"status":500,"type":"Error","error":"Internal Server Error: /;

describe('reference server routes (fuzz, raw bodies)', () => {
  it('answers every hostile body with a 2xx or a 4xx (or a documented Retraced 500), never crashing', async () => {
    const { unhandled } = await watchProcess(async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...ROUTES), body, contentType, async (route, payload, type) => {
          figures.requests++;
          const answer = await post(route.path, payload, type, route.headers());
          figures.byStatus[answer.status] = (figures.byStatus[answer.status] ?? 0) + 1;
          expect(answer.text).not.toMatch(CRASH);
          const retraced500 = route.path.startsWith('/publisher/') && answer.status === 500 && RETRACED_500.test(answer.text);
          expect(answer.status < 500 || retraced500, `${answer.status} ${answer.text.slice(0, 200)}`).toBe(true);
          expect(answer.status).toBeGreaterThanOrEqual(200);
        }),
        { numRuns: RUNS, seed: 6060 },
      );
    });
    expect(unhandled).toEqual([]);
    expect(looksPolluted()).toBe(false);
  }, sized({ ci: 120_000, full: 900_000 }));

  it('refuses oversized requests with 413 and keeps serving', async () => {
    for (const route of ROUTES) {
      const answer = await post(route.path, `{"x":"${'y'.repeat(MAX_BODY_BYTES)}"}`, 'application/json', route.headers());
      expect(answer.status).toBe(413);
    }
  });

  it('still serves, and everything it stored is consistent with its own hash', async () => {
    const list = await new Promise<Answer>((resolve, reject) => {
      request(new URL('/_auditwire/events?limit=10000', server.url), (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      })
        .on('error', reject)
        .end();
    });
    expect(list.status).toBe(200);
    const listed = JSON.parse(list.text) as { events: unknown[]; total: number };
    expect(listed.total).toBe(server.events.length);
    expect(listed.events).toHaveLength(Math.min(10_000, server.events.length));
    for (const event of server.events) {
      expect(typeof event.eventId).toBe('string');
      // The auditwire hash of what was stored (Retraced's formula is checked by test/unit/server).
      if (event.format !== 'retraced') expect(event.hash).toBe(createHash('sha256').update(canonicalize(event.body) ?? '', 'utf8').digest('hex'));
      // A "__proto__" member stays data: it never became the stored body's prototype.
      if (typeof event.body === 'object' && event.body !== null) expect(Object.getPrototypeOf(event.body)).toBe(Array.isArray(event.body) ? Array.prototype : Object.prototype);
    }
  });
});
