// The client end to end (server in another process, loopback) and the synchronous cost of sendAudit.
import { fork } from 'node:child_process';
import { AuditsClient } from '../dist/index.js';
import { formatRate, median } from './lib.mjs';

const EVENTS = 10_000;

/** Each adapter's options against the reference server (it accepts any well-formed credential). */
const ADAPTERS = [
  ['auditlog', (url) => ({ adapter: 'auditlog', endpoint: url, apiKey: 'consumer:secret' })],
  ['retraced', (url) => ({ adapter: 'retraced', endpoint: url, apiKey: 'token', projectId: 'bench' })],
  ['logzab', (url) => ({ adapter: 'logzab', endpoint: url, apiKey: 'key' })],
  ['frontegg', (url) => ({ adapter: 'frontegg', endpoint: url, clientId: 'bench', apiKey: 'secret' })],
];

function startServer() {
  const child = fork(new URL('./server-process.mjs', import.meta.url), { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const next = () => new Promise((resolve) => child.once('message', resolve));
  return next().then(({ url }) => ({
    url,
    stats: () => (child.send('stats'), next()),
    stop: () => new Promise((resolve) => (child.once('exit', resolve), child.send('stop'))),
  }));
}

const event = (i) => ({
  id: `evt-${i}`,
  action: 'user.login',
  actor: { id: `user-${i % 1000}`, name: 'Jane Smith', email: 'jane.smith@acme.example' },
  tenant: { id: 'acme-corp', name: 'Acme Corp' },
  target: { id: 'session', type: 'session' },
  crud: 'c',
  ip: '203.0.113.7',
  userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  fields: { method: 'password', mfa: 'totp' },
});

async function endToEnd(options) {
  const client = new AuditsClient({ ...options, maxQueueSize: EVENTS });
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const receipts = await Promise.all(Array.from({ length: EVENTS }, (_, i) => client.sendAudit(event(i))));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  await client.close();
  return {
    rate: EVENTS / seconds,
    cpuMicrosPerEvent: (cpu.user + cpu.system) / EVENTS,
    verified: receipts.filter((receipt) => receipt.verified).length,
  };
}

/** Microseconds each sendAudit call takes before returning its promise. */
async function syncCost(url, mode) {
  const client = new AuditsClient({ adapter: 'auditlog', endpoint: url, apiKey: 'consumer:secret', maxQueueSize: EVENTS });
  const samples = [];
  const pending = [];
  for (let i = 0; i < 10_000; i++) {
    const input = event(i);
    const start = process.hrtime.bigint();
    pending.push(client.sendAudit(input));
    samples.push(Number(process.hrtime.bigint() - start) / 1e3);
    if (mode === 'steady' && i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(pending);
  await client.close();
  const sorted = samples.slice(1000).sort((a, b) => a - b); // the first 1,000 calls warm the JIT
  return { median: median(sorted), p99: sorted[Math.floor(sorted.length * 0.99)] };
}

export async function run() {
  const server = await startServer();
  const rows = [];
  for (const [name, options] of ADAPTERS) {
    const runs = [];
    for (let round = 0; round < 3; round++) {
      const before = await server.stats();
      const result = await endToEnd(options(server.url));
      const after = await server.stats();
      runs.push({ ...result, requests: after.requests - before.requests, stored: after.stored - before.stored });
    }
    process.stderr.write(`client bench: ${name} end to end done\n`);
    const last = runs[runs.length - 1];
    rows.push(
      `| ${name} | ${formatRate(median(runs.map((r) => r.rate)))} | ${median(runs.map((r) => r.cpuMicrosPerEvent)).toFixed(1)} µs | ${last.requests} | ${last.stored} | ${last.verified} |`,
    );
  }
  const burst = await syncCost(server.url, 'burst');
  const steady = await syncCost(server.url, 'steady');
  await server.stop();
  return [
    '## Client',
    '',
    `End to end: ${EVENTS.toLocaleString('en-US')} common-model events (≈700 B on the wire each) through \`sendAudit\` with each`,
    'adapter and default options, to the reference server in another process on loopback; median of 3 runs. AuditLog.co',
    'and Retraced batch (100 and 50 events per request); LogZab and Frontegg carry one event per request, 16 in flight.',
    'The server hashes every event (the Retraced formula for Retraced, the auditwire hash for the others).',
    '',
    '| adapter | events/s | client CPU per event | HTTP requests | events stored | verified |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    'Synchronous cost of one `sendAudit` call (validate, normalize, map, canonicalize, hash, enqueue) before it',
    'returns its promise, over 9,000 calls after 1,000 warm-up calls:',
    '',
    '| pattern | median | p99 |',
    '|---|---:|---:|',
    `| burst (a tight loop) | ${burst.median.toFixed(1)} µs | ${burst.p99.toFixed(1)} µs |`,
    `| steady (10 calls per event-loop turn) | ${steady.median.toFixed(1)} µs | ${steady.p99.toFixed(1)} µs |`,
  ].join('\n');
}
