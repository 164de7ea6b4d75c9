import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditsClient, AuditInput } from '../../src/index.js';
import type { ReferenceServer, RequestInfo } from '../../src/testing.js';
import { adapterOptions, chaosEvent, FORMATS } from '../reliability/chaos-harness.js';
import { lib, recordFigures, sized, testing } from '../reliability/target.js';
import { EVENT_PATHS, hostileValue, looksPolluted, mutate, throwingValue, watchProcess } from './hostile.js';
import { captureWarnings } from '../helpers/warnings.js';

// Failures here are on purpose and some clients have no 'error' listener: their process warnings are captured.
captureWarnings();

// Fuzzing sendAudit (issue "Reliability and security", part 2): random and hostile values through each adapter
// to the reference server. Whatever the input, sendAudit returns a promise (never throws), which resolves with a
// receipt or rejects with a typed validation error; nothing the server refuses is ever sent; Object.prototype is
// never polluted; no rejection goes unhandled.

const RUNS = sized({ ci: 1_000, full: 10_000 });

/** Valid inputs to mutate: the common event and each vendor's own shape. */
const NATIVE: Record<(typeof FORMATS)[number], Record<string, unknown>> = {
  auditlog: {
    uuid: 'evt-native', time: '2026-01-02T03:04:05.678Z', action: 'user.login', client: { uuid: 'acme' }, actor: { uuid: 'u-1' },
    context: { server: { serverId: 'api', version: '1.0.0' } },
  },
  retraced: { action: 'user.login', crud: 'c', actor: { id: 'u-1' }, external_id: 'evt-native', fields: { a: 'b' } },
  logzab: { actor: { unique_id: 'u-1', name: 'Jane' }, object: 'invoice', action: 'update' },
  frontegg: { tenantId: 'acme', severity: 'Info', action: 'update', user: 'jane@example.com' },
};

const COMMON = JSON.parse(JSON.stringify(chaosEvent('evt-common', 1))) as Record<string, unknown>;

function inputs(format: (typeof FORMATS)[number]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: hostileValue, weight: 3 },
    { arbitrary: fc.tuple(fc.constantFrom(...EVENT_PATHS), hostileValue).map(([path, value]) => mutate(COMMON, path, value)), weight: 4 },
    { arbitrary: fc.tuple(fc.constantFrom(...EVENT_PATHS), hostileValue).map(([path, value]) => mutate(NATIVE[format], path, value)), weight: 3 },
  );
}

const ACCEPTED_CODES = new Set(['VALIDATION', 'CANONICALIZATION']);

let server: ReferenceServer;
const answers: RequestInfo[] = [];
const figures = { runs: 0, resolved: 0, rejected: 0, stored: 0, refusedByServer: 0, refusedForDepth: 0, byCode: {} as Record<string, number> };

beforeAll(async () => {
  server = await testing.createReferenceServer({ onRequest: (info) => void answers.push(info) });
});

afterAll(async () => {
  await server.close();
  recordFigures('fuzz-sendAudit', figures);
});

