// One app instance that writes: `transactions` transactions, each changing an app row and recording its audit
// event with outbox.record in the same transaction; every third one is rolled back after record. It also runs a
// relay, as every instance does. Uses the built package (dist/). Argument: JSON { url, schema, endpoint, writer,
// transactions }. Prints one JSON line: { committed: [ids], rolledBack: [ids] } once its relay has delivered
// what it can see, then waits for SIGTERM.
import pg from 'pg';
import { AuditsClient } from '../../dist/index.js';
import { createOutbox } from '../../dist/outbox.js';

const options = JSON.parse(process.argv[2] ?? '{}');
const client = new AuditsClient({ adapter: 'auditlog', endpoint: options.endpoint, apiKey: 'writer:secret', flushIntervalMs: 5 });
const pool = new pg.Pool({ connectionString: options.url, max: 10 });
pool.on('error', () => {});
const outbox = createOutbox(client, { db: pool, schema: options.schema });
const relay = outbox.startRelay({ pollIntervalMs: 200, leaseMs: 5_000 });
const committed = [];
const rolledBack = [];
for (let i = 0; i < options.transactions; i++) {
  const id = `w${options.writer}-${i}`;
  const tx = await pool.connect();
  try {
    await tx.query('BEGIN');
    await tx.query(`INSERT INTO ${options.schema}.app_actions (id) VALUES ($1)`, [id]);
    await outbox.record(tx, { id, action: 'user.role.changed', actor: { id: `user-${i}` }, target: { id: `writer-${options.writer}` } });
    if (i % 3 === 2) {
      await tx.query('ROLLBACK');
      rolledBack.push(id);
    } else {
      await tx.query('COMMIT');
      committed.push(id);
    }
  } finally {
    tx.release();
  }
}
process.stdout.write(`${JSON.stringify({ committed, rolledBack })}\n`);
process.on('SIGTERM', async () => {
  await relay.stop({ timeoutMs: 5_000 });
  await client.close();
  await pool.end();
  process.exit(0);
});
