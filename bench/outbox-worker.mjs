// One relay process of the outbox benchmark (bench/outbox.bench.mjs), forked: either an auditwire outbox relay or
// a pg-boss worker doing the same work (fetch a batch, send it through an auditwire client, complete it). Both send
// to the benchmark sink with the same client options. argv: JSON { kind: 'auditwire' | 'pgboss', url, schema,
// endpoint, queue, loops, batchSize }. Protocol over IPC: sends 'ready' when set up (connections open); on 'go' starts; sends
// { delivered: [[id, ms]] } every 50 ms; on 'stop' stops, sends the last ones with { cpu } (this process's CPU
// time since 'go', µs) and exits. OUTBOX_RELAY_OPTIONS (JSON) overrides the relay's options, for trying others.
import pg from 'pg';
import { AuditsClient } from '../dist/index.js';
import { createOutbox } from '../dist/outbox.js';

const job = JSON.parse(process.argv[2]);
const client = new AuditsClient({ adapter: 'auditlog', endpoint: job.endpoint, apiKey: 'bench:secret', flushIntervalMs: 20 });
const now = () => performance.timeOrigin + performance.now();
let delivered = [];
const flushTimer = setInterval(() => {
  if (delivered.length === 0) return;
  process.send({ delivered });
  delivered = [];
}, 50);

let stop;
let cpuAtGo;
if (job.kind === 'auditwire') {
  const pool = new pg.Pool({ connectionString: job.url, max: 8 });
  pool.on('error', () => {});
  const outbox = createOutbox(client, { db: pool, schema: job.schema });
  await warm((text) => pool.query(text));
  stop = await (async () => {
    await waitFor('go');
    cpuAtGo = process.cpuUsage();
    const relay = outbox.startRelay(process.env.OUTBOX_RELAY_OPTIONS ? JSON.parse(process.env.OUTBOX_RELAY_OPTIONS) : {});
    relay.on('delivered', (receipt) => delivered.push([receipt.id, now()]));
    return async () => {
      await relay.stop();
      await pool.end();
    };
  })();
} else {
  const { PgBoss } = await import('pg-boss');
  const boss = new PgBoss({ connectionString: job.url, schema: job.schema, max: 8, supervise: false, schedule: false });
  boss.on('error', () => {});
  await boss.start();
  const db = boss.getDb();
  await warm((text) => db.executeSql(text, []));
  await waitFor('go');
  cpuAtGo = process.cpuUsage();
  let running = true;
  // `loops` fetch loops (the bench runs 1, as pg-boss's work() does by default, and 2, as the relay keeps two claims).
  const loops = Array.from({ length: job.loops ?? 1 }, async () => {
    while (running) {
      const jobs = await boss.fetch(job.queue, { batchSize: job.batchSize });
      if (jobs.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      const receipts = await client.sendAudits(jobs.map((j) => j.data));
      await boss.complete(job.queue, jobs.map((j) => j.id));
      const at = now();
      for (const receipt of receipts) delivered.push([receipt.id, at]);
    }
  });
  stop = async () => {
    running = false;
    await Promise.all(loops);
    await boss.stop({ graceful: true, wait: true });
  };
}
await waitFor('stop');
await stop();
await client.close();
clearInterval(flushTimer);
// Exit once the last report (and this process's CPU time, µs) is written to the channel, not before.
const { user, system } = process.cpuUsage(cpuAtGo);
process.send({ delivered, cpu: user + system }, () => process.exit(0));

/** Opens connections for the loops ahead of 'go', on either side, so that neither times its connection set-up. */
async function warm(query) {
  await Promise.all(Array.from({ length: 5 }, () => query('SELECT pg_sleep(0.02)')));
}

function waitFor(word) {
  if (word === 'go' && process.argv[2] === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    process.send(word === 'go' ? 'ready' : 'running');
    const onMessage = (message) => {
      if (message !== word) return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
  });
}