describe.each(FORMATS)('sendAudit fuzzing through the %s adapter', (format) => {
  it(`settles every one of ${RUNS} hostile inputs with a receipt or a typed validation error, sending nothing the server refuses`, async () => {
    const client: AuditsClient = new lib.AuditsClient({ ...adapterOptions(format, server.url), flushIntervalMs: 1, maxQueueSize: RUNS + 10, requestTimeoutMs: 10_000 });
    if (format === 'frontegg') await client.init('fuzz-client', 'fuzz-secret');
    const before = { answers: answers.length, stored: server.events.filter((event) => event.format === format).length };
    const sent: Array<{ input: unknown; outcome: Promise<{ ok: boolean; error?: unknown }> }> = [];

    const { unhandled } = await watchProcess(async () => {
      await fc.assert(
        fc.asyncProperty(inputs(format), async (input) => {
          // Never a synchronous throw, whatever the input: a promise every time.
          const promise = client.sendAudit(input as AuditInput);
          expect(promise).toBeInstanceOf(Promise);
          sent.push({ input, outcome: promise.then(() => ({ ok: true }), (error: unknown) => ({ ok: false, error })) });
          // Accepted events with megabyte strings fill the queue's bytes: let it drain rather than test QUEUE_FULL.
          if (client.stats().queuedBytes > 8 * 2 ** 20) await client.flush();
        }),
        { numRuns: RUNS, seed: 4242 + FORMATS.indexOf(format) },
      );
      await client.close({ timeoutMs: 20_000 });
    });

    const unexpected: string[] = [];
    let resolved = 0;
    let deepRefusals = 0;
    for (const { input, outcome } of sent) {
      const result = await outcome;
      if (result.ok) {
        resolved++;
        continue;
      }
      const error = result.error as { code?: unknown; message?: unknown; issues?: Array<{ path: string }> };
      const code = String(error.code);
      figures.byCode[code] = (figures.byCode[code] ?? 0) + 1;
      if (refusedForDepth(error)) {
        deepRefusals++;
        continue;
      }
      // A server's refusal of an event the client let through (AuditLog.co `details`, Retraced `invalid[]`) also
      // arrives as VALIDATION, with the vendor's message: that is a client/server disagreement, not a pass.
      if (/refused by|HTTP 4\d\d/.test(String(error.message))) unexpected.push(`server refused: ${String(error.message).slice(0, 200)} <- ${describeInput(input)}`);
      const typed = result.error instanceof lib.AuditsError && ACCEPTED_CODES.has(code);
      const clear = typeof error.message === 'string' && error.message !== '' && (error.issues ?? []).every((issue) => issue.path.startsWith('$'));
      if (!typed || !clear) unexpected.push(`${code}: ${String(error.message).slice(0, 160)} <- ${describeInput(input)}`);
    }
    const refused = answers.slice(before.answers).filter((info) => info.format === format && info.status >= 300);
    const stored = server.events.filter((event) => event.format === format).length - before.stored;
    figures.runs += RUNS;
    figures.resolved += resolved;
    figures.rejected += sent.length - resolved;
    figures.stored += stored;
    figures.refusedByServer += refused.length;
    figures.refusedForDepth += deepRefusals;

    expect(unhandled).toEqual([]);
    expect(unexpected.slice(0, 10)).toEqual([]);
    // Nothing the server refuses is sent, but for the nesting limit above.
    // (One 400 can refuse several events of an AuditLog.co batch, hence at most.)
    expect(refused.length).toBeLessThanOrEqual(deepRefusals);
    expect(refused.length > 0).toBe(deepRefusals > 0);
    // Exactly the acknowledged events were stored: nothing invalid got through, nothing valid went missing.
    expect(stored).toBe(resolved);
    expect(looksPolluted()).toBe(false);
    expect(client.stats()).toMatchObject({ queued: 0, inFlight: 0 });
  }, sized({ ci: 120_000, full: 900_000 }));
});

describe('sendAudit fuzzing with values that throw when read', () => {
  it('rejects each with a typed error, sends nothing and keeps going ', async () => {
    const before = { answers: answers.length, stored: server.events.length };
    const client: AuditsClient = new lib.AuditsClient({ ...adapterOptions('auditlog', server.url), flushIntervalMs: 1 });
    const runs = Math.ceil(RUNS / 4);
    const outcomes: Array<Promise<unknown>> = [];
    const { unhandled } = await watchProcess(async () => {
      fc.assert(
        fc.property(
          fc.oneof(throwingValue, fc.tuple(fc.constantFrom(...EVENT_PATHS), throwingValue).map(([path, value]) => mutate(COMMON, path, value))),
          (input) => {
            outcomes.push(client.sendAudit(input as AuditInput).then(() => undefined, (error: unknown) => error));
          },
        ),
        { numRuns: runs, seed: 77 },
      );
      await client.close({ timeoutMs: 5_000 });
    });
    const results = await Promise.all(outcomes);
    figures.runs += runs;
    expect(unhandled).toEqual([]);
    // Each one is refused with a ValidationError (the input could not be read), or, when the throwing member is
    // one the schema never reads, accepted.
    const refused = results.filter((result) => result !== undefined);
    // A top-level throwing value is never accepted, so the loop below has something to check.
    expect(refused.length).toBeGreaterThan(0);
    for (const result of refused) {
      expect(result).toBeInstanceOf(lib.AuditsError);
      expect((result as { code: string }).code).toBe('VALIDATION');
    }
    const stored = server.events.length - before.stored;
    expect(stored).toBe(results.filter((result) => result === undefined).length);
    expect(answers.slice(before.answers).every((info) => info.status < 300)).toBe(true);
    expect(looksPolluted()).toBe(false);
  });
});

function describeInput(input: unknown): string {
  try {
    return JSON.stringify(input, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value))?.slice(0, 200) ?? typeof input;
  } catch {
    return `(${typeof input} that JSON.stringify cannot write)`;
  }
}

/**
 * The one refusal a valid-looking input may meet: the reference server refuses bodies nested past 1,000 levels
 * (src/server/json-value.ts), which a vendor's own shape (Frontegg's free members) can carry. It must come back
 * as a typed, non-retryable DeliveryError with the 400.
 */
function refusedForDepth(error: { code?: unknown; status?: unknown; retryable?: unknown; body?: unknown }): boolean {
  return error.code === 'DELIVERY' && error.status === 400 && error.retryable === false && typeof error.body === 'string' && error.body.includes('not valid JSON');
}
