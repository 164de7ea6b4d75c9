import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { ensureCliBuilt } from '../helpers/cli.js';
import { lib, recordFigures, sized, testing } from './target.js';

// The lifecycle and user-callback hardening (issue 12, items 1, 2, 3, 6) at scale. Each scenario records one row of
// the 'hardening' table: lost (resolved but not stored, or neither delivered nor reported), duplicated (stored twice
// by a deduplicating server: absorbed duplicates), leaked (timers left running after the stop, plus user errors
// that escaped as unhandled rejections), unsettled (promises still pending when the stop resolved).

interface Tally {
  readonly settled: number;
  readonly resolvedIds: string[];
  readonly rejected: number;
}

function tally(sends: ReadonlyArray<Promise<{ id: string }>>): Tally {
  const state = { settled: 0, resolvedIds: [] as string[], rejected: 0 };
  for (const send of sends) {
    send.then(
      (receipt) => {
        state.settled++;
        state.resolvedIds.push(receipt.id);
      },
      () => {
        state.settled++;
        state.rejected++;
      },
    );
  }
  return state;
}

type Client = InstanceType<typeof lib.AuditsClient>;
type Server = Awaited<ReturnType<typeof testing.createReferenceServer>>;

/** Sends `events` events (ids `prefix-i`), closes the client, and reads what settled and what the server stored. */
async function sendThenClose(client: Client, server: Server, prefix: string, events: number, started: number) {
  const state = tally(Array.from({ length: events }, (_, index) => client.sendAudit({ id: `${prefix}-${index}`, action: 'user.login' })));
  await client.close();
  const seconds = (performance.now() - started) / 1000;
  const unsettled = events - state.settled;
  await turns(5);
  return { state, seconds, unsettled, stored: new Set(server.events.map((event) => event.eventId)) };
}

function timers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
}

async function turns(count: number): Promise<void> {
  for (let turn = 0; turn < count; turn++) await new Promise((resolve) => setImmediate(resolve));
}

describe('hardening: lifecycle at scale', () => {
  it('item 1: close() drains every producer waiting for room (sends into a queue of 100)', async () => {
    const events = sized({ ci: 1_000, full: 20_000 });
    const server = await testing.createReferenceServer({ deduplicate: true });
    const timersBefore = timers();
    const started = performance.now();
    const client = new lib.AuditsClient({ adapter: 'auditlog', endpoint: server.url, apiKey: 'consumer:secret', maxQueueSize: 100, whenQueueFull: 'wait' });
    const { state, seconds, unsettled, stored } = await sendThenClose(client, server, 'wait', events, started);
    const lost = state.resolvedIds.filter((id) => !stored.has(id)).length + state.rejected;
    const leaked = Math.max(0, timers() - timersBefore);
    await server.close();
    recordFigures('hardening', { item: 1, scenario: `${events.toLocaleString('en-US')} sends into a queue of 100 (wait), then close()`, events, lost, duplicated: server.stats.duplicates, leaked, unsettled, seconds });
    expect({ lost, unsettled, leaked, stored: stored.size }).toEqual({ lost: 0, unsettled: 0, leaked: 0, stored: events });
  }, 300_000);

  it('item 2: destroy() ends a close({ timeoutMs: 60 s }) waiting on slow answers at once', async () => {
    const events = sized({ ci: 500, full: 5_000 });
    const server = await testing.createReferenceServer({ deduplicate: true, faults: { delayMs: 10_000 } });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const client = new lib.AuditsClient({ adapter: 'auditlog', endpoint: server.url, apiKey: 'consumer:secret', maxQueueSize: events });
    const reported: unknown[] = [];
    client.on('error', (error) => void reported.push(error));
    const sends = Array.from({ length: events }, (_, index) => client.sendAudit({ id: `slow-${index}`, action: 'user.login' }));
    const state = tally(sends);
    const closing = client.close({ timeoutMs: 60_000 });
    await turns(3);
    const started = performance.now();
    await client.destroy();
    await closing;
    const seconds = (performance.now() - started) / 1000;
    const unsettled = events - state.settled;
    await turns(5);
    // The server's held answers keep timers of their own: here only escaped errors count as leaked.
    const leaked = unhandled.length;
    process.off('unhandledRejection', onUnhandled);
    await server.close();
    // Every event was reported failed (ClientClosedError): none lost without a word.
    const lost = events - state.rejected - state.resolvedIds.length;
    recordFigures('hardening', { item: 2, scenario: `destroy() during close({ timeoutMs: 60 s }), ${events.toLocaleString('en-US')} events queued or in flight`, events, lost, duplicated: server.stats.duplicates, leaked, unsettled, seconds });
    expect({ lost, unsettled, leaked, reported: reported.length }).toEqual({ lost: 0, unsettled: 0, leaked: 0, reported: events });
    expect(seconds).toBeLessThan(5);
  }, 120_000);
});

