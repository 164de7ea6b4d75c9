// The transactional outbox (auditwire/outbox) against pg-boss on the same PostgreSQL, in one run:
// 1. relay throughput: a backlog of N events drained by 1 and 3 relay processes, against pg-boss workers doing
//    the same work (jobs inserted beforehand; each worker fetches 100, sends them through the same auditwire client
//    options to the same sink, completes them), with one fetch loop (pg-boss's `work()` default) and with four (the
//    relay keeps four claims in flight). Every process opens its connections before 'go'. Time from 'go' to the
//    last event delivered (row settled), and each process's own CPU time per event (steadier than the rate on a
//    busy machine).
// 2. what `record` adds to a transaction (BEGIN; UPDATE; COMMIT): round trips and microseconds, interleaved with the
//    same transaction without it, and pg-boss's `insert` inside the transaction for comparison.
// 3. latency from COMMIT to delivered (row settled) at 1,000 events/s offered, one event per transaction, 1 relay.
// PostgreSQL: DATABASE_URL, else 127.0.0.1:5432 (user postgres, database test). Each part uses a fresh schema,
// dropped after.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { AuditsClient } from '../dist/index.js';
import { createOutbox } from '../dist/outbox.js';
import { formatRate, median, startSink } from './lib.mjs';
import { cpuPerEvent, cpuSnapshot } from './process-cpu.mjs';

const URL_ = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
// Large enough that each relay process spends most of the run warm (a drain of 10,000 took about a second, much of
// it the processes' JIT warming up), as relays that run for days do.
const BACKLOG = Number(process.env.OUTBOX_BENCH_EVENTS ?? 30_000);
const ROUNDS = Number(process.env.OUTBOX_BENCH_ROUNDS ?? 3);
const LATENCY_SECONDS = Number(process.env.OUTBOX_BENCH_LATENCY_SECONDS ?? 10);
const QUEUE = 'audit_events';

const event = (id) => ({ id, action: 'user.role.changed', actor: { id: 'user-42', name: 'Ada' }, target: { id: 'user-7', type: 'user' }, tenant: { id: 'acme' } });

export async function run() {
  const pool = new pg.Pool({ connectionString: URL_, max: 48 });
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    return `## Transactional outbox\n\nSkipped: no PostgreSQL at ${URL_.replace(/:[^:@/]*@/, ':***@')} (${error.message}). Set DATABASE_URL.`;
  }
  const sink = await startSink();
  const version = (await pool.query('SHOW server_version')).rows[0].server_version;
  try {
    const runs = new Map();
    // Interleaved rounds: every configuration once per round, so that a busy moment of the machine falls on all.
    for (let round = 0; round < ROUNDS; round++) {
      for (const relays of [1, 3]) {
        for (const [name, kind, loops] of QUEUES) {
          const key = `${name}|${relays}`;
          if (!runs.has(key)) runs.set(key, { name, relays, results: [] });
          runs.get(key).results.push(await drain(kind, relays, pool, sink, loops));
        }
      }
    }
    const throughput = [...runs.values()].map(({ name, relays, results }) => ({ name, relays, ...medians(results) }));
    const cost = await recordCost(pool, sink);
    const latency = await commitToDelivered(pool, sink);
    return report(version, throughput, cost, latency);
  } finally {
    await sink.stop();
    await pool.end();
  }
}

/** Rows per claim and jobs per fetch, on both sides: the relay's default `batchSize`. */
const BATCH = 400;

const QUEUES = [
  ['auditwire outbox', 'auditwire', 1],
  ['pg-boss (fetch + complete)', 'pgboss', 1],
  ['pg-boss, 2 loops per worker', 'pgboss', 2],
];

/** Each measure's median over the rounds. */
function medians(results) {
  const of = (key) => (results.some((r) => r[key] === undefined) ? undefined : median(results.map((r) => r[key])));
  return {
    events: results[0].events,
    rounds: results.length,
    seconds: of('seconds'),
    rate: of('rate'),
    cpuPerEvent: of('cpuPerEvent'),
    machinePerEvent: of('machinePerEvent'),
    postgresPerEvent: of('postgresPerEvent'),
    distinct: Math.min(...results.map((r) => r.distinct)),
  };
}

