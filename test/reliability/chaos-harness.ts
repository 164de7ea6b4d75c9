import type { Dispatcher } from 'undici';
import type { AuditEvent, AuditReceipt, AuditsClient, ClientOptions, Logger } from '../../src/index.js';
import type { EventFormat, FaultOptions, ReferenceServerOptions } from '../../src/testing.js';
import { lib, testing } from './target.js';

// One chaos run: N events through one adapter to a reference server that injects faults, then an account of
// every event: stored or not, how many times, acknowledged or failed and why, and whether its promise settled.
// Loopback only; bounded in events, in time (timeLimitMs, then close({ timeoutMs })) and in retries.

export const FORMATS: readonly EventFormat[] = ['auditlog', 'retraced', 'logzab', 'frontegg'];

/**
 * The mix of the main chaos run. Per request: 503, 429 with Retry-After, a connection dropped before storing,
 * one dropped after storing, a slow answer past the client's timeout; per event: a wrong hash. LogZab and
 * Frontegg carry one event per request, so the same per-request rates hit each event fifty to a hundred times
 * less often than in an AuditLog.co batch; their rates are higher per event in return.
 */
export function chaosFaults(format: EventFormat, slowMs: number): FaultOptions {
  const batched = format === 'auditlog' || format === 'retraced';
  return {
    statuses: [
      { status: 503, probability: batched ? 0.08 : 0.04 },
      { status: 429, probability: batched ? 0.04 : 0.02, retryAfterSeconds: 1 },
    ],
    dropBeforeStoreProbability: batched ? 0.03 : 0.01,
    dropAfterStoreProbability: batched ? 0.03 : 0.01,
    slowProbability: batched ? 0.02 : 0.002,
    slowMs,
    wrongHashProbability: 0.004,
  };
}

/** Credentials each adapter uses; the security tests make the server require exactly these. */
export const SECRETS = {
  auditlog: 'aw-consumer-7f3a:sk_auditlog_9Qx2LmZt4Vb8Nc1R',
  retraced: 'rtok_5Hs8Kd2Jw9Pq3Lx7Vz1M',
  logzab: 'lzk_3Nf7Rt1Yq8Wm2Bx6Cv9P',
  fronteggClientId: 'fe-client-2b7c',
  fronteggSecret: 'fe_secret_8Jd3Ks6Lp1Qw4Ex9Rt2Z',
} as const;

export interface ChaosOptions {
  readonly format: EventFormat;
  readonly events: number;
  readonly seed: number;
  readonly faults: FaultOptions;
  readonly deduplicate: boolean;
  readonly delivery: 'at-least-once' | 'at-most-once';
  readonly requestTimeoutMs: number;
  /** How long the whole run may take before the client is closed (and what is left fails). */
  readonly timeLimitMs: number;
  /** Event ids are `${tag}-${format}-${i}`. */
  readonly tag?: string;
  readonly server?: Partial<ReferenceServerOptions>;
  readonly client?: Partial<ClientOptions>;
  readonly logger?: Logger;
  readonly dispatcher?: Dispatcher;
  /** Called with the client before any event is sent (to listen to its events). */
  readonly onClient?: (client: AuditsClient) => void;
}

export interface ChaosFigures {
  readonly format: EventFormat;
  readonly delivery: string;
  readonly deduplicate: boolean;
  readonly events: number;
  readonly delivered: number;
  /** Failed with HASH_MISMATCH. */
  readonly mismatched: number;
  /** Failed with anything else, by code. */
  readonly failedByCode: Readonly<Record<string, number>>;
  /** Sent events the server never stored. */
  readonly lost: number;
  /** Acknowledged (promise resolved) but not stored: must be 0 in every mode. */
  readonly acknowledgedNotStored: number;
  /** Event ids stored more than once. */
  readonly storedTwice: number;
  /** Receipts without `verified` (every reference-server answer carries a hash). */
  readonly unverified: number;
  /** Wrong hashes the server answered and the client read (the server counts an answer once written). */
  readonly wrongHashesSent: number;
  readonly wrongHashesDetected: number;
  /** HASH_MISMATCH failures for events whose hash was never answered wrong. */
  readonly falseMismatches: number;
  readonly unsettled: number;
  readonly requests: number;
  readonly faulted: number;
  readonly slowed: number;
  /** Resends the server acknowledged without storing again (`deduplicate`). */
  readonly duplicatesAbsorbed: number;
  /** Event re-sends counted by the client. */
  readonly retried: number;
  readonly seconds: number;
  /** A few of the failures other than HASH_MISMATCH, for the report. */
  readonly sampleFailures: readonly string[];
}

