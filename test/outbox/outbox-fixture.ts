import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { afterAll } from 'vitest';
import { canonicalJson, hashEvent, ValidationError, type Adapter, type PreparedEvent } from '../../src/index.js';
import { databaseUrl } from './postgres-server.js';

/**
 * One schema of its own per test file (dropped after the file), on the server postgres-server.ts finds, and a
 * pool on it. Tests use `schema` as the outbox's `schema` option.
 */
export async function useSchema(): Promise<{ url: string; schema: string; pool: pg.Pool }> {
  const url = await databaseUrl();
  const schema = `aw_test_${randomBytes(6).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query(`CREATE SCHEMA ${schema}`);
  afterAll(async () => {
    await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await pool.end();
  });
  return { url, schema, pool };
}

/** The event a test records; `n` makes it unique. */
export function auditEvent(n: number | string, extra: Record<string, unknown> = {}) {
  return { id: `evt-${n}`, action: 'user.role.changed', actor: { id: `user-${n}` }, target: { id: 'user-7', type: 'user' }, ...extra };
}

/**
 * A tiny vendor that refuses some events one by one (a 200 whose body says which were refused), with its adapter:
 * the per-event refusal the poison tests need and no built-in reference route produces on demand.
 */
export interface PickyVendor {
  readonly adapter: Adapter;
  /** Event ids stored (once each: this vendor deduplicates). */
  readonly stored: Map<string, number>;
  /** How many times each id arrived. */
  readonly received: Map<string, number>;
  /** Answer every request this much later (a slow vendor). */
  delayMs: number;
  /** Answer the next this many requests with 503. */
  failNext: number;
  close(): Promise<void>;
}

export async function startPickyVendor(refuse: (id: string) => boolean): Promise<PickyVendor> {
  const stored = new Map<string, number>();
  const received = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => setTimeout(answer, vendor.delayMs));
    const answer = (): void => {
      if (vendor.failNext > 0) {
        vendor.failNext--;
        res.writeHead(503).end();
        return;
      }
      const events = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string }[];
      const results = events.map((event) => {
        received.set(event.id, (received.get(event.id) ?? 0) + 1);
        if (refuse(event.id)) return { ok: false, error: `event ${event.id} is refused by policy` };
        if (!stored.has(event.id)) stored.set(event.id, stored.size);
        return { ok: true, hash: hashEvent(event) };
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(results));
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/events`;
  const adapter: Adapter = {
    name: 'picky',
    limits: { maxBatchSize: 50, maxBatchBytes: 1 << 20 },
    prepare(input): PreparedEvent {
      const event = input as { id?: unknown; action?: unknown };
      if (typeof event.action !== 'string') throw new ValidationError([{ path: '$.action', message: 'required' }]);
      const wire = canonicalJson(event);
      return { id: String(event.id), wire, hash: hashEvent(event), bytes: Buffer.byteLength(wire) };
    },
    encode: (batch) => ({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: `[${batch.map((e) => e.wire).join(',')}]` }),
    decode(response, batch) {
      if (response.status !== 200) return { kind: 'request-failed', error: { status: response.status, retryable: response.status >= 500, message: `HTTP ${response.status}` } };
      const results = JSON.parse(response.body) as { ok: boolean; hash?: string; error?: string }[];
      const outcomes = new Map(
        batch.map((_event, index) => {
          const result = results[index];
          return [
            index,
            result?.ok === true
              ? { ok: true as const, serverHash: result.hash }
              : { ok: false as const, error: new ValidationError([{ path: '$', message: result?.error ?? 'no result' }]) },
          ];
        }),
      );
      return { kind: 'per-event', outcomes, resend: [] };
    },
  };
  const vendor: PickyVendor = {
    adapter,
    stored,
    received,
    delayMs: 0,
    failNext: 0,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return vendor;
}

/** Resolves once `check()` holds, polling every 20 ms; rejects after `ms` with `what`. Bounded. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
