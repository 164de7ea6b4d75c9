// The cost of the ledger (issue 16): the client end to end and the synchronous cost of sendAudit with the ledger
// on and off, side by side in one run (rounds interleaved, medians); then `ledger verify` and `ledger prove` on a
// ledger of VERIFY_RECORDS records. The reference server runs in another process; ledgers live under the OS temp
// dir (its file system is named in the results: fsync costs differ by orders of magnitude between disks).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditsClient, generateLedgerKeys, openLedger, parseVerifierKey, proveRecord, verifyLedger } from '../dist/index.js';
import { formatRate, loginEvent, median, startSink } from './lib.mjs';

const EVENTS = 10_000;
const ROUNDS = 5;
const VERIFY_RECORDS = 200_000;
const ORIGIN = 'bench.example/ledger';
const keys = generateLedgerKeys(ORIGIN);

const event = loginEvent;

const VARIANTS = [
  ['ledger off', () => undefined],
  ['ledger on', (dir) => ({ dir, signingKey: keys.privateKey, origin: ORIGIN })],
];

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

function newClient(url, ledger) {
  return new AuditsClient({ adapter: 'auditlog', endpoint: url, apiKey: 'consumer:secret', maxQueueSize: EVENTS, onUnmappedField: 'ignore', ...(ledger ? { ledger } : {}) });
}

/**
 * Every event at once, as the client benchmark does; the time includes close() (the ledger's last write and
 * checkpoint). Also the client process's CPU time per event (every thread: the fdatasyncs run on libuv's pool),
 * which a shared machine disturbs less than the wall clock.
 */
async function endToEnd(url, ledger) {
  const client = newClient(url, ledger);
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: EVENTS }, (_, i) => client.sendAudit(event(i))));
  await client.close();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { rate: EVENTS / seconds, cpuPerEvent: (used.user + used.system) / EVENTS };
}

/** Steady traffic, 10 calls per event-loop turn: microseconds each sendAudit takes before returning. */
async function syncCost(url, ledger) {
  const client = newClient(url, ledger);
  const samples = [];
  const pending = [];
  for (let i = 0; i < EVENTS; i++) {
    const input = event(i);
    const start = process.hrtime.bigint();
    pending.push(client.sendAudit(input));
    samples.push(Number(process.hrtime.bigint() - start) / 1e3);
    if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(pending);
  await client.close();
  const sorted = samples.slice(1000).sort((a, b) => a - b);
  return { median: median(sorted), p99: percentile(sorted, 0.99) };
}

async function verifyFigures(base) {
  const dir = join(base, 'verify');
  const ledger = await openLedger({ dir, signingKey: keys.privateKey, origin: ORIGIN });
  for (let i = 0; i < VERIFY_RECORDS; i++) {
    ledger.append({ id: `evt-${i}`, hash: i.toString(16).padStart(64, '0'), serverId: `srv-${i}`, serverHash: i.toString(16).padStart(64, '0'), verified: true, adapter: 'auditlog', time: '2026-01-01T00:00:00.000Z', ackedAt: '2026-01-01T00:00:00.100Z' });
    if (i % 10_000 === 9_999) await ledger.checkpoint();
  }
  await ledger.close();
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  let start = process.hrtime.bigint();
  const summary = await verifyLedger(dir, parseVerifierKey(keys.publicKey), () => undefined);
  const verifySeconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(sampler);
  if (summary.problems !== 0) throw new Error('the bench ledger does not verify');
  start = process.hrtime.bigint();
  await proveRecord(dir, `evt-${VERIFY_RECORDS / 2}`);
  const proveSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { rate: VERIFY_RECORDS / verifySeconds, checkpoints: summary.checkpoints, peakRssGrowth: peakRss - rssBefore, proveSeconds };
}

export async function run() {
  const base = mkdtempSync(join(tmpdir(), 'auditwire-ledger-bench-'));
  const sink = await startSink();
  const rates = new Map(VARIANTS.map(([label]) => [label, []]));
  const sync = new Map(VARIANTS.map(([label]) => [label, []]));
  try {
    let n = 0;
    // Round 0 warms both variants up (the JIT, the sink's connections) and is not counted: whichever ran first
    // would otherwise pay for it.
    for (let round = 0; round <= ROUNDS; round++) {
      const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
      for (const [label, ledger] of order) {
        const e2e = await endToEnd(sink.referenceUrl, ledger(join(base, `e2e-${n++}`)));
        const cost = await syncCost(sink.referenceUrl, ledger(join(base, `sync-${n++}`)));
        await sink.stats();
        if (round === 0) continue;
        rates.get(label).push(e2e);
        sync.get(label).push(cost);
      }
      process.stderr.write(`ledger bench: round ${round} of ${ROUNDS} done${round === 0 ? ' (warm-up)' : ''}\n`);
    }
    const verify = await verifyFigures(base);
    const rows = VARIANTS.map(([label]) => {
      const s = sync.get(label);
      const e = rates.get(label);
      return `| ${label} | ${formatRate(median(e.map((x) => x.rate)))} | ${median(e.map((x) => x.cpuPerEvent)).toFixed(1)} µs | ${median(s.map((x) => x.median)).toFixed(1)} µs | ${median(s.map((x) => x.p99)).toFixed(1)} µs |`;
    });
    const off = median(rates.get('ledger off').map((x) => x.rate));
    const on = median(rates.get('ledger on').map((x) => x.rate));
    const cpuOff = median(rates.get('ledger off').map((x) => x.cpuPerEvent));
    const cpuOn = median(rates.get('ledger on').map((x) => x.cpuPerEvent));
    const syncOff = median(sync.get('ledger off').map((x) => x.median));
    const syncOn = median(sync.get('ledger on').map((x) => x.median));
    return [
      '## Ledger (`bench/ledger.bench.mjs`)',
      '',
      `AuditLog.co adapter against the reference server in another process; ${formatRate(EVENTS)} events per run, ${ROUNDS} rounds interleaved after a warm-up round, medians. End to end = every event at once, then \`close()\` (which with the ledger includes its last fdatasync and the signed checkpoint). Ledger in ${tmpdir()}.`,
      '',
      '| variant | events/s end to end | client CPU per event end to end | `sendAudit` sync median | sync p99 |',
      '|---|---|---|---|---|',
      ...rows,
      '',
      `Ledger on ÷ off: end to end ${(on / off).toFixed(2)}× events/s and ${(cpuOn / cpuOff).toFixed(2)}× client CPU per event, \`sendAudit\` synchronous cost ${(syncOn / syncOff).toFixed(2)}× (goal: within 10%).`,
      '',
      `\`verifyLedger\` (what \`auditwire ledger verify\` runs) on ${formatRate(VERIFY_RECORDS)} records and ${verify.checkpoints} checkpoints: ${formatRate(verify.rate)} records/s, RSS growth ${(verify.peakRssGrowth / 2 ** 20).toFixed(0)} MiB (streams both files; memory does not grow with the ledger). \`proveRecord\` for the middle record: ${verify.proveSeconds.toFixed(2)} s (two streaming passes).`,
    ].join('\n');
  } finally {
    await sink.stop();
    rmSync(base, { recursive: true, force: true });
  }
}
