import { describe, expect, it } from 'vitest';
import { chaosFaults, FORMATS, runChaos, totalOf, type ChaosFigures } from './chaos-harness.js';
import { FULL, recordFigures, sized } from './target.js';
import { captureWarnings } from '../helpers/warnings.js';

// Failures here are on purpose and some clients have no 'error' listener: their process warnings are captured.
captureWarnings();

// The chaos suite (issue "Reliability and security", part 1). CI: 10,000 events (2,500 per adapter);
// `npm run reliability`: 100,000 (25,000 per adapter). The server deduplicates by event id, so a resend after an
// ambiguous failure is absorbed: at-least-once must then lose nothing and store nothing twice.

const PER_FORMAT = sized({ ci: 2_500, full: 25_000 });
/** The client gives up on a request after this long; slow answers come later still. */
const REQUEST_TIMEOUT_MS = 1_500;
const SLOW_MS = 2_500;
const TIME_LIMIT_MS = sized({ ci: 60_000, full: 600_000 });

describe('chaos: at-least-once against a deduplicating server', () => {
  const runs: ChaosFigures[] = [];

  it.each(FORMATS)(
    '%s: loses nothing, stores nothing twice, detects every wrong hash, settles every promise',
    async (format) => {
      const figures = await runChaos({
        format,
        events: PER_FORMAT,
        seed: 1000 + FORMATS.indexOf(format),
        faults: chaosFaults(format, SLOW_MS),
        deduplicate: true,
        delivery: 'at-least-once',
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        timeLimitMs: TIME_LIMIT_MS,
      });
      runs.push(figures);
      recordFigures('chaos', figures);

      expect(figures.sampleFailures).toEqual([]);
      expect(figures).toMatchObject({ lost: 0, acknowledgedNotStored: 0, storedTwice: 0, unsettled: 0, unverified: 0, falseMismatches: 0 });
      expect(figures.delivered + figures.mismatched).toBe(PER_FORMAT);
      // Every wrong hash that reached the client was reported as HASH_MISMATCH.
      expect(figures.wrongHashesDetected).toBe(figures.wrongHashesSent);
      expect(figures.mismatched).toBe(figures.wrongHashesSent);
      expect(figures.faulted).toBeGreaterThan(0);
      expect(figures.retried).toBeGreaterThan(0);
    },
    TIME_LIMIT_MS + 30_000,
  );

  it('adds up over the four adapters', () => {
    const total = totalOf(runs);
    recordFigures('chaos-total', total);
    if (!FULL) console.log(`chaos (${total.events} events): lost ${total.lost}, stored twice ${total.storedTwice}, wrong hashes ${total.wrongHashesDetected}/${total.wrongHashesSent} detected, unsettled ${total.unsettled}, ${total.requests} requests, ${total.seconds.toFixed(1)} s`);
    expect(total.events).toBe(PER_FORMAT * FORMATS.length);
    expect(total).toMatchObject({ lost: 0, storedTwice: 0, unsettled: 0 });
    // The faults really happened (over all four runs, where each kind is drawn dozens of times on average):
    // wrong hashes, resends the server absorbed (drops after storing, answers past the timeout), slow answers.
    expect(total.wrongHashesSent).toBeGreaterThan(0);
    expect(total.duplicatesAbsorbed).toBeGreaterThan(0);
    expect(total.slowed).toBeGreaterThan(0);
  });
});
