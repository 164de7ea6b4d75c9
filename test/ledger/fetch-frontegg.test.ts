import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditsClient } from '../../src/index.js';
import type { FronteggAuditsQuery } from '../../src/adapters/frontegg-audits-api.js';
import { fetchFronteggAudits } from '../../src/ledger/fetch-frontegg.js';
import type { ExportItem } from '../../src/ledger/reconcile-ledger.js';
import { createReferenceServer, type ReferenceServer } from '../../src/testing.js';
import { cliPath, ensureCliBuilt, linesOf, type CliResult } from '../helpers/cli.js';
import { keys, ORIGIN, tempDir } from './ledger-fixture.js';

const CLIENT_ID = 'fe-client-reconcile-41';
const SECRET = 'fe_secret_Reconcile7Hq2Lm9Xv4';
const TENANTS = ['acme', 'globex'] as const;
const EVENTS = 24;

let server: ReferenceServer;
let ledgerDir: string;

/** The CLI in a child process, asynchronously (the server answering it runs in this process). */
function reconcile(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const clean: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of ['AUDITWIRE_API_KEY', 'FRONTEGG_API_KEY', 'FRONTEGG_CLIENT_ID', 'FRONTEGG_API_GATEWAY_URL', 'AUDITWIRE_ENDPOINT']) delete clean[name];
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, 'ledger', 'reconcile', ledgerDir, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...clean, ...env } }, (error, stdout, stderr) =>
      resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }),
    );
  });
}

const fetchFrontegg = (): string[] => ['--fetch', 'frontegg', '--endpoint', server.url, '--tenant-id', 'acme', '--tenant-id', 'globex'];
const credentials = { FRONTEGG_CLIENT_ID: CLIENT_ID, FRONTEGG_API_KEY: SECRET };

/** `kind: id` of each finding line. */
function findings(stderr: string): string[] {
  return linesOf(stderr).map((line) => line.split(': ').slice(0, 2).join(': ')).sort();
}

beforeAll(async () => {
  ensureCliBuilt();
  server = await createReferenceServer({ credentials: { frontegg: { clientId: CLIENT_ID, secret: SECRET } } });
  ledgerDir = tempDir();
  const client = new AuditsClient({
    adapter: 'frontegg',
    endpoint: server.url,
    clientId: CLIENT_ID,
    apiKey: SECRET,
    ledger: { dir: ledgerDir, signingKey: keys().privateKey, origin: ORIGIN },
  });
  await client.sendAudits(
    Array.from({ length: EVENTS }, (_, i) => ({
      id: `fe-${i}`,
      action: 'invoice.paid',
      actor: { id: `user-${i}` },
      tenant: { id: TENANTS[i % 2] as string },
      fields: { amount: String(i) },
    })),
  );
  await client.close();
});

afterAll(async () => {
  await server.close();
});

describe('auditwire ledger reconcile --fetch frontegg', () => {
  it('accounts for every Frontegg event of the ledger when the vendor stored them unchanged', async () => {
    const result = await reconcile(fetchFrontegg(), credentials);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(`${EVENTS} ledger records, ${EVENTS} exported events: all accounted for`);
    expect(result.status).toBe(0);
  });

  it('reports exactly the audit the vendor altered and the one it dropped, and never prints the credentials', async () => {
    server.setFaults({ tamper: { alter: ['fe-5'], drop: ['fe-10'] } });
    try {
      const result = await reconcile(fetchFrontegg(), credentials);
      expect(findings(result.stderr)).toEqual(['altered: fe-5', 'missing: fe-10']);
      expect(result.stdout.trim()).toBe(`${EVENTS} ledger records, ${EVENTS - 1} exported events: 2 finding(s)`);
      expect(result.stdout + result.stderr).not.toContain(SECRET);
      expect(result.status).toBe(1);
    } finally {
      server.setFaults({});
    }
  });

  it('reports the events of a tenant left out as missing', async () => {
    const result = await reconcile(['--fetch', 'frontegg', '--endpoint', server.url, '--tenant-id', 'acme'], credentials);
    expect(findings(result.stderr)).toHaveLength(EVENTS / 2);
    expect(linesOf(result.stderr).every((line) => line.startsWith('missing: fe-'))).toBe(true);
    expect(result.status).toBe(1);
  });

  it('takes the secret from --api-key and the client id from --client-id, and reports refused credentials without printing them', async () => {
    const wrong = 'fe_secret_Wrong3Pz8Kd1Mq6';
    const result = await reconcile([...fetchFrontegg(), '--client-id', CLIENT_ID, '--api-key', wrong]);
    expect(linesOf(result.stderr).filter((line) => line.startsWith('unreadable: tenant acme'))).toHaveLength(1);
    expect(result.stdout + result.stderr).not.toContain(wrong);
    expect(result.status).toBe(1);
  });

  it.each([
    ['no --tenant-id', ['--fetch', 'frontegg', '--endpoint', 'http://127.0.0.1:9'], credentials, /--tenant-id/],
    ['no client id', ['--fetch', 'frontegg', '--endpoint', 'http://127.0.0.1:9', '--tenant-id', 'acme'], { FRONTEGG_API_KEY: SECRET }, /FRONTEGG_CLIENT_ID/],
    ['a vendor it cannot fetch from', ['--fetch', 'logzab', '--endpoint', 'http://127.0.0.1:9'], credentials, /--fetch supports auditlog .* and frontegg/],
    ['a plain http endpoint that is not loopback', ['--fetch', 'frontegg', '--endpoint', 'http://example.com', '--tenant-id', 'acme'], credentials, /--endpoint/],
  ] as const)('exits 2 for bad usage: %s', async (_name, args, env, message) => {
    const result = await reconcile(args, env);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain(SECRET);
    expect(result.status).toBe(2);
  });
});

