// One app instance that only relays, in a process of its own so test/outbox/relay-crash.test.ts can SIGKILL it.
// Uses the built package (dist/). Argument: JSON { url, schema, endpoint, driver: 'pg' | 'postgres', leaseMs,
// pollIntervalMs, batchSize?, concurrency? }. Prints "ready" once the relay runs, then one line per delivered event id ("d <id>").
import pg from 'pg';
import postgres from 'postgres';
import { AuditsClient } from '../../dist/index.js';
import { createOutbox } from '../../dist/outbox.js';

const options = JSON.parse(process.argv[2] ?? '{}');
const client = new AuditsClient({
  adapter: 'auditlog',
  endpoint: options.endpoint,
  apiKey: 'relay:secret',
  flushIntervalMs: 5,
  retry: { initialDelayMs: 20, maxDelayMs: 200, deadlineMs: 10_000 },
  // Warnings go to stdout ("w <message>"), so that the test can show what a relay went through.
  logger: { debug: () => {}, warn: (message) => process.stdout.write(`w ${message}\n`), error: (message) => process.stdout.write(`w ${message}\n`) },
});
let db;
if (options.driver === 'postgres') {
  db = postgres(options.url, { max: 4, onnotice: () => {} });
} else {
  db = new pg.Pool({ connectionString: options.url, max: 4 });
  // node-postgres requires this of every pool: an idle client that loses its server (a restart) emits 'error'.
  db.on('error', () => {});
}
const outbox = createOutbox(client, { db, schema: options.schema });
const relay = outbox.startRelay({ leaseMs: options.leaseMs, pollIntervalMs: options.pollIntervalMs, batchSize: options.batchSize, concurrency: options.concurrency });
// Database outages (the restart) are expected here; the relay retries on its own.
relay.on('error', () => {});
relay.on('delivered', (receipt) => process.stdout.write(`d ${receipt.id}\n`));
process.stdout.write('ready\n');
process.on('SIGTERM', async () => {
  await relay.stop({ timeoutMs: 2_000 });
  await client.close();
  await db.end();
  process.exit(0);
});