/** A varied event valid for every format (Retraced needs `crud`, Frontegg a tenant); ids are unique per run. */
export function chaosEvent(id: string, i: number): AuditEvent {
  return {
    id,
    action: ['user.login', 'user.login.failed', 'api_key.create', 'role.update'][i % 4] as string,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60, i % 1000)),
    tenant: { id: `tenant-${i % 7}`, ...(i % 2 === 0 ? { name: `Tenant ${i % 7}` } : {}) },
    ...(i % 10 === 3 ? {} : { actor: { id: `user-${i % 31}`, name: `User ${i % 31}`, email: `u${i % 31}@example.com` } }),
    ...(i % 5 === 0 ? {} : { target: { id: `obj-${i}`, type: 'api_key', name: `Key ${i}` } }),
    outcome: i % 4 === 1 ? 'failure' : 'success',
    crud: (['c', 'r', 'u', 'd'] as const)[i % 4],
    severity: (['Info', 'Medium', 'High', 'Critical', 'Error'] as const)[i % 5],
    ip: `203.0.113.${i % 250}`,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    ...(i % 6 === 0 ? { fields: { plan: 'pro', note: `n\u00e9 ${i} \u{1F511}` } } : {}),
  };
}

/** The adapter options for `format` against `url`, with the SECRETS. */
export function adapterOptions(format: EventFormat, url: string): ClientOptions {
  switch (format) {
    case 'auditlog':
      return { adapter: 'auditlog', endpoint: url, apiKey: SECRETS.auditlog };
    case 'retraced':
      return { adapter: 'retraced', endpoint: url, apiKey: SECRETS.retraced, projectId: 'chaos-project' };
    case 'logzab':
      return { adapter: 'logzab', endpoint: url, apiKey: SECRETS.logzab };
    case 'frontegg':
      return { adapter: 'frontegg', endpoint: url };
  }
}

/** Submit in slices with a turn of the event loop between them, so no burst holds the loop for long. */
const SLICE = 200;

