// The outage-memory measurement, in a process of its own so that its resident memory is the client's alone
// (test/reliability/outage-memory.test.ts runs it and asserts on what it prints; scripts/reliability.mjs reports
// it). Run with `node --expose-gc test/reliability/outage-child.mjs '<json options>'`; uses the built package.
//
// 1. The endpoint is a loopback port with nothing listening: every request is refused (ECONNREFUSED).
// 2. Events are offered faster than the queue bound (`offerFactor` times maxQueueBytes, whenQueueFull 'reject').
// 3. RSS is sampled before (after a full GC), during offering and while the outage lasts; the kernel's peak
//    (getrusage maxRSS) is read at the end of the outage, then the heap after a full GC (what is really held).
// 4. A reference server is started on the same port; the queued events must all be delivered.
import { createServer } from 'node:net';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { AuditsClient } from '../../dist/index.js';
import { createReferenceServer } from '../../dist/testing.js';

const options = { maxQueueBytes: 8 * 2 ** 20, eventBytes: 4096, offerFactor: 6, outageRetries: 40, recoveryTimeoutMs: 60_000, ...JSON.parse(process.argv[2] ?? '{}') };
const MiB = 2 ** 20;

const port = await new Promise((resolve, reject) => {
  const probe = createServer();
  probe.once('error', reject);
  probe.listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});

const client = new AuditsClient({
  adapter: 'auditlog',
  endpoint: `http://127.0.0.1:${port}`,
  apiKey: 'outage:secret',
  server: { id: 'outage-host', version: '1.0.0' },
  maxQueueBytes: options.maxQueueBytes,
  // The byte bound is the one under test: the count bound is set out of the way.
  maxQueueSize: 10_000_000,
  whenQueueFull: 'reject',
  flushIntervalMs: 20,
  requestTimeoutMs: 2_000,
  // Keep retrying through the outage (a refused connection is retried in both delivery modes).
  retry: { maxRetries: 100_000, initialDelayMs: 10, maxDelayMs: 100, deadlineMs: 30 * 60_000 },
});
let retries = 0;
client.on('retry', () => retries++);

/** A valid AuditLog.co event of about `eventBytes` on the wire: the user agent carries the bulk (at most 4096). */
const agent = 'A'.repeat(Math.max(0, Math.min(4096, options.eventBytes - 300)));
const eventAt = (i) => ({ id: `outage-${i}`, action: 'user.login', actor: { id: `user-${i % 1000}` }, tenant: { id: 'acme' }, userAgent: agent, ip: '203.0.113.7' });

const rss = () => process.memoryUsage().rss;
globalThis.gc?.();
globalThis.gc?.();
const baseline = rss();
const baselineHeap = process.memoryUsage().heapUsed;
let youngPeak = 0;
let peakSampled = baseline;
let maxQueued = 0;
const sample = () => {
  peakSampled = Math.max(peakSampled, rss());
  for (const space of getHeapSpaceStatistics()) if (space.space_name === 'new_space') youngPeak = Math.max(youngPeak, space.space_size);
  maxQueued = Math.max(maxQueued, client.stats().queuedBytes);
};
const sampler = setInterval(sample, 10);

let accepted = 0;
let refusedFull = 0;
let delivered = 0;
let failed = 0;
const offeredBytesTarget = options.offerFactor * options.maxQueueBytes;
let offered = 0;
let offeredBytes = 0;
let wireBytes = 0;
const offerStarted = performance.now();
// Offered in slices with a turn of the event loop between them, as an application's requests would arrive. Bounded
// in count too: should nothing ever be queued (wireBytes stays 0), the loop ends and the parent's checks fail with
// the figures instead of a kill after its watchdog.
const maxOffered = Math.ceil(offeredBytesTarget / 64);
while (offeredBytes < offeredBytesTarget && offered < maxOffered) {
  for (let k = 0; k < 200; k++) {
    const promise = client.sendAudit(eventAt(offered++));
    promise.then(
      () => void delivered++,
      (error) => void (error.code === 'QUEUE_FULL' ? refusedFull++ : failed++),
    );
  }
  if (wireBytes === 0) wireBytes = client.stats().queuedBytes / Math.max(1, client.stats().queued);
  offeredBytes = offered * wireBytes;
  sample();
  await new Promise((resolve) => setImmediate(resolve));
}
const offerSeconds = (performance.now() - offerStarted) / 1000;
accepted = client.stats().accepted;
const duringOffer = rss();

// The outage goes on: wait until the client has retried `outageRetries` more times (event-driven, no sleep).
const retriesAtEnd = retries + options.outageRetries;
await new Promise((resolve) => {
  const check = () => (retries >= retriesAtEnd ? resolve() : client.once('retry', check));
  check();
});
sample();
const duringOutage = rss();
const maxRssKernel = process.resourceUsage().maxRSS * 1024;
const statsDuringOutage = client.stats();
clearInterval(sampler);
// What the client really holds: the heap after a full collection, against the baseline's.
globalThis.gc?.();
globalThis.gc?.();
const liveHeapGrowth = process.memoryUsage().heapUsed - baselineHeap;

// Recovery: a server on the same port; everything accepted must arrive.
const recoveryStarted = performance.now();
const server = await createReferenceServer({ port });
const flushed = await Promise.race([
  client.flush().then(() => true),
  new Promise((resolve) => setTimeout(() => resolve(false), options.recoveryTimeoutMs).unref()),
]);
const recoverySeconds = (performance.now() - recoveryStarted) / 1000;
// Let the promise handlers above count the last outcomes.
await new Promise((resolve) => setImmediate(resolve));
const stored = server.events.length;
const storedIds = new Set(server.events.map((event) => event.eventId)).size;
await client.close();
await server.close();

const result = {
  node: process.version,
  maxQueueBytes: options.maxQueueBytes,
  wireBytesPerEvent: Math.round(wireBytes),
  offered,
  offeredMiB: +(offeredBytes / MiB).toFixed(1),
  offerSeconds: +offerSeconds.toFixed(2),
  accepted,
  refusedFull,
  failed,
  maxQueuedBytes: maxQueued,
  statsDuringOutage,
  retries,
  baselineMiB: +(baseline / MiB).toFixed(1),
  duringOfferMiB: +(duringOffer / MiB).toFixed(1),
  duringOutageMiB: +(duringOutage / MiB).toFixed(1),
  peakSampledMiB: +(peakSampled / MiB).toFixed(1),
  peakKernelMiB: +(maxRssKernel / MiB).toFixed(1),
  growthMiB: +((Math.max(peakSampled, maxRssKernel) - baseline) / MiB).toFixed(1),
  baselineHeapMiB: +(baselineHeap / MiB).toFixed(1),
  liveHeapGrowthMiB: +(liveHeapGrowth / MiB).toFixed(1),
  youngGenerationPeakMiB: +(youngPeak / MiB).toFixed(1),
  maxOldSpaceMiB: Math.round(getHeapStatistics().heap_size_limit / MiB),
  flushed,
  recoverySeconds: +recoverySeconds.toFixed(2),
  delivered,
  stored,
  storedIds,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
