import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/server/faults.js';
import { ensureCliBuilt } from '../helpers/cli.js';
import { childSource, DedupSink, runChild, type RunResult } from '../helpers/spool-child.js';
import { recordFigures, sized } from './target.js';

// The spool's hardening scenarios at scale, with real processes and SIGKILL (the child runs the built package):
//
// - item 18, 'sigkill-after-receipts': killed shortly after receipts resolved, with a commit interval wide enough
//   that acknowledgements wait in a group; no event whose receipt resolved may be sent again.
// - item 15, 'sigkill-new-host': after each kill the lock is rewritten as if the killed process ran in another
//   container (new hostname, same volume, a fresh lease): the next start must take it over and deliver.
// - item 14, 'sigkill-damaged-header': after each kill one byte of the journal's first header line is flipped: the
//   next start must still deliver every intact event.
//
// Figures: events reported persisted, lost (persisted, never stored), duplicated (stored twice: 0 at this
// deduplicating sink) and duplicatedWithoutDedup (arrivals beyond the first: what AuditLog.co or Retraced would
// store twice), resolvedResent (receipt resolved, then sent again), leaked (files left in the spool directory),
// unsettled (promises of the last run neither resolved nor rejected).

const root = fileURLToPath(new URL('../../', import.meta.url));
const EVENTS_PER_RUN = sized({ ci: 300, full: 3_000 });
const KILLS = sized({ ci: 2, full: 8 });

let work: string;
let script: string;

beforeAll(() => {
  ensureCliBuilt();
  work = mkdtempSync(join(tmpdir(), 'auditwire-sigkill-'));
  script = join(work, 'child.mjs');
  writeFileSync(script, childSource(pathToFileURL(join(root, 'dist/index.js')).href));
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

type Scenario = 'sigkill-after-receipts' | 'sigkill-new-host' | 'sigkill-damaged-header';

/** What happens to the directory between a kill and the restart. */
const between: Record<Scenario, (dir: string) => void> = {
  'sigkill-after-receipts': () => {},
  'sigkill-new-host': (dir) => {
    const path = join(dir, 'LOCK');
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...owner, host: 'container-a' }));
  },
  'sigkill-damaged-header': (dir) => {
    const segment = readdirSync(dir).filter((name) => name.startsWith('journal-')).sort()[0];
    if (segment === undefined) return;
    const path = join(dir, segment);
    const bytes = readFileSync(path);
    bytes[20] = bytes[20]! ^ 0x04; // inside the first header line's JSON
    writeFileSync(path, bytes);
  },
};

const items: Record<Scenario, number> = { 'sigkill-after-receipts': 18, 'sigkill-new-host': 15, 'sigkill-damaged-header': 14 };

describe('the spool under SIGKILL at scale', () => {
  it.each(Object.keys(items) as Scenario[])('%s: loses nothing persisted, resends nothing resolved, leaves nothing behind', async (scenario) => {
    const startedAt = performance.now();
    const sink = new DedupSink();
    const endpoint = await sink.listen();
    const dir = join(work, scenario);
    const random = seededRandom(20_261_207);
    const persisted = new Set<string>();
    const runs: RunResult[] = [];
    try {
      for (let run = 0; run <= KILLS; run++) {
        // Killed once a random share of this run's receipts resolved (shortly after them, with acknowledgements
        // still waiting in a 20 ms group); the last run is not killed and drains everything.
        const kill = run < KILLS ? { resolved: 1 + Math.floor(random() * EVENTS_PER_RUN * 0.7) } : undefined;
        const result = await runChild(script, [dir, endpoint, `${scenario}-${run}`, String(EVENTS_PER_RUN), '20'], kill, 60_000);
        for (const id of result.persisted) persisted.add(id);
        runs.push(result);
        if (run < KILLS) between[scenario](dir);
      }
    } finally {
      await new Promise((resolve) => sink.server.close(resolve));
    }
    const killed = runs.slice(0, KILLS);
    const last = runs[KILLS]!;
    const stats = JSON.parse(last.done ?? '{}') as { accepted?: number; delivered?: number; failed?: number };
    const figures = {
      item: items[scenario],
      scenario,
      events: persisted.size,
      lost: [...persisted].filter((id) => !sink.stored.has(id)).length,
      duplicated: 0, // the sink stores each id once; duplicatedWithoutDedup is what a plain vendor would store twice
      duplicatedWithoutDedup: sink.duplicates,
      resolvedResent: killed.flatMap((result) => result.resolved).filter((id) => (sink.arrivals.get(id) ?? 0) > 1).length,
      leaked: readdirSync(dir).length,
      unsettled: (stats.accepted ?? 0) - (stats.delivered ?? 0) - (stats.failed ?? 0),
      seconds: Math.round((performance.now() - startedAt) / 100) / 10,
    };
    recordFigures('hardening', figures);

    expect(killed.map((result) => result.signal)).toEqual(Array(KILLS).fill('SIGKILL'));
    expect({ code: last.code, stderr: last.stderr }).toEqual({ code: 0, stderr: '' });
    expect(runs.flatMap((result) => result.recovered).length).toBeGreaterThan(0);
    expect(sink.differing).toEqual([]);
    expect(figures).toMatchObject({ lost: 0, resolvedResent: 0, leaked: 0, unsettled: 0 });
  }, 300_000);
});