describe('hardening: user callbacks under load', () => {
  it('item 6: listeners, onError and the logger that throw or reject change no outcome and escape nowhere', async () => {
    const events = sized({ ci: 2_000, full: 50_000 });
    const server = await testing.createReferenceServer({ deduplicate: true, seed: 6, faults: { statuses: [{ status: 503, probability: 0.05 }] } });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    // The failures are said once as process warnings: captured here, not printed.
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    let calls = 0;
    const hostile = (): unknown => {
      calls++;
      if (calls % 2 === 0) throw new Error('user code threw');
      return Promise.reject(new Error('user code rejected'));
    };
    const timersBefore = timers();
    const started = performance.now();
    try {
      const client = new lib.AuditsClient({
        adapter: 'auditlog', endpoint: server.url, apiKey: 'consumer:secret', maxQueueSize: events, flushIntervalMs: 5,
        retry: { initialDelayMs: 1, maxDelayMs: 5 },
        onError: hostile,
        logger: { debug: hostile, warn: hostile, error: hostile } as never,
      });
      for (const name of ['delivered', 'failed', 'retry', 'error', 'hashMismatch'] as const) client.on(name, hostile as never);
      const { state, seconds, unsettled, stored } = await sendThenClose(client, server, 'cb', events, started);
      // Lost: resolved but not stored, or stored but reported failed.
      const lost = state.resolvedIds.filter((id) => !stored.has(id)).length + (stored.size - state.resolvedIds.length);
      const leaked = unhandled.length + Math.max(0, timers() - timersBefore);
      recordFigures('hardening', { item: 6, scenario: `every listener, onError and logger method throwing or rejecting, ${events.toLocaleString('en-US')} events, 5% 503s`, events, lost, duplicated: server.stats.duplicates, leaked, unsettled, seconds });
      expect({ lost, unsettled, leaked, rejected: state.rejected }).toEqual({ lost: 0, unsettled: 0, leaked: 0, rejected: 0 });
      expect(calls).toBeGreaterThan(events);
    } finally {
      warnings.mockRestore();
      process.off('unhandledRejection', onUnhandled);
      await server.close();
    }
  }, 300_000);
});

describe('hardening: exit promptness', () => {
  it('item 3: an ES module script awaiting sends through the recorder sends them all and exits promptly', async () => {
    ensureCliBuilt();
    const events = sized({ ci: 50, full: 1_000 });
    const dir = mkdtempSync(join(tmpdir(), 'auditwire-exit-'));
    const dist = (name: string): string => JSON.stringify(pathToFileURL(fileURLToPath(new URL(`../../dist/${name}`, import.meta.url))).href);
    const file = join(dir, 'child.mjs');
    writeFileSync(
      file,
      `
      import { AuditsClient } from ${dist('index.js')};
      import { createAuditRecorder } from ${dist('testing.js')};
      const recorder = createAuditRecorder();
      const client = new AuditsClient({ adapter: recorder, dispatcher: recorder.dispatcher, flushIntervalMs: 1 });
      for (let i = 0; i < ${events}; i++) await client.sendAudit({ action: 'user.login', actor: { id: 'user-' + i } });
      console.log(JSON.stringify({ sent: recorder.events.length, at: Date.now() }));
    `,
    );
    try {
      const result = await new Promise<{ code: number | null; stdout: string; exitedAt: number }>((resolve) => {
        const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'ignore'] });
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.on('exit', (code) => resolve({ code, stdout, exitedAt: Date.now() }));
      });
      const report = JSON.parse(result.stdout.trim() || '{"sent":0,"at":0}') as { sent: number; at: number };
      const seconds = report.at > 0 ? (result.exitedAt - report.at) / 1000 : Number.NaN;
      recordFigures('hardening', { item: 3, scenario: `ESM script awaiting ${events.toLocaleString('en-US')} sends at top level (recorder): exit after the last`, events, lost: events - report.sent, duplicated: 0, leaked: 0, unsettled: result.code === 13 ? events - report.sent : 0, seconds });
      expect({ code: result.code, sent: report.sent }).toEqual({ code: 0, sent: events });
      expect(seconds).toBeLessThan(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
