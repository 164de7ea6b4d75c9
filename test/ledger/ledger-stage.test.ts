import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditsClient, DeliveryError, ValidationError, openLedger, type Adapter, type AuditsError, type ClientOptions } from '../../src/index.js';
import { createReferenceServer, type ReferenceServer } from '../../src/testing.js';
import { thrownBy } from '../helpers/errors.js';
import { keys, ORIGIN, tempDir } from './ledger-fixture.js';

let server: ReferenceServer;
const { privateKey } = keys();

beforeAll(async () => {
  server = await createReferenceServer();
});
afterAll(async () => {
  await server.close();
});

const ADAPTERS: ReadonlyArray<[string, Partial<ClientOptions>]> = [
  ['auditlog', { adapter: 'auditlog', apiKey: 'consumer:secret' }],
  ['retraced', { adapter: 'retraced', apiKey: 'token', projectId: 'project-1' }],
  ['logzab', { adapter: 'logzab', apiKey: 'lzk_key' }],
  ['frontegg', { adapter: 'frontegg', clientId: 'client', apiKey: 'secret' }],
];

function records(dir: string): Array<Record<string, unknown>> {
  return readFileSync(join(dir, 'records.log'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line.slice(9)) as Record<string, unknown>);
}

describe('the client with a ledger', () => {
  it.each(ADAPTERS)('records each event %s acknowledged with its own time, server id and verification', async (name, options) => {
    const dir = tempDir();
    const client = new AuditsClient({ ...options, endpoint: server.url, ledger: { dir, signingKey: privateKey, origin: ORIGIN } } as ClientOptions);
    const time = '2026-04-05T06:07:08.090Z';
    const receipt = await client.sendAudit({ id: `stage-${name}`, action: 'invoice.paid', time, crud: 'u', tenant: { id: 'acme' }, actor: { id: 'user-1' }, target: { id: 'inv-1' } });
    await client.flush();
    // On disk once flush() resolves, before close().
    const [record] = records(dir);
    expect(record).toEqual({
      id: `stage-${name}`,
      hash: receipt.hash,
      ...(receipt.serverId === undefined ? {} : { serverId: receipt.serverId }),
      ...(receipt.serverHash === undefined ? {} : { serverHash: receipt.serverHash }),
      verified: receipt.verified,
      adapter: name,
      time,
      ackedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    await client.close();
    expect(readFileSync(join(dir, 'checkpoint'), 'utf8')).toMatch(new RegExp(`^${ORIGIN}\\n1\\n`));
  });

  it('does not record an event the server refused', async () => {
    const dir = tempDir();
    const client = new AuditsClient({ adapter: 'auditlog', apiKey: 'consumer:secret', endpoint: server.url, retry: { maxRetries: 0 }, ledger: { dir, signingKey: privateKey, origin: ORIGIN } });
    client.on('error', () => undefined);
    server.setFaults({ statuses: [{ status: 400, probability: 1 }] });
    try {
      await expect(client.sendAudit({ id: 'refused', action: 'a.b' })).rejects.toThrow();
    } finally {
      server.setFaults({});
    }
    await client.sendAudit({ id: 'accepted', action: 'a.b' });
    await client.close();
    expect(records(dir).map((record) => record.id)).toEqual(['accepted']);
  });

  it('refuses bad ledger options at construction, listing each, without quoting the key', () => {
    const secret = `-----BEGIN PRIVATE KEY-----\nTOPSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n`;
    const error = thrownBy(() => new AuditsClient({ adapter: 'auditlog', apiKey: 'k:s', endpoint: server.url, ledger: { dir: '', signingKey: secret, checkpointIntervalMs: -1 } }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual(['options.ledger.dir', 'options.ledger.checkpointIntervalMs', 'options.ledger.signingKey']);
    expect(`${(error as Error).message} ${JSON.stringify(error)}`).not.toContain('TOPSECRET');
  });

  it('reports a ledger it cannot open, still delivers, and says at close how many events were not recorded', async () => {
    const dir = tempDir();
    const holder = await openLedger({ dir, signingKey: privateKey, origin: ORIGIN });
    const errors: AuditsError[] = [];
    const client = new AuditsClient({ adapter: 'auditlog', apiKey: 'consumer:secret', endpoint: server.url, ledger: { dir, signingKey: privateKey, origin: ORIGIN }, onError: (error) => errors.push(error) });
    const receipt = await client.sendAudit({ id: 'delivered-anyway', action: 'a.b' });
    expect(receipt.id).toBe('delivered-anyway');
    await client.close();
    await holder.close();
    expect(errors.map((error) => [error.constructor, error.message])).toEqual([
      [DeliveryError, expect.stringMatching(/^ledger: cannot open .* is in use: .*acknowledged events are not recorded in it$/)],
      [DeliveryError, 'ledger: 1 acknowledged event(s) were not recorded'],
    ]);
    expect(JSON.stringify(errors.map((error) => error.message))).not.toContain(privateKey.split('\n')[1]?.slice(0, 16));
  });

  it('continues one tree across clients on the same directory', async () => {
    const dir = tempDir();
    for (const id of ['first', 'second']) {
      const client = new AuditsClient({ adapter: 'auditlog', apiKey: 'consumer:secret', endpoint: server.url, ledger: { dir, signingKey: privateKey, origin: ORIGIN } });
      await client.sendAudit({ id, action: 'a.b' });
      await client.close();
    }
    expect(records(dir).map((record) => record.id)).toEqual(['first', 'second']);
    expect(readFileSync(join(dir, 'checkpoints.log'), 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('reports, never throws, an acknowledged event that makes no valid record (a custom adapter with a non-SHA-256 hash)', async () => {
    const dir = tempDir();
    const adapter: Adapter = {
      name: 'custom',
      limits: { maxBatchSize: 10, maxBatchBytes: 1 << 20 },
      prepare: (input) => ({ id: (input as { id: string }).id, wire: '{"a":1}', hash: 'md5-not-sha256', bytes: 7 }),
      encode: () => ({ method: 'POST', url: `${server.url}/custom`, headers: {}, body: '{}' }),
      decode: (_, batch) => ({ kind: 'per-event', outcomes: new Map(batch.map((_, i) => [i, { ok: true as const }])), resend: [] }),
    };
    const errors: AuditsError[] = [];
    const client = new AuditsClient({ adapter, endpoint: server.url, ledger: { dir, signingKey: privateKey, origin: ORIGIN }, onError: (error) => errors.push(error) });
    expect((await client.sendAudit({ id: 'odd', action: 'a.b' })).hash).toBe('md5-not-sha256');
    await client.close();
    expect(errors.map((error) => error.message)).toEqual([expect.stringMatching(/^ledger: event odd was not recorded \(\$\.hash: /)]);
    expect(readFileSync(join(dir, 'records.log'), 'utf8')).toBe('');
  });
});
