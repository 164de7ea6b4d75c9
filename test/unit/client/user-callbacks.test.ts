import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AuditsClient,
  HashMismatchError,
  ValidationError,
  type AuditsClientEventMap,
  type ClientOptions,
  type Logger,
} from '../../../src/index.js';
import { createAuditRecorder, createReferenceServer, type ReferenceServer } from '../../../src/testing.js';
import { captureWarnings } from '../../helpers/warnings.js';

// Every place the client calls user code, made to throw or to return a rejected promise: the outcome of every
// event stays what the server decided, nothing escapes as an exception or an unhandled rejection, and the failure
// is said somewhere (the logger, or a process warning).

const warnings = captureWarnings();

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
// Warnings are rate limited per process (one a minute): each test starts a minute after the last, on a still clock.
let clock = Date.now();
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
  clock += 61_000;
  vi.useFakeTimers({ toFake: ['Date'], now: clock });
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  process.off('unhandledRejection', onUnhandled);
  vi.useRealTimers();
});

type Mode = 'throws' | 'rejects';
const MODES: readonly Mode[] = ['throws', 'rejects'];

function userCode(mode: Mode, calls: string[], name: string): () => unknown {
  return () => {
    calls.push(name);
    if (mode === 'throws') throw new Error(`${name} failed`);
    return Promise.reject(new Error(`${name} failed`));
  };
}

/** Lets pending rejections surface as 'unhandledRejection' before the test looks. */
async function settleTurns(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
}

type Outcome = 'delivered' | string;

async function outcomeOf(promise: Promise<unknown>): Promise<Outcome> {
  return promise.then(
    () => 'delivered',
    (error: unknown) => (error as Error).name,
  );
}

/**
 * A recorder that refuses `bad`, answers the first request with a 503 (one retry), and a send of invalid input:
 * it exercises 'delivered', 'failed', 'error', 'retry', onError and the logger's warn.
 */
async function mixedBatch(options: ClientOptions, listen: (client: AuditsClient) => void): Promise<Outcome[]> {
  const recorder = createAuditRecorder();
  recorder.failNext({ status: 503 });
  recorder.refuse({ uuid: 'bad' }, 'no such tenant');
  const client = new AuditsClient({ adapter: recorder, dispatcher: recorder.dispatcher, flushIntervalMs: 0, retry: { initialDelayMs: 0 }, ...options });
  cleanups.push(() => client.destroy());
  listen(client);
  let sends: Array<Promise<unknown>> = [];
  expect(() => {
    sends = [
      client.sendAudit({ id: 'ok-1', action: 'user.login' }),
      client.sendAudit({ id: 'bad', action: 'user.login' }),
      client.sendAudit({ id: 'ok-2', action: 'user.login' }),
      client.sendAudit({ action: '' }),
    ];
  }).not.toThrow();
  const outcomes = await Promise.all(sends.map(outcomeOf));
  await client.close();
  expect(recorder.records.map((record) => record.id).sort()).toEqual(['ok-1', 'ok-2']);
  return outcomes;
}

const MIXED_OUTCOMES = ['delivered', 'ValidationError', 'delivered', 'ValidationError'];

type ListenedEvent = 'delivered' | 'failed' | 'error' | 'retry';

