import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditsClient, ClientClosedError, TimeoutError, type AuditReceipt, type ClientOptions } from '../../../src/index.js';
import { createAuditRecorder, type AuditRecorder } from '../../../src/testing.js';
import { holdingServer, type HoldingServer } from '../../helpers/holding-server.js';
import { captureWarnings } from '../../helpers/warnings.js';

// Failures here are on purpose and heard by no listener: their process warnings are captured, not printed.
captureWarnings();

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function recorderClient(recorder: AuditRecorder, options: ClientOptions = {}): AuditsClient {
  const client = new AuditsClient({ adapter: recorder, dispatcher: recorder.dispatcher, flushIntervalMs: 0, ...options });
  cleanups.push(() => client.destroy());
  return client;
}

async function startHoldingServer(): Promise<HoldingServer> {
  const server = await holdingServer();
  cleanups.push(() => server.close());
  return server;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'auditwire-lifecycle-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

type Settled = { readonly state: 'fulfilled'; readonly receipt: AuditReceipt } | { readonly state: 'rejected'; readonly error: unknown };

/** Tracks promises as they settle, so a test can ask which are still pending at a given moment. */
function track<T>(promises: ReadonlyArray<Promise<T>>): { readonly settled: Array<Settled | undefined> } {
  const settled: Array<Settled | undefined> = promises.map(() => undefined);
  promises.forEach((promise, index) =>
    promise.then(
      (receipt) => (settled[index] = { state: 'fulfilled', receipt: receipt as AuditReceipt }),
      (error: unknown) => (settled[index] = { state: 'rejected', error }),
    ),
  );
  return { settled };
}

/** Journals `count` events that the server refused for now (503, no retries), so the next client recovers them. */
async function spoolWithUndelivered(dir: string, count: number): Promise<void> {
  const recorder = createAuditRecorder();
  recorder.failNext({ status: 503, times: count });
  const client = recorderClient(recorder, { spool: { dir, commitIntervalMs: 0 }, retry: { maxRetries: 0 } });
  const sends = Array.from({ length: count }, (_, index) => client.sendAudit({ id: `kept-${index}`, action: 'user.login' }));
  await Promise.allSettled(sends);
  await client.close();
}

describe('close() with producers waiting for room in the queue', () => {
  it('delivers every event still waiting for room before it resolves (1,000 sends into a queue of 100)', async () => {
    const recorder = createAuditRecorder();
    const client = recorderClient(recorder, { maxQueueSize: 100, whenQueueFull: 'wait' });
    const sends = Array.from({ length: 1_000 }, (_, index) => client.sendAudit({ id: `evt-${index}`, action: 'user.login' }));
    const { settled } = track(sends);

    await client.close();

    expect(settled.filter((entry) => entry === undefined)).toHaveLength(0);
    expect(settled.filter((entry) => entry?.state === 'rejected')).toEqual([]);
    expect(new Set(recorder.records.map((record) => record.id)).size).toBe(1_000);
  });

  it('fails the events still waiting for room with TimeoutError when close({ timeoutMs }) runs out, and sends nothing after', async () => {
    const server = await startHoldingServer();
    const client = new AuditsClient({
      adapter: 'auditlog', endpoint: server.url, apiKey: 'consumer:secret', flushIntervalMs: 0,
      maxQueueSize: 2, maxBatchSize: 1, maxConcurrentRequests: 1, whenQueueFull: 'wait',
    });
    cleanups.push(() => client.destroy());
    const sends = Array.from({ length: 10 }, (_, index) => client.sendAudit({ id: `evt-${index}`, action: 'user.login' }));
    const { settled } = track(sends);
    await server.received(1);

    await client.close({ timeoutMs: 50 });

    expect(settled.every((entry) => entry?.state === 'rejected' && entry.error instanceof TimeoutError)).toBe(true);
    expect(server.paths).toHaveLength(1);
  });
});

describe('destroy() while close() is pending', () => {
  it('stops a close({ timeoutMs }) that is waiting on a request in flight at once', async () => {
    const server = await startHoldingServer();
    const client = new AuditsClient({ adapter: 'auditlog', endpoint: server.url, apiKey: 'consumer:secret', flushIntervalMs: 0 });
    const sending = client.sendAudit({ action: 'user.login' });
    await server.received(1);
    const closing = client.close({ timeoutMs: 600_000 });

    await client.destroy();

    await expect(closing).resolves.toBeUndefined();
    await expect(sending).rejects.toBeInstanceOf(ClientClosedError);
  });
});

describe('close({ timeoutMs }) with a Frontegg token exchange in flight', () => {
  it('bounds the exchange init() started: close resolves and init rejects', async () => {
    const server = await startHoldingServer();
    const client = new AuditsClient({ endpoint: server.url });
    cleanups.push(() => client.destroy());
    const initializing = client.init('client-id', 'api-key');
    const initState = track([initializing]);
    await server.received(1);

    await client.close({ timeoutMs: 50 });

    expect(server.paths).toEqual(['/auth/vendor']);
    expect(initState.settled[0]?.state).toBe('rejected');
  });

  it('bounds the exchange a send waits for: the event fails with TimeoutError', async () => {
    const server = await startHoldingServer();
    const client = new AuditsClient({ endpoint: server.url, clientId: 'client-id', apiKey: 'api-key', flushIntervalMs: 0 });
    cleanups.push(() => client.destroy());
    const sending = client.sendAudit({ tenantId: 'tenant-1', action: 'user.login', severity: 'Info' });
    const { settled } = track([sending]);
    await server.received(1);

    await client.close({ timeoutMs: 50 });

    expect(settled[0]?.state).toBe('rejected');
    expect(settled[0]?.state === 'rejected' && settled[0].error).toBeInstanceOf(TimeoutError);
  });
});

describe('a client that recovers more events than maxQueueSize from its spool', () => {
  it('delivers all of them before flush() resolves', async () => {
    const dir = tempDir();
    await spoolWithUndelivered(dir, 30);
    const recorder = createAuditRecorder();
    const client = recorderClient(recorder, { spool: { dir, commitIntervalMs: 0 }, maxQueueSize: 5 });

    await client.flush();

    expect(recorder.records.map((record) => record.id).sort()).toEqual(Array.from({ length: 30 }, (_, index) => `kept-${index}`).sort());
    await client.close();
  });

  it('reports every recovered event it could not send when close({ timeoutMs }) runs out', async () => {
    const dir = tempDir();
    const server = await startHoldingServer();
    const options: ClientOptions = {
      adapter: 'auditlog', endpoint: server.url, apiKey: 'consumer:secret', flushIntervalMs: 0,
      maxQueueSize: 5, maxBatchSize: 1, maxConcurrentRequests: 1, spool: { dir, commitIntervalMs: 0 },
    };
    const first = new AuditsClient({ ...options, whenQueueFull: 'wait' });
    const sends = Array.from({ length: 30 }, (_, index) => first.sendAudit({ id: `kept-${index}`, action: 'user.login' }));
    await server.received(1);
    await first.destroy();
    await Promise.allSettled(sends);

    const client = new AuditsClient(options);
    cleanups.push(() => client.destroy());
    const failedIds: string[] = [];
    client.on('failed', (_error, id) => failedIds.push(id));
    await server.received(2);

    await client.close({ timeoutMs: 20 });

    expect(failedIds.sort()).toEqual(Array.from({ length: 30 }, (_, index) => `kept-${index}`).sort());
    expect(client.stats()).toMatchObject({ recovered: 30, failed: 30 });
  });
});
