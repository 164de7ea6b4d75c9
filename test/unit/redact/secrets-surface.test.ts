import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditsClient, type AuditsError, type ClientOptions, type RetryInfo } from '../../../src/index.js';
import { leaksIn, startEchoServer, type EchoServer } from '../../helpers/echo-server.js';

// Every credential the client holds is masked from everything it emits (issue 12, item 7), against a server that
// echoes the request raw, JSON-escaped, base64- and URL-encoded. Each key holds `"` and `\`, so its JSON-escaped
// spelling differs from the raw one; the LogZab key (it travels in the body) holds non-ASCII too.

const TOKEN = 'tok"en\\-issued-by-the-server-987';
const AUDITLOG_SECRET = 'al-se"cr\\et-4242';
const CASES: ReadonlyArray<{ name: string; options: (endpoint: string) => ClientOptions; secrets: string[] }> = [
  { name: 'auditlog', options: (endpoint) => ({ adapter: 'auditlog', endpoint, apiKey: `consumer-7:${AUDITLOG_SECRET}` }), secrets: [`consumer-7:${AUDITLOG_SECRET}`, AUDITLOG_SECRET] },
  { name: 'retraced', options: (endpoint) => ({ adapter: 'retraced', endpoint, projectId: 'p1', apiKey: 'rt-to"k\\en-123456' }), secrets: ['rt-to"k\\en-123456'] },
  { name: 'logzab', options: (endpoint) => ({ adapter: 'logzab', endpoint, apiKey: 'lz-k"ey\\é☃-123456' }), secrets: ['lz-k"ey\\é☃-123456'] },
  {
    name: 'frontegg',
    options: (endpoint) => ({ adapter: 'frontegg', endpoint, clientId: 'fe-client"id-55', apiKey: 'fe-ap"i\\key-123456' }),
    secrets: ['fe-client"id-55', 'fe-ap"i\\key-123456', TOKEN],
  },
];

const EVENT = { id: 'evt-secret', action: 'user.login', crud: 'c' as const, tenant: { id: 'tenant-1' }, actor: { id: 'user-1' } };

let server: EchoServer;
beforeAll(async () => {
  server = await startEchoServer(TOKEN);
});
afterAll(async () => {
  await server.close();
});

/** Everything one failed send emits, each surface as text. */
async function surfacesOfOneFailure(options: ClientOptions): Promise<Record<string, string>> {
  const logged: string[] = [];
  const capture = (level: string) => (message: string, ...details: unknown[]) => logged.push(`${level} ${message} ${inspect(details, { depth: 10 })}`);
  const emitted: unknown[] = [];
  const client = new AuditsClient({
    ...options,
    flushIntervalMs: 0,
    retry: { maxRetries: 1, initialDelayMs: 0, maxDelayMs: 0 },
    logger: { debug: capture('debug'), warn: capture('warn'), error: capture('error') },
    onError: (error) => emitted.push(['onError', error]),
  });
  const retries: RetryInfo[] = [];
  client.on('retry', (info) => retries.push(info));
  client.on('failed', (error, id) => emitted.push(['failed', error, id]));
  client.on('error', (error) => emitted.push(['error', error]));
  const error = (await client.sendAudit(EVENT).then(
    () => {
      throw new Error('the echoing server never accepts');
    },
    (caught: unknown) => caught,
  )) as AuditsError & { body?: string; issues?: unknown };
  await client.close();
  expect(retries.length).toBeGreaterThan(0);
  return {
    message: error.message,
    stack: String(error.stack),
    body: String(error.body),
    issues: JSON.stringify(error.issues ?? null),
    inspect: inspect(error, { depth: Number.POSITIVE_INFINITY }),
    json: JSON.stringify(error),
    logger: logged.join('\n'),
    retry: inspect(retries, { depth: Number.POSITIVE_INFINITY }),
    events: inspect(emitted, { depth: Number.POSITIVE_INFINITY }),
  };
}

describe.each(CASES)('the $name adapter against a server that echoes the request', ({ options, secrets }) => {
  let surfaces: Record<string, string>;
  beforeAll(async () => {
    surfaces = await surfacesOfOneFailure(options(server.url));
  });

  it.each(['message', 'stack', 'body', 'issues', 'inspect', 'json', 'logger', 'retry', 'events'])('shows no credential in %s', (surface) => {
    const text = surfaces[surface] as string;
    expect(leaksIn(text, secrets)).toEqual([]);
  });

  it('still shows what the server said around the masked key', () => {
    expect(surfaces.inspect).toContain('***');
    expect(surfaces.inspect).toContain('cannot accept');
  });
});
