import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
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

describe('close({ timeoutMs }) with a background token renewal in flight', () => {
  it('cuts the renewal off and resolves in time', async () => {
    // The first /auth/vendor answers a 2-second token; the renewal at 80% of it is never answered.
    let exchanges = 0;
    let renewalStarted!: () => void;
    const renewing = new Promise<void>((resolve) => (renewalStarted = resolve));
    const held: ServerResponse[] = [];
    const server = createServer((request, response) => {
      request.resume();
      if (request.url === '/auth/vendor' && ++exchanges === 1) {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ token: 'token-1', expiresIn: 2 }));
      } else {
        held.push(response);
        renewalStarted();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }));
    const client = new AuditsClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    cleanups.push(() => client.destroy());
    await client.init('client-id', 'api-key');
    await renewing;

    await client.close({ timeoutMs: 50 });

    expect(exchanges).toBe(2);
    expect(held).toHaveLength(1);
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

// The whole surface: every way an event is accepted x every way the client stops. Whatever the timing, when the
// stop resolves every promise has settled, each event was delivered (the server holds it) or failed with the
// stop's error, and nothing is sent afterwards.

type Intake = 'sendAudit' | 'sendAudits' | 'waiting for room' | 'spool replay' | 'init pending';
type Stop = 'close()' | 'close({ timeoutMs })' | 'destroy()' | 'destroy() during close()' | 'asyncDispose';

const INTAKES: readonly Intake[] = ['sendAudit', 'sendAudits', 'waiting for room', 'spool replay', 'init pending'];
const STOPS: readonly Stop[] = ['close()', 'close({ timeoutMs })', 'destroy()', 'destroy() during close()', 'asyncDispose'];
const EVENTS = 30;

/** Which errors each stop may fail an event with; close() and asyncDispose wait for every event. */
const ALLOWED_FAILURES: Record<Stop, ReadonlyArray<string>> = {
  'close()': [],
  'close({ timeoutMs })': ['TimeoutError'],
  'destroy()': ['ClientClosedError'],
  'destroy() during close()': ['ClientClosedError'],
  asyncDispose: [],
};

async function stop(client: AuditsClient, how: Stop): Promise<void> {
  if (how === 'close()') return client.close();
  if (how === 'close({ timeoutMs })') return client.close({ timeoutMs: 15 });
  if (how === 'destroy()') return client.destroy();
  if (how === 'asyncDispose') return client[Symbol.asyncDispose]();
  const closing = client.close({ timeoutMs: 60_000 });
  await new Promise((resolve) => setImmediate(resolve));
  await client.destroy();
  return closing;
}

describe.each(INTAKES)('events accepted by %s', (intake) => {
  it.each(STOPS)('are each delivered or failed, and nothing is sent after, when the client stops by %s', async (how) => {
    const { createReferenceServer } = await import('../../../src/testing.js');
    const server = await createReferenceServer({ faults: { delayMs: 5 } });
    cleanups.push(() => server.close());
    // Counts the requests the client starts, so that one started after the stop would show.
    let dispatched = 0;
    const agent = new Agent();
    cleanups.push(() => agent.destroy());
    const dispatcher = agent.compose((dispatch) => (options, handler) => {
      dispatched++;
      return dispatch(options, handler);
    });
    const base: ClientOptions = { endpoint: server.url, flushIntervalMs: 0, maxBatchSize: 5, dispatcher };
    const auditlog: ClientOptions = { ...base, adapter: 'auditlog', apiKey: 'consumer:secret' };
    const ids = Array.from({ length: EVENTS }, (_, index) => `evt-${index}`);
    let client: AuditsClient;
    let sends: Array<Promise<unknown>> = [];
    const outcomes = new Map<string, string>();

    if (intake === 'spool replay') {
      const dir = tempDir();
      // Journaled by a client that was stopped before any was sent.
      const first = new AuditsClient({ ...auditlog, spool: { dir, commitIntervalMs: 0 }, flushIntervalMs: 60_000 });
      for (const id of ids) void first.sendAudit({ id, action: 'user.login' });
      await first.destroy();
      client = new AuditsClient({ ...auditlog, spool: { dir, commitIntervalMs: 0 } });
      client.on('delivered', (receipt) => outcomes.set(receipt.id, 'delivered'));
      client.on('failed', (error, id) => outcomes.set(id, error.name));
      await new Promise((resolve) => setImmediate(resolve));
    } else if (intake === 'init pending') {
      client = new AuditsClient(base);
      void client.init('client-id', 'api-key');
      sends = ids.map((id) => client.sendAudit({ id, tenantId: 'tenant-1', action: 'user.login', severity: 'Info' } as never));
    } else if (intake === 'sendAudits') {
      client = new AuditsClient(auditlog);
      sends = [client.sendAudits(ids.map((id) => ({ id, action: 'user.login' })))];
    } else {
      client = new AuditsClient({ ...auditlog, ...(intake === 'waiting for room' && { maxQueueSize: 5, whenQueueFull: 'wait' as const }) });
      sends = ids.map((id) => client.sendAudit({ id, action: 'user.login' }));
    }
    cleanups.push(() => client.destroy());
    const { settled } = track(sends);
    const perEvent = intake === 'sendAudits' ? undefined : settled;
    if (intake === 'sendAudits') {
      client.on('delivered', (receipt) => outcomes.set(receipt.id, 'delivered'));
      client.on('failed', (error, id) => outcomes.set(id, error.name));
    }

    await stop(client, how);

    // Every promise has settled by now.
    expect(settled.filter((entry) => entry === undefined)).toHaveLength(0);
    if (perEvent !== undefined && intake !== 'spool replay') {
      perEvent.forEach((entry, index) => outcomes.set(ids[index] as string, entry?.state === 'fulfilled' ? 'delivered' : (entry?.error as Error).name));
    }
    expect(outcomes.size).toBe(EVENTS);
    const stored = new Set(server.events.map((event) => event.eventId));
    for (const [id, outcome] of outcomes) {
      // Frontegg's wire event carries no id of ours: its events are counted below instead.
      if (outcome === 'delivered' && intake !== 'init pending') expect(stored.has(id)).toBe(true);
      if (outcome !== 'delivered') expect(ALLOWED_FAILURES[how]).toContain(outcome);
    }
    const delivered = [...outcomes.values()].filter((outcome) => outcome === 'delivered').length;
    expect(server.events.length).toBeGreaterThanOrEqual(delivered);
    // Nothing is started once the client has stopped.
    const started = dispatched;
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setTimeout(resolve, 2));
    expect(dispatched).toBe(started);
  });
});
