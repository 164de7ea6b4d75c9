// The cost of the spool (crash durability): the client end to end, the synchronous cost of sendAudit, and the time
// from sendAudit to 'persisted', with and without `spool`, side by side in one run (rounds interleaved, medians).
// The reference server runs in another process; the spool lives in a fresh directory under AUDITWIRE_BENCH_SPOOL_DIR
// (default: the OS temp dir), whose file system is named in the results since fsync costs differ by orders of
// magnitude between a tmpfs, a local SSD and a network disk.
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditsClient } from '../dist/index.js';
import { formatRate, loginEvent, median, startSink } from './lib.mjs';

const EVENTS = 10_000;
const ROUNDS = 3;
const PACED_EVENTS = 1_000;

const event = loginEvent;

const VARIANTS = [
  ['no spool (memory only)', () => undefined],
  ['spool, commitIntervalMs 5 (default)', (dir) => ({ dir })],
  ['spool, commitIntervalMs 0', (dir) => ({ dir, commitIntervalMs: 0 })],
];

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

function newClient(url, spool) {
  return new AuditsClient({ adapter: 'auditlog', endpoint: url, apiKey: 'consumer:secret', maxQueueSize: EVENTS, ...(spool ? { spool } : {}) });
}

/** Every event at once (Promise.all over a tight loop), as the client benchmark does. */
async function endToEnd(url, spool) {
  const client = newClient(url, spool);
  let commits = 0;
  client.on('persisted', () => commits++);
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: EVENTS }, (_, i) => client.sendAudit(event(i))));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await client.close();
  return { rate: EVENTS / seconds, commits };
}

/**
 * Steady traffic, 10 calls per event-loop turn: the microseconds each sendAudit takes before returning, and the
 * milliseconds from the call to the 'persisted' that covers its event.
 */