describe.each(MODES)('user code that %s', (mode) => {
  it.each<ListenedEvent>(['delivered', 'failed', 'error', 'retry'])("in a '%s' listener changes no event's outcome and escapes nowhere", async (name) => {
    const calls: string[] = [];
    const after: string[] = [];
    const outcomes = await mixedBatch({}, (client) => {
      client.on(name, userCode(mode, calls, name) as (...args: AuditsClientEventMap[typeof name]) => void);
      // A second listener still hears every event after the first one failed.
      client.on(name, () => void after.push(name));
    });
    expect(outcomes).toEqual(MIXED_OUTCOMES);
    expect(calls.length).toBeGreaterThan(0);
    expect(after).toHaveLength(calls.length);
    await settleTurns();
    expect(unhandled).toEqual([]);
    // Nobody else hears it (no logger): a process warning says so.
    expect(warnings.messages.join('\n')).toContain(`a '${name}' listener threw`);
  });

  it('in onError changes no outcome and escapes nowhere', async () => {
    const calls: string[] = [];
    const outcomes = await mixedBatch({ onError: userCode(mode, calls, 'onError') }, () => {});
    expect(outcomes).toEqual(MIXED_OUTCOMES);
    expect(calls).toHaveLength(2);
    await settleTurns();
    expect(unhandled).toEqual([]);
  });

  it('in every logger method (and in onError and the listeners) changes no outcome and escapes nowhere', async () => {
    const calls: string[] = [];
    const logger: Logger = { debug: userCode(mode, calls, 'debug') as Logger['debug'], warn: userCode(mode, calls, 'warn') as Logger['warn'], error: userCode(mode, calls, 'error') as Logger['error'] };
    const outcomes = await mixedBatch({ logger, onError: userCode(mode, calls, 'onError') }, (client) => {
      for (const name of ['delivered', 'failed', 'error', 'retry'] as const) client.on(name, userCode(mode, calls, name));
    });
    expect(outcomes).toEqual(MIXED_OUTCOMES);
    expect(new Set(calls)).toEqual(new Set(['warn', 'error', 'onError', 'delivered', 'failed', 'retry']));
    await settleTurns();
    expect(unhandled).toEqual([]);
    // The logger cannot say it: a process warning does.
    expect(warnings.messages.join('\n')).toContain("the logger's");
  });

  it("in a 'hashMismatch' listener changes no outcome and escapes nowhere", async () => {
    const server: ReferenceServer = await createReferenceServer({ faults: { wrongHashProbability: 1 } });
    cleanups.push(() => server.close());
    const client = new AuditsClient({ adapter: 'auditlog', endpoint: server.url, apiKey: 'consumer:secret', flushIntervalMs: 0 });
    cleanups.push(() => client.destroy());
    const calls: string[] = [];
    client.on('hashMismatch', userCode(mode, calls, 'hashMismatch'));
    const outcome = await outcomeOf(client.sendAudit({ action: 'user.login' }));
    expect(outcome).toBe(HashMismatchError.name);
    expect(calls).toEqual(['hashMismatch']);
    await settleTurns();
    expect(unhandled).toEqual([]);
  });

  it("in 'persisted' and 'recovered' listeners changes no outcome and escapes nowhere", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auditwire-callbacks-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const recorder = createAuditRecorder();
    recorder.failNext({ status: 503, times: 3 });
    const calls: string[] = [];
    const first = new AuditsClient({ adapter: recorder, dispatcher: recorder.dispatcher, flushIntervalMs: 0, retry: { maxRetries: 0 }, spool: { dir, commitIntervalMs: 0 } });
    first.on('persisted', userCode(mode, calls, 'persisted'));
    const kept = await outcomeOf(first.sendAudit({ id: 'kept', action: 'user.login' }));
    expect(kept).toBe('DeliveryError');
    await first.close();

    const second = new AuditsClient({ adapter: recorder, dispatcher: recorder.dispatcher, flushIntervalMs: 0, spool: { dir, commitIntervalMs: 0 } });
    cleanups.push(() => second.destroy());
    second.on('recovered', userCode(mode, calls, 'recovered'));
    second.on('persisted', userCode(mode, calls, 'persisted'));
    const fresh = await outcomeOf(second.sendAudit({ id: 'fresh', action: 'user.login' }));
    await second.flush();
    expect(fresh).toBe('delivered');
    expect(recorder.records.map((record) => record.id).sort()).toEqual(['fresh', 'kept']);
    expect(calls).toContain('recovered');
    expect(calls).toContain('persisted');
    await settleTurns();
    expect(unhandled).toEqual([]);
  });
});

describe("sendAudit with invalid input and a throwing 'error' listener", () => {
  it('never throws synchronously, and rejects with the ValidationError', async () => {
    const recorder = createAuditRecorder();
    const client = new AuditsClient({ adapter: recorder, dispatcher: recorder.dispatcher });
    cleanups.push(() => client.destroy());
    client.on('error', () => {
      throw new Error('listener failed');
    });
    let sending: Promise<unknown> | undefined;
    expect(() => (sending = client.sendAudit({ action: '' }))).not.toThrow();
    expect(() => void client.sendAudits('not an array' as never).catch(() => {})).not.toThrow();
    await expect(sending).rejects.toBeInstanceOf(ValidationError);
  });
});