async function withSchema(pool, fn) {
  const schema = `aw_bench_${randomBytes(4).toString('hex')}`;
  await pool.query(`CREATE SCHEMA ${schema}`);
  try {
    return await fn(schema);
  } finally {
    await pool.query(`DROP SCHEMA ${schema} CASCADE`);
  }
}

function startWorker(kind, schema, sink, onDelivered, loops = 1, onCpu = () => {}) {
  const child = fork(new URL('./outbox-worker.mjs', import.meta.url), [JSON.stringify({ kind, url: URL_, schema, endpoint: sink.referenceUrl, queue: QUEUE, loops, batchSize: BATCH })], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${kind} worker exited (${code}) before it was ready`)));
    child.on('message', (message) => {
      if (message === 'ready') resolve();
      if (message?.delivered) onDelivered(message.delivered);
      if (typeof message?.cpu === 'number') onCpu(message.cpu);
    });
  });
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 600_000);
  return {
    ready,
    go: () => child.send('go'),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        // 'close', not 'exit': it comes after the IPC channel is read to its end (the last report, the CPU time).
        child.once('close', () => (clearTimeout(timer), clearTimeout(killTimer), resolve()));
        child.send('stop');
      }),
  };
}

/** Fills a backlog of BACKLOG events, then times `relays` processes draining it. */
async function drain(kind, relays, pool, sink, loops = 1) {
  return withSchema(pool, async (schema) => {
    const ids = Array.from({ length: BACKLOG }, (_, i) => `${kind}-${relays}-${i}`);
    if (kind === 'auditwire') {
      const client = new AuditsClient({ adapter: 'auditlog', endpoint: sink.referenceUrl, apiKey: 'bench:secret' });
      const outbox = createOutbox(client, { db: pool, schema });
      await outbox.migrate();
      for (let i = 0; i < ids.length; i += 1_000) await outbox.recordMany(pool, ids.slice(i, i + 1_000).map(event));
      await client.close();
    } else {
      const boss = new PgBoss({ connectionString: URL_, schema, supervise: false, schedule: false });
      boss.on('error', () => {});
      await boss.start();
      await boss.createQueue(QUEUE);
      for (let i = 0; i < ids.length; i += 1_000) await boss.insert(QUEUE, ids.slice(i, i + 1_000).map((id) => ({ data: event(id) })));
      await boss.stop({ graceful: false });
    }
    await sink.stats();
    let count = 0;
    let cpu = 0;
    let done;
    const finished = new Promise((resolve) => (done = resolve));
    const workers = Array.from({ length: relays }, () =>
      startWorker(
        kind,
        schema,
        sink,
        (delivered) => {
          count += delivered.length;
          if (count >= BACKLOG) done();
        },
        loops,
        (us) => (cpu += us),
      ),
    );
    await Promise.all(workers.map((worker) => worker.ready));
    const cpuBefore = cpuSnapshot();
    const started = performance.now();
    for (const worker of workers) worker.go();
    const timeout = new Promise((resolve) => setTimeout(resolve, 300_000).unref());
    await Promise.race([finished, timeout]);
    const seconds = (performance.now() - started) / 1000;
    // Before the workers stop: their database connections (and those backends' CPU time) still exist.
    const shared = cpuPerEvent(cpuBefore, cpuSnapshot(), count);
    await Promise.all(workers.map((worker) => worker.stop()));
    const stats = await sink.stats();
    return {
      events: count,
      seconds,
      rate: count / seconds,
      distinct: stats.distinct,
      cpuPerEvent: cpu / Math.max(1, count),
      machinePerEvent: shared.machine,
      postgresPerEvent: shared.postgres,
    };
  });
}

/** Median cost of `record` in a transaction, interleaved with the same transaction without it. */
async function recordCost(pool, sink) {
  return withSchema(pool, async (schema) => {
    const client = new AuditsClient({ adapter: 'auditlog', endpoint: sink.referenceUrl, apiKey: 'bench:secret' });
    const outbox = createOutbox(client, { db: pool, schema });
    await outbox.migrate();
    const boss = new PgBoss({ connectionString: URL_, schema: `${schema}_boss`, supervise: false, schedule: false });
    boss.on('error', () => {});
    await boss.start();
    await boss.createQueue(QUEUE);
    await pool.query(`CREATE TABLE ${schema}.accounts (id int PRIMARY KEY, role text)`);
    await pool.query(`INSERT INTO ${schema}.accounts SELECT g, 'member' FROM generate_series(1, 100) g`);
    const tx = await pool.connect();
    let statements = 0;
    const counting = { query: (text, values) => (statements++, tx.query(text, values)) };
    const bossDb = { executeSql: (text, values) => tx.query(text, values) };
    const samples = { plain: [], record: [], recordCall: [], boss: [], bossCall: [] };
    let roundTrips = 0;
    const COST_ROUNDS = 400;
    try {
      for (let i = -50; i < COST_ROUNDS; i++) {
        for (const variant of ['plain', 'record', 'boss']) {
          const started = performance.now();
          await tx.query('BEGIN');
          await tx.query(`UPDATE ${schema}.accounts SET role = $1 WHERE id = $2`, [i % 2 ? 'admin' : 'member', (i & 63) + 1]);
          let call = 0;
          if (variant === 'record') {
            statements = 0;
            const callStarted = performance.now();
            await outbox.record(counting, event(`cost-${i}`));
            call = performance.now() - callStarted;
            roundTrips = statements;
          } else if (variant === 'boss') {
            const callStarted = performance.now();
            await boss.insert(QUEUE, [{ data: event(`cost-${i}`) }], { db: bossDb });
            call = performance.now() - callStarted;
          }
          await tx.query('COMMIT');
          const total = performance.now() - started;
          if (i < 0) continue;
          samples[variant].push(total);
          if (variant === 'record') samples.recordCall.push(call);
          if (variant === 'boss') samples.bossCall.push(call);
        }
      }
    } finally {
      tx.release();
      await boss.stop({ graceful: false });
      await pool.query(`DROP SCHEMA ${schema}_boss CASCADE`);
      await client.close();
    }
    const us = (values) => Math.round(median(values) * 1000);
    return { roundTrips, plain: us(samples.plain), record: us(samples.record), recordCall: us(samples.recordCall), boss: us(samples.boss), bossCall: us(samples.bossCall) };
  });
}

/** One relay process; the parent commits one event per transaction at 1,000/s for LATENCY_SECONDS. */
async function commitToDelivered(pool, sink) {
  return withSchema(pool, async (schema) => {
    const client = new AuditsClient({ adapter: 'auditlog', endpoint: sink.referenceUrl, apiKey: 'bench:secret' });
    const outbox = createOutbox(client, { db: pool, schema });
    await outbox.migrate();
    const committedAt = new Map();
    // Kept apart: under load a relay may report an event before the writer has seen its COMMIT return.
    const deliveredAt = new Map();
    const worker = startWorker('auditwire', schema, sink, (delivered) => {
      for (const [id, at] of delivered) deliveredAt.set(id, at);
    });
    await worker.ready;
    worker.go();
    const total = 1_000 * LATENCY_SECONDS;
    const WRITERS = 40;
    const started = performance.now();
    // Forty writers, each on its schedule of 25 transactions a second (a late one does not wait for the next slot).
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, writer) => {
        const tx = await pool.connect();
        try {
          for (let k = 0; k * WRITERS + writer < total; k++) {
            const due = started + (k * WRITERS + writer);
            const wait = due - performance.now();
            if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
            const id = `latency-${k * WRITERS + writer}`;
            await tx.query('BEGIN');
            await outbox.record(tx, event(id));
            await tx.query('COMMIT');
            committedAt.set(id, performance.timeOrigin + performance.now());
          }
        } finally {
          tx.release();
        }
      }),
    );
    const offeredSeconds = (performance.now() - started) / 1000;
    const deadline = Date.now() + 60_000;
    while (deliveredAt.size < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await worker.stop();
    await client.close();
    const latencies = [...committedAt].filter(([id]) => deliveredAt.has(id)).map(([id, at]) => deliveredAt.get(id) - at);
    latencies.sort((a, b) => a - b);
    const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    return { total, delivered: latencies.length, offeredRate: total / offeredSeconds, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) };
  });
}

function report(version, throughput, cost, latency) {
  const lines = [];
  lines.push('## Transactional outbox (auditwire/outbox) vs pg-boss, same PostgreSQL, one run', '');
  const rounds = throughput[0]?.rounds ?? 0;
  lines.push(`PostgreSQL ${version}, loopback; the benchmark sink in its own process; every relay/worker its own process with the same client options (AuditLog.co adapter, requests of up to 100 events), its connections opened before the clock starts. Relays: defaults (claims of ${BATCH} rows, 2 in flight, NOTIFY). pg-boss ${pgBossVersion()}: jobs inserted beforehand; a worker runs one loop of \`fetch(batchSize ${BATCH})\` -> \`sendAudits\` -> \`complete\`, as its \`work()\` handles one batch at a time by default; the "2 loops" rows give each pg-boss worker two such loops, like the relay's two claims in flight. Each row: the median of ${rounds} interleaved rounds, each draining a fresh backlog of ${formatRate(BACKLOG)} events. CPU columns, per event: the relay/worker processes' own CPU time; PostgreSQL's (its processes alive at both ends of the run: the connections' backends, WAL writer, checkpointer; an autovacuum worker that exits meanwhile is not counted); the whole machine's (relays or workers, PostgreSQL, the sink, anything else running). The benchmark saturates the machine, so the machine's CPU per event, more than any one process's, sets the rate.`, '');
  lines.push('| queue | processes | events | seconds | events/s | relay/worker CPU µs/event | PostgreSQL CPU µs/event | machine CPU µs/event | vs pg-boss, 1 loop | vs pg-boss, 2 loops |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const row of throughput) {
    const versus = (name) => {
      const boss = throughput.find((other) => other.relays === row.relays && other.name === name);
      if (boss === undefined) return 'n/a';
      return row === boss ? '1.0x' : `${(row.rate / boss.rate).toFixed(1)}x`;
    };
    const micros = (value) => (value === undefined ? 'n/a' : value.toFixed(0));
    lines.push(`| ${row.name} | ${row.relays} | ${formatRate(row.events)} | ${row.seconds.toFixed(2)} | ${formatRate(row.rate)} | ${micros(row.cpuPerEvent)} | ${micros(row.postgresPerEvent)} | ${micros(row.machinePerEvent)} | ${versus('pg-boss (fetch + complete)')} | ${versus('pg-boss, 2 loops per worker')} |`);
  }
  lines.push('', `\`record\` inside a transaction (BEGIN; UPDATE one row; COMMIT), medians of 400 interleaved rounds on one connection: ${cost.roundTrips} extra round trip; the transaction took ${cost.plain} µs without it, ${cost.record} µs with \`record\` (the call itself ${cost.recordCall} µs); with pg-boss's \`insert\` in the same transaction ${cost.boss} µs (the call ${cost.bossCall} µs).`, '');
  lines.push(`COMMIT to delivered (row settled) at ${formatRate(latency.offeredRate)} events/s offered for ${LATENCY_SECONDS} s, one event per transaction, 1 relay process: p50 ${latency.p50?.toFixed(0)} ms, p99 ${latency.p99?.toFixed(0)} ms, max ${latency.max?.toFixed(0)} ms (${formatRate(latency.delivered)} of ${formatRate(latency.total)} delivered).`);
  return lines.join('\n');
}

function pgBossVersion() {
  try {
    return JSON.parse(readPackage('pg-boss')).version;
  } catch {
    return '';
  }
}

function readPackage(name) {
  return readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await run());