async function steady(url, spool) {
  const client = newClient(url, spool);
  const sentAt = new Map();
  const toPersisted = [];
  client.on('persisted', (ids) => {
    const now = process.hrtime.bigint();
    for (const id of ids) toPersisted.push(Number(now - sentAt.get(id)) / 1e6);
  });
  const sync = [];
  const pending = [];
  for (let i = 0; i < EVENTS; i++) {
    const input = event(i);
    const start = process.hrtime.bigint();
    sentAt.set(input.id, start);
    pending.push(client.sendAudit(input));
    sync.push(Number(process.hrtime.bigint() - start) / 1e3);
    if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(pending);
  await client.close();
  const calls = sync.slice(1000).sort((a, b) => a - b); // the first 1,000 calls warm the JIT
  const waits = toPersisted.slice(1000).sort((a, b) => a - b);
  return {
    syncMedian: median(calls),
    syncP99: percentile(calls, 0.99),
    persistedMedian: waits.length ? median(waits) : undefined,
    persistedP99: waits.length ? percentile(waits, 0.99) : undefined,
  };
}

/** A quiet application: one sendAudit per millisecond; the milliseconds from each call to its 'persisted'. */
async function paced(url, spool) {
  const client = newClient(url, spool);
  const sentAt = new Map();
  const waits = [];
  client.on('persisted', (ids) => {
    const now = process.hrtime.bigint();
    for (const id of ids) waits.push(Number(now - sentAt.get(id)) / 1e6);
  });
  const pending = [];
  for (let i = 0; i < PACED_EVENTS; i++) {
    const input = event(i);
    sentAt.set(input.id, process.hrtime.bigint());
    pending.push(client.sendAudit(input));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  await client.close();
  waits.sort((a, b) => a - b);
  return waits.length ? { median: median(waits), p99: percentile(waits, 0.99) } : undefined;
}

/** One 1 KiB append plus fdatasync, alone: the floor under any group commit on this disk. */
function fdatasyncCost(dir) {
  const path = join(dir, 'probe.log');
  const fd = openSync(path, 'a');
  const data = Buffer.alloc(1024, 0x61);
  const samples = [];
  for (let i = 0; i < 200; i++) {
    const start = process.hrtime.bigint();
    writeSync(fd, data);
    fdatasyncSync(fd);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  closeSync(fd);
  rmSync(path);
  samples.sort((a, b) => a - b);
  return { median: median(samples), p99: percentile(samples, 0.99) };
}

/** The file system type holding `dir` (Linux: the longest mount point in /proc/mounts that contains it). */
function fileSystemOf(dir) {
  try {
    const real = realpathSync(dir);
    let best = { point: '', type: 'unknown' };
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [, point, type] = line.split(' ');
      if (point && (real === point || real.startsWith(point.endsWith('/') ? point : `${point}/`)) && point.length >= best.point.length) best = { point, type };
    }
    return best.type;
  } catch {
    return 'unknown';
  }
}

export async function run() {
  const parent = process.env.AUDITWIRE_BENCH_SPOOL_DIR ?? tmpdir();
  const base = mkdtempSync(join(parent, 'auditwire-spool-bench-'));
  const sink = await startSink();
  const url = sink.referenceUrl;
  const results = new Map(VARIANTS.map(([name]) => [name, { rates: [], commits: [], steady: [], paced: [] }]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round, so a warming machine favours no variant.
      const order = [...VARIANTS.slice(round % VARIANTS.length), ...VARIANTS.slice(0, round % VARIANTS.length)];
      for (const [name, spoolOf] of order) {
        const result = results.get(name);
        const e2e = await endToEnd(url, spoolOf(join(base, `e2e-${round}`)));
        result.rates.push(e2e.rate);
        result.commits.push(e2e.commits);
        result.steady.push(await steady(url, spoolOf(join(base, `steady-${round}`))));
        result.paced.push(await paced(url, spoolOf(join(base, `paced-${round}`))));
        await sink.stats(); // forget what the sink stored, so its memory stays flat
      }
      process.stderr.write(`spool bench: round ${round + 1} of ${ROUNDS} done\n`);
    }
    const disk = fdatasyncCost(base);
    const fs = fileSystemOf(base);
    const ms = (value) => (value === undefined ? '—' : `${value.toFixed(2)} ms`);
    const rows = VARIANTS.map(([name]) => {
      const { rates, commits, steady: runs, paced: quiet } = results.get(name);
      const pick = (key) => (runs.every((r) => r[key] !== undefined) ? median(runs.map((r) => r[key])) : undefined);
      const calm = (key) => (quiet.every((r) => r !== undefined) ? median(quiet.map((r) => r[key])) : undefined);
      const fsyncs = median(commits);
      return `| ${name} | ${formatRate(median(rates))} | ${fsyncs ? fsyncs : '—'} | ${pick('syncMedian').toFixed(1)} µs | ${pick('syncP99').toFixed(1)} µs | ${ms(pick('persistedMedian'))} / ${ms(pick('persistedP99'))} | ${ms(calm('median'))} / ${ms(calm('p99'))} |`;
    });
    return [
      '## Spool (crash durability)',
      '',
      `${EVENTS.toLocaleString('en-US')} common-model events per run through the AuditLog.co adapter to the reference server in`,
      `another process on loopback, with and without \`spool\`; median of ${ROUNDS} interleaved rounds. The spool is on ${fs}`,
      `(one 1 KiB append + fdatasync alone: median ${ms(disk.median)}, p99 ${ms(disk.p99)}). "End to end" sends every`,
      'event at once (`Promise.all`); "group commits" counts its fdatasyncs. "Steady" is 10 `sendAudit` calls per',
      'event-loop turn, as fast as the loop turns (the first 1,000 calls left out as JIT warm-up): the synchronous cost',
      'of each call, and the time from the call to the `persisted` event that covers it, which here includes the lag of',
      `a saturated event loop. "Paced" is a quiet application, ${PACED_EVENTS.toLocaleString('en-US')} calls one millisecond apart: the`,
      'commit pipeline alone (the interval, a commit possibly in progress, then its own write and fdatasync).',
      '',
      '| client | end to end, events/s | group commits (end to end) | sendAudit median (steady) | sendAudit p99 (steady) | to `persisted` median / p99 (steady) | to `persisted` median / p99 (paced) |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...rows,
    ].join('\n');
  } finally {
    await sink.stop();
    rmSync(base, { recursive: true, force: true });
  }
}

// `node bench/spool.bench.mjs` runs this section alone.
if (import.meta.url === `file://${process.argv[1]}`) console.log(await run());
