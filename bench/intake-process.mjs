// One intake measurement in its own process (forked by intake.bench.mjs with the job as JSON in argv[2]), so that
// each build and adapter starts from a fresh heap and JIT. Reports over IPC and exits.
//
// mode 'sync': microseconds each `sendAudit` call takes before it returns its promise, against a live sink:
//              `pattern` 'burst' (a tight loop) or 'steady' (10 calls per event-loop turn). 1,000 warm-up calls,
//              then two measured windows of 10,000 calls: the first (median, p99) still sees the JIT compiling
//              and replacing code; the second (warmMedian, warmP99) is the process as it runs from then on.
// mode 'heap': (needs --expose-gc) the sink is down (connection refused): 100,000 events accepted and left queued;
//              heap after a forced GC minus the heap before, per event, beside the mean wire bytes per event.
import { pathToFileURL } from 'node:url';
import { auditwireEvent } from './peers.mjs';

const job = JSON.parse(process.argv[2]);
process.on('disconnect', () => process.exit(1));

const { AuditsClient } = await import(pathToFileURL(`${job.dist}/index.js`).href);

const ADAPTERS = {
  auditlog: (url) => ({ adapter: 'auditlog', endpoint: url, apiKey: 'consumer:secret' }),
  retraced: (url) => ({ adapter: 'retraced', endpoint: url, apiKey: 'token', projectId: 'bench' }),
  logzab: (url) => ({ adapter: 'logzab', endpoint: url, apiKey: 'key' }),
  // Credentials given to init() below when the sink is up (the Frontegg SDK's way), as options when it is down.
  frontegg: (url) => ({ adapter: 'frontegg', endpoint: url }),
};

const WARM_UP = 1_000;
const MEASURED = 10_000;
const HEAP_EVENTS = 100_000;
const quiet = () => {};

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

async function sync() {
  const client = new AuditsClient({ ...ADAPTERS[job.adapter](job.url), maxQueueSize: WARM_UP + 2 * MEASURED, onError: quiet });
  if (job.adapter === 'frontegg') await client.init('bench', 'secret');
  const samples = new Float64Array(WARM_UP + 2 * MEASURED);
  const pending = [];
  for (let i = 0; i < samples.length; i++) {
    const input = auditwireEvent(i);
    const start = process.hrtime.bigint();
    pending.push(client.sendAudit(input));
    samples[i] = Number(process.hrtime.bigint() - start) / 1e3;
    if (job.pattern === 'steady' && i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
  }
  const settled = await Promise.allSettled(pending);
  await client.close();
  const first = samples.subarray(WARM_UP, WARM_UP + MEASURED).sort();
  const warm = samples.subarray(WARM_UP + MEASURED).sort();
  return {
    median: percentile(first, 0.5),
    p99: percentile(first, 0.99),
    warmMedian: percentile(warm, 0.5),
    warmP99: percentile(warm, 0.99),
    failed: settled.filter((s) => s.status === 'rejected').length,
  };
}

async function heap() {
  if (typeof globalThis.gc !== 'function') throw new Error('heap mode needs --expose-gc');
  const options = { ...ADAPTERS[job.adapter](job.url), maxQueueSize: HEAP_EVENTS, maxQueueBytes: 2 ** 30, onError: quiet };
  if (job.adapter === 'frontegg') Object.assign(options, { clientId: 'bench', apiKey: 'secret' });
  // Warm-up on a client of its own, so that lazily built code and schemas are in the heap before the baseline.
  const warm = new AuditsClient(options);
  for (let i = 0; i < WARM_UP; i++) void warm.sendAudit(auditwireEvent(i));
  await warm.destroy();
  const client = new AuditsClient(options);
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      globalThis.gc();
    }
  };
  await settle();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < HEAP_EVENTS; i++) void client.sendAudit(auditwireEvent(i));
  await settle();
  const after = process.memoryUsage().heapUsed;
  const stats = client.stats();
  await client.destroy();
  return {
    heapPerEvent: (after - before) / HEAP_EVENTS,
    wireBytes: stats.queuedBytes / stats.queued,
    accepted: stats.accepted,
    held: stats.queued + stats.inFlight,
  };
}

// Run by hand (for a profile), it prints the result instead.
const send = (message) => (process.send ? new Promise((resolve) => process.send(message, resolve)) : console.log(JSON.stringify(message)));
try {
  await send({ result: job.mode === 'heap' ? await heap() : await sync() });
} catch (error) {
  await send({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
}
process.exit(0);
