import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensureCliBuilt } from '../helpers/cli.js';
import { FULL, recordFigures, sized } from './target.js';

// Memory under an outage (issue "Reliability and security", part 4), measured in a child process
// (outage-child.mjs, on the built package): the server is down for the whole run (connection refused), events are
// offered faster than the queue bound, and resident memory must stay within maxQueueBytes plus a fixed margin;
// then a server on the same port must receive every event that was accepted.
//
// The margin, 96 MiB, covers what is not the queue, each part measured (bench/reliability.md); measured
// peak - baseline - maxQueueBytes: 69-76 MiB.
// - V8's young generation: two 16 MiB semi-spaces, filled by the refused events' garbage (measured: 32 MiB);
// - the objects around each queued event beyond its wire bytes (id, hash, promise, settle functions): a quarter
//   to two fifths of maxQueueBytes (live heap after a full GC: 1.25-1.45 x maxQueueBytes), and the in-flight
//   batches, which have left the queue (4 requests x 100 events, plus their encoded bodies);
// - old-space slack: garbage promoted before it died, and pages V8 and malloc keep after a collection.
// The child runs with --max-old-space-size = maxQueueBytes + 64 MiB (the heap in use at the baseline is about
// 14 MiB) and --max-semi-space-size=16, as an application in a container would be: V8 must then collect the refused events' garbage rather
// than grow, and a client holding more than its bound dies of "heap out of memory" (the test then fails on the
// exit status). Without a cap V8 sizes its heap from the machine's memory (4 GiB here) and lets the refused
// events' garbage pile up before collecting: RSS then grows with the volume offered, not with what is held. That
// case is reported by `npm run reliability`; the live heap after a full GC is asserted in both cases.

const MiB = 2 ** 20;
const MARGIN = 96 * MiB;
const child = fileURLToPath(new URL('./outage-child.mjs', import.meta.url));

interface OutageFigures {
  readonly maxQueueBytes: number;
  readonly offered: number;
  readonly offeredMiB: number;
  readonly accepted: number;
  readonly refusedFull: number;
  readonly failed: number;
  readonly maxQueuedBytes: number;
  readonly baselineMiB: number;
  readonly duringOfferMiB: number;
  readonly duringOutageMiB: number;
  readonly peakSampledMiB: number;
  readonly peakKernelMiB: number;
  readonly growthMiB: number;
  readonly liveHeapGrowthMiB: number;
  readonly youngGenerationPeakMiB: number;
  readonly flushed: boolean;
  readonly recoverySeconds: number;
  readonly delivered: number;
  readonly stored: number;
  readonly storedIds: number;
}

/** Runs the child (killed by its pid if it overruns) and parses the figures it prints. */
function measure(options: { maxQueueBytes: number; offerFactor: number }, maxOldSpaceMiB: number | undefined, timeoutMs: number): Promise<OutageFigures> {
  ensureCliBuilt();
  // Capped as a container would cap it, the young generation included: Node 24's V8 grows its semi-spaces up to
  // 64 MiB each under a high allocation rate (measured: a 128 MiB young generation, against 32 MiB on Node 22), which
  // is V8's choice and not what the client holds; pinned at 16 MiB, both Nodes measure the client alike.
  const flags = ['--expose-gc', ...(maxOldSpaceMiB === undefined ? [] : [`--max-old-space-size=${maxOldSpaceMiB}`, '--max-semi-space-size=16'])];
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, [...flags, child, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    process_.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
    process_.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const timer = setTimeout(() => process_.kill('SIGKILL'), timeoutMs);
    process_.on('error', reject);
    process_.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`outage child exited with ${code ?? signal}: ${stderr.slice(-2000)}`));
      try {
        resolve(JSON.parse(last) as OutageFigures);
      } catch {
        reject(new Error(`outage child printed no figures: ${stdout.slice(-500)} ${stderr.slice(-500)}`));
      }
    });
  });
}

function expectBounded(figures: OutageFigures, rss: boolean): void {
  const queue = figures.maxQueueBytes;
  // Offered faster than the bound: most were refused (QueueFullError), none failed otherwise, the queue stayed bounded.
  expect(figures.refusedFull).toBeGreaterThan(figures.accepted);
  expect(figures.failed).toBe(0);
  expect(figures.maxQueuedBytes).toBeLessThanOrEqual(queue);
  // What is held after a full collection: the queue and its per-event objects, and the batches in flight.
  expect(figures.liveHeapGrowthMiB * MiB).toBeLessThan(1.5 * queue + 16 * MiB);
  if (rss) expect(figures.growthMiB * MiB).toBeLessThan(queue + MARGIN);
  // Recovery: every accepted event delivered, each stored once.
  expect(figures.flushed).toBe(true);
  expect(figures).toMatchObject({ delivered: figures.accepted, stored: figures.accepted, storedIds: figures.accepted });
}

describe('memory under an outage', () => {
  const queue = sized({ ci: 8 * MiB, full: 32 * MiB });
  // Offered: 128 MiB in CI, 320 MiB in full, well past maxQueueBytes + MARGIN, so unbounded growth could not pass.
  const offerFactor = sized({ ci: 16, full: 10 });
  const cap = queue / MiB + 64;

  it(`stays within maxQueueBytes + ${MARGIN / MiB} MiB of RSS with the server down, then delivers the queue once it is back`, async () => {
    const figures = await measure({ maxQueueBytes: queue, offerFactor }, cap, 120_000);
    recordFigures('outage-memory', { ...figures, heapCapMiB: cap, marginMiB: MARGIN / MiB });
    expectBounded(figures, true);
  }, 150_000);

  it.runIf(FULL)('reports the same run without a heap cap (RSS follows V8\'s collection, the live heap stays bounded)', async () => {
    const figures = await measure({ maxQueueBytes: queue, offerFactor }, undefined, 120_000);
    recordFigures('outage-memory-uncapped', { ...figures, marginMiB: MARGIN / MiB });
    expectBounded(figures, false);
  }, 150_000);
});