export async function runChaos(options: ChaosOptions): Promise<ChaosFigures> {
  const { format, events: total } = options;
  const server = await testing.createReferenceServer({
    seed: options.seed,
    deduplicate: options.deduplicate,
    faults: options.faults,
    ...options.server,
  });
  const started = performance.now();
  const client = new lib.AuditsClient({
    ...adapterOptions(format, server.url),
    server: { id: 'chaos-host', version: '1.0.0' },
    flushIntervalMs: 5,
    verify: 'require',
    delivery: options.delivery,
    requestTimeoutMs: options.requestTimeoutMs,
    maxQueueSize: total,
    maxQueueBytes: 512 * 1024 * 1024,
    // Batches of 25 (not the adapters' 100 and 50) give the batched formats more requests, so more faults.
    ...(format === 'logzab' || format === 'frontegg' ? { maxConcurrentRequests: 32 } : { maxBatchSize: 25 }),
    // Generous retries so that at-least-once can deliver everything; Retry-After honoured up to 50 ms so the
    // 429s (Retry-After: 1) do not stretch the run.
    retry: { maxRetries: 60, initialDelayMs: 2, maxDelayMs: 50, maxRetryAfterMs: 50, deadlineMs: options.timeLimitMs },
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...options.client,
  });
  options.onClient?.(client);
  try {
    if (format === 'frontegg') await client.init(SECRETS.fronteggClientId, SECRETS.fronteggSecret);

    const tag = options.tag ?? 'chaos';
    const ids: string[] = [];
    const settled: boolean[] = [];
    const outcomes: Array<Promise<{ ok: true; receipt: AuditReceipt } | { ok: false; error: unknown }>> = [];
    for (let i = 0; i < total; i++) {
      const id = `${tag}-${format}-${i}`;
      ids.push(id);
      settled.push(false);
      outcomes.push(
        client.sendAudit(chaosEvent(id, i)).then(
          (receipt) => ((settled[i] = true), { ok: true as const, receipt }),
          (error: unknown) => ((settled[i] = true), { ok: false as const, error }),
        ),
      );
      if (i % SLICE === SLICE - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    // Bounded: whatever is not settled by the time limit is counted as unsettled before close() fails it.
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.timeLimitMs)));
    await Promise.race([Promise.all(outcomes).then(() => undefined), limit]);
    clearTimeout(timer);
    const unsettled = settled.filter((done) => !done).length;
    await client.close({ timeoutMs: 5_000 });
    const results = await Promise.all(outcomes);
    const seconds = (performance.now() - started) / 1000;

    const storedCount = new Map<string, number>();
    for (const event of server.events) storedCount.set(event.eventId, (storedCount.get(event.eventId) ?? 0) + 1);
    const wrong = server.stats.wrongHashes;
    const delivered = new Set<string>();
    const mismatched = new Set<string>();
    const failedByCode: Record<string, number> = {};
    const sampleFailures: string[] = [];
    let unverified = 0;
    results.forEach((result, i) => {
      const id = ids[i] as string;
      if (result.ok) {
        delivered.add(id);
        if (!result.receipt.verified) unverified++;
      } else if (result.error instanceof lib.HashMismatchError) {
        mismatched.add(result.error.eventId);
      } else {
        const code = (result.error as { code?: string }).code ?? 'UNKNOWN';
        failedByCode[code] = (failedByCode[code] ?? 0) + 1;
        if (sampleFailures.length < 5) sampleFailures.push(`${id}: ${code}: ${(result.error as Error).message}`);
      }
    });
    return {
      format,
      delivery: options.delivery,
      deduplicate: options.deduplicate,
      events: total,
      delivered: delivered.size,
      mismatched: mismatched.size,
      failedByCode,
      lost: ids.filter((id) => !storedCount.has(id)).length,
      acknowledgedNotStored: [...delivered].filter((id) => !storedCount.has(id)).length,
      storedTwice: [...storedCount.values()].filter((count) => count > 1).length,
      unverified,
      wrongHashesSent: wrong.size,
      wrongHashesDetected: [...wrong].filter((id) => mismatched.has(id)).length,
      falseMismatches: [...mismatched].filter((id) => !wrong.has(id)).length,
      unsettled,
      requests: server.stats.requests,
      faulted: server.stats.faulted,
      slowed: server.stats.slowed,
      duplicatesAbsorbed: server.stats.duplicates,
      retried: client.stats().retried,
      seconds,
      sampleFailures,
    };
  } finally {
    await client.destroy();
    await server.close();
  }
}

/** Sums the figures of several runs (one per format) into one row. */
export function totalOf(runs: readonly ChaosFigures[]): Omit<ChaosFigures, 'format' | 'sampleFailures' | 'failedByCode'> & { failed: number } {
  const sum = (pick: (figures: ChaosFigures) => number): number => runs.reduce((total, figures) => total + pick(figures), 0);
  return {
    delivery: runs[0]?.delivery ?? '',
    deduplicate: runs[0]?.deduplicate ?? false,
    events: sum((f) => f.events),
    delivered: sum((f) => f.delivered),
    mismatched: sum((f) => f.mismatched),
    failed: sum((f) => Object.values(f.failedByCode).reduce((a, b) => a + b, 0)),
    lost: sum((f) => f.lost),
    acknowledgedNotStored: sum((f) => f.acknowledgedNotStored),
    storedTwice: sum((f) => f.storedTwice),
    unverified: sum((f) => f.unverified),
    wrongHashesSent: sum((f) => f.wrongHashesSent),
    wrongHashesDetected: sum((f) => f.wrongHashesDetected),
    falseMismatches: sum((f) => f.falseMismatches),
    unsettled: sum((f) => f.unsettled),
    requests: sum((f) => f.requests),
    faulted: sum((f) => f.faulted),
    slowed: sum((f) => f.slowed),
    duplicatesAbsorbed: sum((f) => f.duplicatesAbsorbed),
    retried: sum((f) => f.retried),
    seconds: sum((f) => f.seconds),
  };
}
