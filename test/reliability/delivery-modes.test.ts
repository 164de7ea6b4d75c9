import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { adapterOptions, chaosFaults, FORMATS, runChaos, totalOf, type ChaosFigures } from './chaos-harness.js';
import { lib, recordFigures, sized, testing } from './target.js';
import type { RetryInfo } from '../../src/index.js';
import { captureWarnings } from '../helpers/warnings.js';

// Failures here are on purpose and some clients have no 'error' listener: their process warnings are captured.
captureWarnings();

// What `delivery` promises (README "Retries and what a failure means", docs/reliability.md), checked against the
// reference server WITHOUT deduplication, as the vendors behave:
// - at-least-once: ambiguous failures (drop after the request was sent, timeout, 500/502/504) are retried, so
//   nothing is lost and an event may be stored twice;
// - at-most-once: ambiguous failures are not retried (possible loss, never a duplicate), while explicit refusals
//   (408, 429, 503) and refused connections are retried in both modes.

const PER_FORMAT = sized({ ci: 600, full: 5_000 });
const TIME_LIMIT_MS = sized({ ci: 30_000, full: 300_000 });
const AMBIGUOUS_CODES = new Set(['DELIVERY', 'TIMEOUT']);

async function eachFormat(options: { delivery: 'at-least-once' | 'at-most-once'; faults?: (format: (typeof FORMATS)[number]) => object; tag: string }): Promise<ChaosFigures[]> {
  const runs: ChaosFigures[] = [];
  for (const format of FORMATS) {
    runs.push(
      await runChaos({
        format,
        events: PER_FORMAT,
        seed: 2000 + FORMATS.indexOf(format),
        faults: options.faults?.(format) ?? chaosFaults(format, 1_200),
        deduplicate: false,
        delivery: options.delivery,
        requestTimeoutMs: 600,
        timeLimitMs: TIME_LIMIT_MS,
        tag: options.tag,
      }),
    );
  }
  return runs;
}

describe('delivery modes against a server that does not deduplicate (as the vendors)', () => {
  it('at-least-once: loses nothing; an ambiguous failure can store an event twice', async () => {
    const runs = await eachFormat({ delivery: 'at-least-once', tag: 'alo' });
    const total = totalOf(runs);
    recordFigures('delivery-at-least-once', total);
    expect(runs.flatMap((run) => run.sampleFailures)).toEqual([]);
    expect(total).toMatchObject({ lost: 0, acknowledgedNotStored: 0, unsettled: 0, falseMismatches: 0 });
    expect(total.wrongHashesDetected).toBe(total.wrongHashesSent);
    // The vendors' case: the resend of a batch stored before its connection dropped is stored again.
    expect(total.storedTwice).toBeGreaterThan(0);
  }, TIME_LIMIT_MS * 4 + 30_000);

  it('at-most-once: stores nothing twice; only ambiguous failures lose events, and every loss is reported', async () => {
    const runs = await eachFormat({ delivery: 'at-most-once', tag: 'amo' });
    const total = totalOf(runs);
    recordFigures('delivery-at-most-once', total);
    expect(total).toMatchObject({ storedTwice: 0, acknowledgedNotStored: 0, unsettled: 0, falseMismatches: 0 });
    expect(total.wrongHashesDetected).toBe(total.wrongHashesSent);
    // Every event is accounted for: delivered, or failed with a reason (no silent loss).
    expect(total.delivered + total.mismatched + total.failed).toBe(total.events);
    for (const run of runs) {
      for (const code of Object.keys(run.failedByCode)) expect(AMBIGUOUS_CODES).toContain(code);
    }
    // The faults did cost events: a connection dropped after the request was sent is not retried.
    expect(total.failed).toBeGreaterThan(0);
    expect(total.lost).toBeGreaterThan(0);
    expect(total.lost).toBeLessThanOrEqual(total.failed);
  }, TIME_LIMIT_MS * 4 + 30_000);

  it('at-most-once: retries explicit refusals (503, 429 with Retry-After) and delivers everything', async () => {
    const runs = await eachFormat({
      delivery: 'at-most-once',
      tag: 'amo-refusals',
      faults: () => ({ statuses: [{ status: 503, probability: 0.15 }, { status: 429, probability: 0.1, retryAfterSeconds: 1 }, { status: 408, probability: 0.05 }] }),
    });
    const total = totalOf(runs);
    expect(total).toMatchObject({ delivered: total.events, lost: 0, storedTwice: 0, unsettled: 0, failed: 0 });
    expect(total.faulted).toBeGreaterThan(0);
  }, TIME_LIMIT_MS * 4 + 30_000);

  it.each(['at-most-once', 'at-least-once'] as const)('%s: retries a refused connection until the server is up', async (delivery) => {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const client = new lib.AuditsClient({
      ...adapterOptions('auditlog', endpoint),
      delivery,
      flushIntervalMs: 1,
      retry: { maxRetries: 50, initialDelayMs: 5, maxDelayMs: 20 },
    });
    let server: Awaited<ReturnType<typeof testing.createReferenceServer>> | undefined;
    let retried: RetryInfo | undefined;
    // The server comes up once the client has seen the refusal and scheduled a retry; the handler only records
    // (an assertion thrown inside it would land in the client, not in this test).
    const up = new Promise<void>((resolve, reject) => {
      client.once('retry', (info) => {
        retried = info;
        testing.createReferenceServer({ port }).then((started) => {
          server = started;
          resolve();
        }, reject);
      });
    });
    try {
      const receipt = client.sendAudit({ id: `refused-${delivery}`, action: 'user.login' });
      await up;
      expect((retried?.error.cause as { code?: string } | undefined)?.code).toBe('ECONNREFUSED');
      await expect(receipt).resolves.toMatchObject({ id: `refused-${delivery}`, verified: true });
      expect(server?.events.map((event) => event.eventId)).toEqual([`refused-${delivery}`]);
    } finally {
      await client.destroy();
      await server?.close();
    }
  });
});

/** A port that was free a moment ago (bound and released on loopback). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
