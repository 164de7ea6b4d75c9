// The intake path on its own: what one `sendAudit` call costs the caller before it returns (burst and steady), and
// what an accepted, unsettled event holds on the heap, per adapter. Every measurement runs in a fresh process
// (intake-process.mjs). With AUDITWIRE_BASELINE_DIST set to another build's dist/ (kept inside this checkout, so that
// it resolves the same node_modules), each row is measured for both builds, interleaved, in the same run.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, median, startSink } from './lib.mjs';

const ROUNDS = 3;
const ADAPTERS = ['auditlog', 'retraced', 'logzab', 'frontegg'];
const CURRENT = fileURLToPath(new URL('../dist', import.meta.url));

function builds() {
  const baseline = process.env.AUDITWIRE_BASELINE_DIST;
  if (baseline === undefined || baseline === '') return [['this build', CURRENT]];
  const path = resolve(baseline);
  if (!existsSync(`${path}/index.js`)) throw new Error(`AUDITWIRE_BASELINE_DIST=${baseline}: no index.js there`);
  return [['this build', CURRENT], ['baseline', path]];
}

/** Runs one job of intake-process.mjs; killed by its pid if it outlives `timeoutMs`. */
function measure(job, execArgv = [], timeoutMs = 120_000) {
  return new Promise((resolvePromise, reject) => {
    const child = fork(new URL('./intake-process.mjs', import.meta.url), [JSON.stringify(job)], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-2000)));
    let message;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('message', (m) => (message = m));
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (message?.result) return resolvePromise(message.result);
      reject(new Error(`intake ${job.mode} ${job.adapter}: ${message?.error ?? `exited with ${code}`}\n${stderr}`));
    });
  });
}

const us = (value) => (Number.isFinite(value) ? `${value.toFixed(1)} µs` : 'n/a');
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

export async function run() {
  const sink = await startSink();
  const list = builds();
  // samples[build][adapter] = { burst: [], steady: [], heap: [] }
  const samples = new Map(list.map(([name]) => [name, new Map(ADAPTERS.map((a) => [a, { burst: [], steady: [], heap: [] }]))]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? list : [...list].reverse();
      for (const adapter of ADAPTERS) {
        for (const [name, dist] of order) {
          const cell = samples.get(name).get(adapter);
          for (const pattern of ['burst', 'steady']) cell[pattern].push(await measure({ mode: 'sync', pattern, adapter, dist, url: sink.referenceUrl }));
          const [port] = await freePorts(1);
          cell.heap.push(await measure({ mode: 'heap', adapter, dist, url: `http://127.0.0.1:${port}` }, ['--expose-gc']));
          await sink.stats(); // forget what the sink stored
        }
      }
      process.stderr.write(`intake bench: round ${round + 1} of ${ROUNDS} done\n`);
    }
  } finally {
    await sink.stop();
  }

  const summary = (name, adapter) => {
    const cell = samples.get(name).get(adapter);
    const med = (list, key) => median(list.map((s) => s[key]));
    return {
      burst: { median: med(cell.burst, 'median'), p99: med(cell.burst, 'p99') },
      steady: { median: med(cell.steady, 'median'), p99: med(cell.steady, 'p99') },
      // Older baselines' processes report no second window.
      burstWarm: { median: med(cell.burst, 'warmMedian'), p99: med(cell.burst, 'warmP99') },
      steadyWarm: { median: med(cell.steady, 'warmMedian'), p99: med(cell.steady, 'warmP99') },
      heap: med(cell.heap, 'heapPerEvent'),
      wire: med(cell.heap, 'wireBytes'),
      accepted: Math.min(...cell.heap.map((s) => s.accepted)),
      failed: Math.max(...[...cell.burst, ...cell.steady].map((s) => s.failed)),
    };
  };
  const rows = [];
  const goals = [];
  for (const adapter of ADAPTERS) {
    for (const [name] of list) {
      const s = summary(name, adapter);
      rows.push(
        `| ${adapter} | ${name} | ${us(s.burst.median)} / ${us(s.burst.p99)} | ${us(s.steady.median)} / ${us(s.steady.p99)} | ${us(s.burstWarm.median)} / ${us(s.burstWarm.p99)} | ${us(s.steadyWarm.median)} / ${us(s.steadyWarm.p99)} | ${Math.round(s.heap)} B | ${Math.round(s.wire)} B | ${Math.round(s.heap - s.wire)} B | ${s.accepted.toLocaleString('en-US')} | ${s.failed} |`,
      );
    }
    const s = summary('this build', adapter);
    const within = (...windows) => windows.every((w) => w.median <= 10 && w.p99 <= 50);
    const syncOk = within(s.burst, s.steady);
    const warmOk = within(s.burstWarm, s.steadyWarm);
    const heapOk = s.heap <= s.wire + 512;
    goals.push(`| ${adapter} | ${syncOk ? 'holds' : 'misses'} | ${warmOk ? 'holds' : 'misses'} | ${heapOk ? 'holds' : 'misses'} (${Math.round(s.heap - s.wire)} B over the wire bytes) |`);
  }
  const ratios = list.length < 2 ? [] : [
    '',
    'This build ÷ the baseline (same run):',
    '',
    '| adapter | burst median | burst p99 | steady median | steady p99 | heap per queued event |',
    '|---|---:|---:|---:|---:|---:|',
    ...ADAPTERS.map((adapter) => {
      const [a, b] = [summary('this build', adapter), summary('baseline', adapter)];
      return `| ${adapter} | ${ratio(a.burst.median, b.burst.median)} | ${ratio(a.burst.p99, b.burst.p99)} | ${ratio(a.steady.median, b.steady.median)} | ${ratio(a.steady.p99, b.steady.p99)} | ${ratio(a.heap, b.heap)} |`;
    }),
  ];
  return [
    '## Intake: sendAudit synchronous cost and heap per queued event',
    '',
    `Each cell in a fresh process, median of ${ROUNDS} runs (builds and adapters interleaved). *sync*: microseconds one`,
    '`sendAudit` call takes before it returns its promise (validate, normalize, map, canonicalize, hash, enqueue), over',
    '10,000 calls after 1,000 warm-up calls, sink (reference server) up; Frontegg after `init()`. *burst*: a tight loop;',
    '*steady*: 10 calls per event-loop turn. *warm*: the next 10,000 calls of the same process (calls 11,001-21,000): in',
    'the first window V8 is still compiling and replacing the code on the path (most of that window\'s slowest calls are',
    'among its first few thousand), which a backend pays once. *heap per queued event*: the sink is down (connection refused), 100,000',
    'events accepted and left queued; heap used after a forced GC (`--expose-gc`) minus before, ÷ 100,000. *wire bytes*:',
    'the mean UTF-8 size of the queued events\' wire text.',
    '',
    '| adapter | build | sync burst median / p99 | sync steady median / p99 | warm burst median / p99 | warm steady median / p99 | heap per queued event | wire bytes | heap − wire | accepted (heap run) | sync failures |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    ...ratios,
    '',
    'Goals (issue 15): sync median ≤ 10 µs and p99 ≤ 50 µs in burst and steady; heap per queued event ≤ wire bytes + 512 B.',
    '',
    '| adapter | sync, first 10,000 | sync, warm | heap |',
    '|---|---|---|---|',
    ...goals,
  ].join('\n');
}