describe('fetchFronteggAudits', () => {
  async function collect(items: AsyncIterable<ExportItem>): Promise<ExportItem[]> {
    const all: ExportItem[] = [];
    for await (const item of items) all.push(item);
    return all;
  }

  it('pages oldest first with offset and count until a short page, and strips the members Frontegg adds', async () => {
    const stored = Array.from({ length: 5 }, (_, i) => ({ auditwireId: `a-${i}`, tenantId: 't', severity: 'Info', frontegg_id: `f-${i}`, createdAt: 'x', updatedAt: 'y', vendorId: 'v' }));
    const queries: FronteggAuditsQuery[] = [];
    const items = await collect(
      fetchFronteggAudits(
        async (query) => {
          queries.push(query);
          return { data: stored.slice(query.offset, query.offset + query.count) };
        },
        { tenantIds: ['t'], pageSize: 2 },
      ),
    );
    expect(queries.map((query) => [query.offset, query.count, query.sortBy, query.sortDirection])).toEqual([
      [0, 2, 'createdAt', 'ASC'],
      [2, 2, 'createdAt', 'ASC'],
      [4, 2, 'createdAt', 'ASC'],
    ]);
    expect(items).toHaveLength(5);
    const body = { auditwireId: 'a-0', tenantId: 't', severity: 'Info' };
    expect(items[0]).toEqual({ where: 'tenant t, audit 0', ok: true, value: { format: 'frontegg', serverId: 'f-0', eventId: 'a-0', body } });
  });

  it('stops at the total the service counts, without asking for an empty page', async () => {
    let calls = 0;
    const items = await collect(
      fetchFronteggAudits(
        async () => {
          calls++;
          return { data: [{ auditwireId: 'a', frontegg_id: 'f' }, { auditwireId: 'b', frontegg_id: 'g' }], total: 2 };
        },
        { tenantIds: ['t'], pageSize: 2 },
      ),
    );
    expect(calls).toBe(1);
    expect(items).toHaveLength(2);
  });

  it('stops after maxPages of a listing that never ends, and says so', async () => {
    let calls = 0;
    const items = await collect(
      fetchFronteggAudits(
        async () => {
          calls++;
          return { data: [{ auditwireId: `a-${calls}` }] };
        },
        { tenantIds: ['t'], pageSize: 1, maxPages: 3 },
      ),
    );
    expect(calls).toBe(3);
    expect(items.at(-1)).toEqual({ where: 'tenant t, audits 2..', ok: false, error: 'still more audits after 3 pages: stopped reading this tenant' });
  });

  it('names an audit auditwire did not send by its Frontegg id, so it is reported as unknown to the ledger', async () => {
    const items = await collect(fetchFronteggAudits(async () => ({ data: [{ tenantId: 't', frontegg_id: 'f-9' }, 'oops'] as unknown as Array<Record<string, unknown>> }), { tenantIds: ['t'] }));
    expect(items).toEqual([
      { where: 'tenant t, audit 0', ok: true, value: { format: 'frontegg', serverId: 'f-9', eventId: 'frontegg_id f-9', body: { tenantId: 't' } } },
      { where: 'tenant t, audit 1', ok: false, error: 'is not an audit object' },
    ]);
  });

  it('reports a failed read as unreadable and goes on with the next tenant', async () => {
    const items = await collect(
      fetchFronteggAudits(
        async (query) => {
          if (query.tenantId === 'bad') throw new Error('answered 500');
          return { data: [] };
        },
        { tenantIds: ['bad', 'good'] },
      ),
    );
    expect(items).toEqual([{ where: 'tenant bad, audits 0..', ok: false, error: 'getAudits failed (answered 500)' }]);
  });
});
