import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/server/faults.js';
import { childSource, DedupSink, runChild, type KillPoint, type RunResult } from '../helpers/spool-child.js';

// SIGKILLs a process that sends audit events through a spool at seeded random points, restarts it on the same
// directory, and checks the promise of 'persisted': every event reported persisted reaches the server, and with
// a server that deduplicates by id it is stored exactly once. The child runs the built package (dist/).

const root = fileURLToPath(new URL('../../', import.meta.url));
const EVENTS_PER_RUN = 400;
const KILLS = 5;

/** Newest modification time under `dir`, for deciding whether dist/ is older than the sources. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const sink = new DedupSink();
let endpoint: string;
let work: string;

beforeAll(async () => {
  const built = join(root, 'dist/index.js');
  if (!existsSync(built) || statSync(built).mtimeMs < newestMtime(join(root, 'src'))) {
    execFileSync('npx', ['--no-install', 'tsup'], { cwd: root, stdio: 'ignore' });
  }
  endpoint = await sink.listen();
  work = mkdtempSync(join(tmpdir(), 'auditwire-crash-'));
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => sink.server.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

describe('a spool under SIGKILL', () => {
  it('delivers every event reported persisted exactly once (deduplicated by id) after restarts', async () => {
    const script = join(work, 'child.mjs');
    writeFileSync(script, childSource(pathToFileURL(join(root, 'dist/index.js')).href));
    const dir = join(work, 'spool');
    // The reference server's seeded generator, so a failing schedule can be replayed.
    const random = seededRandom(20_260_624);
    // Kill points: on READY (while the previous run's events are being replayed), and after a random number of
    // persisted ids, below 80% of the run so the process is surely still working when the signal lands.
    const schedule = Array.from({ length: KILLS }, (_, run) => (run === 2 ? 0 : 1 + Math.floor(random() * EVENTS_PER_RUN * 0.8)));
    const killAt = (count: number | undefined): KillPoint | undefined => (count === undefined ? undefined : count === 0 ? { onReady: true } : { persisted: count });

    const persisted = new Set<string>();
    const recovered: string[] = [];
    const generated = new Set<string>();
    const runs: RunResult[] = [];
    for (let run = 0; run <= KILLS; run++) {
      for (let i = 0; i < EVENTS_PER_RUN; i++) generated.add(`r${run}-${i}`);
      const result = await runChild(script, [dir, endpoint, String(run), String(EVENTS_PER_RUN)], killAt(schedule[run]));
      for (const id of result.persisted) persisted.add(id);
      recovered.push(...result.recovered);
      runs.push(result);
    }

    const killed = runs.slice(0, KILLS);
    const last = runs[KILLS]!;
    // Each scheduled kill landed while the process was still at work.
    expect(killed.map((result) => result.signal)).toEqual(Array(KILLS).fill('SIGKILL'));
    expect(killed.every((result) => result.done === undefined)).toBe(true);
    expect({ code: last.code, stderr: last.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(last.done ?? '{}')).toMatchObject({ failed: 0, queued: 0, inFlight: 0, spooledBytes: 0 });

    // The kills left work behind, and the restarts picked it up.
    expect(recovered.length).toBeGreaterThan(0);
    const missing = [...persisted].filter((id) => !sink.stored.has(id));
    expect(missing).toEqual([]);
    expect([...sink.stored.keys()].filter((id) => !generated.has(id))).toEqual([]);
    // An event whose receipt resolved was acknowledged durably first: no restart sends it again.
    const resolvedThenResent = killed.flatMap((result) => result.resolved).filter((id) => (sink.arrivals.get(id) ?? 0) > 1);
    expect(resolvedThenResent).toEqual([]);
    // A replay sends the same bytes (same id, wire text and hash) as the first attempt.
    expect(sink.differing).toEqual([]);
    // Nothing is left in the spool, and the last client released it.
    expect(readdirSync(dir)).toEqual([]);

    const neverStored = [...generated].filter((id) => !sink.stored.has(id)).length;
    // Written when a kill landed during their fdatasync: SIGKILL keeps the page cache, so they were replayed although
    // never reported (a power loss could have lost them, which is why they were not reported).
    const storedUnreported = [...sink.stored.keys()].filter((id) => !persisted.has(id)).length;
    console.info(
      `spool crash test: ${KILLS} SIGKILLs at ${JSON.stringify(schedule)} persisted ids; ${persisted.size} events reported persisted, ` +
        `${sink.stored.size} stored once each (${storedUnreported} of them written but not yet fdatasync'ed at a kill), ${sink.duplicates} duplicate arrivals deduplicated by id (a non-deduplicating ` +
        `vendor would have stored them twice), ${recovered.length} replayed after restarts, ${neverStored} scheduled ids never stored (their process died before sending or persisting them)`,
    );
  }, 120_000);
});
