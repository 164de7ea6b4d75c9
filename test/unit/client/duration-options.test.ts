import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditsClient, TimeoutError, ValidationError, type ClientOptions } from '../../../src/index.js';
import { durationIssues, MAX_TIMER_MS } from '../../../src/internal/duration.js';
import { holdingServer } from '../../helpers/holding-server.js';
import { captureWarnings } from '../../helpers/warnings.js';

captureWarnings();

const spoolDir = mkdtempSync(join(tmpdir(), 'auditwire-durations-'));
afterAll(() => rmSync(spoolDir, { recursive: true, force: true }));

// Every duration option of the client, with the smallest value it allows and whether Infinity means "no limit".
const OPTIONS: ReadonlyArray<{ readonly path: string; readonly min: number; readonly unlimited: boolean; readonly set: (value: number) => ClientOptions }> = [
  { path: 'flushIntervalMs', min: 0, unlimited: false, set: (value) => ({ flushIntervalMs: value }) },
  { path: 'requestTimeoutMs', min: 1, unlimited: false, set: (value) => ({ requestTimeoutMs: value }) },
  { path: 'retry.initialDelayMs', min: 0, unlimited: false, set: (value) => ({ retry: { initialDelayMs: value } }) },
  { path: 'retry.maxDelayMs', min: 0, unlimited: false, set: (value) => ({ retry: { maxDelayMs: value } }) },
  { path: 'retry.maxRetryAfterMs', min: 0, unlimited: false, set: (value) => ({ retry: { maxRetryAfterMs: value } }) },
  { path: 'retry.deadlineMs', min: 1, unlimited: true, set: (value) => ({ retry: { deadlineMs: value } }) },
  { path: 'spool.commitIntervalMs', min: 0, unlimited: false, set: (value) => ({ spool: { dir: spoolDir, commitIntervalMs: value } }) },
];

const VALUES = [-1, Number.NaN, 1.5, 0, MAX_TIMER_MS, 2 ** 31, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

function allowed(value: number, min: number, unlimited: boolean): boolean {
  if (value === Number.POSITIVE_INFINITY) return unlimited;
  return Number.isInteger(value) && value >= min && value <= MAX_TIMER_MS;
}

/** The ValidationError the constructor throws for `options`, or undefined when it accepts them. */
async function constructionError(options: ClientOptions): Promise<ValidationError | undefined> {
  let client: AuditsClient | undefined;
  try {
    client = new AuditsClient({ adapter: 'auditlog', endpoint: 'http://127.0.0.1:4318', apiKey: 'consumer:secret', ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  await client.destroy();
  return undefined;
}

describe.each(OPTIONS)('the duration option $path', ({ path, min, unlimited, set }) => {
  it.each(VALUES)('is refused with a ValidationError naming it, or accepted, for %s as the rule says', async (value) => {
    const error = await constructionError(set(value));
    if (allowed(value, min, unlimited)) {
      expect(error).toBeUndefined();
    } else {
      expect(error?.issues.map((issue) => issue.path)).toEqual([`options.${path}`]);
      expect(error?.issues[0]?.message).toContain(String(MAX_TIMER_MS));
    }
  });
});

describe('close({ timeoutMs })', () => {
  it.each(VALUES)('rejects with a ValidationError naming close.timeoutMs, or closes, for %s', async (value) => {
    const client = new AuditsClient({ adapter: 'auditlog', endpoint: 'http://127.0.0.1:4318', apiKey: 'consumer:secret' });
    const closing = client.close({ timeoutMs: value });
    if (allowed(value, 0, true)) {
      await expect(closing).resolves.toBeUndefined();
    } else {
      const error = await closing.then(() => undefined, (reason: unknown) => reason);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual(['close.timeoutMs']);
      // Refused, so nothing was closed: the client still accepts events.
      await client.destroy();
    }
  });

  it('waits with Infinity instead of timing out after 1 ms, until the request is answered or destroy() is called', async () => {
    const server = await holdingServer();
    try {
      const client = new AuditsClient({ adapter: 'auditlog', endpoint: server.url, apiKey: 'consumer:secret', flushIntervalMs: 0 });
      const sending = client.sendAudit({ action: 'user.login' });
      const outcome = sending.then(() => 'delivered', (error: unknown) => error);
      await server.received(1);
      let closed = false;
      const closing = client.close({ timeoutMs: Number.POSITIVE_INFINITY }).then(() => (closed = true));
      // Long enough for a 1 ms timer to have fired many times over.
      for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(closed).toBe(false);

      await client.destroy();
      await closing;
      expect(await outcome).not.toBeInstanceOf(TimeoutError);
    } finally {
      await server.close();
    }
  });
});

describe('durationIssues', () => {
  it('names the path and the range, and allows Infinity only where it means no limit', () => {
    expect(durationIssues('x', 5)).toEqual([]);
    expect(durationIssues('x', Number.POSITIVE_INFINITY, { unlimited: true })).toEqual([]);
    expect(durationIssues('x', Number.POSITIVE_INFINITY)).toEqual([{ path: 'x', message: `must be a whole number of milliseconds from 0 to ${MAX_TIMER_MS} (got Infinity)` }]);
    expect(durationIssues('x', '5')).toEqual([{ path: 'x', message: `must be a whole number of milliseconds from 0 to ${MAX_TIMER_MS}` }]);
  });
});
