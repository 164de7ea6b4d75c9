import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/server/faults.js';

// SIGKILLs a process that sends audit events through a spool at seeded random points, restarts it on the same
// directory, and checks the promise of 'persisted': every event reported persisted reaches the server, and with
// a server that deduplicates by id it is stored exactly once. The child runs the built package (dist/).

const root = fileURLToPath(new URL('../../', import.meta.url));
const EVENTS_PER_RUN = 400;
const KILLS = 5;

/** The AuditLog.co events endpoint, deduplicating by `uuid`: a repeat is answered with the stored hash, not stored. */
class DedupSink {
  readonly stored = new Map<string, string>();
  /** Every element received, repeats included, by uuid. */
  readonly arrivals = new Map<string, number>();
  /** Repeats whose bytes differed from the first copy (a replay must be byte-identical). */
  readonly differing: string[] = [];
  readonly server: Server;

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const elements = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Array<Record<string, unknown>>;
        const receivedEvents = elements.map((element) => {
          const uuid = String(element.uuid);
          const text = canonicalize(element) ?? '';
          this.arrivals.set(uuid, (this.arrivals.get(uuid) ?? 0) + 1);
          const first = this.stored.get(uuid);
          if (first === undefined) this.stored.set(uuid, text);
          else if (first !== text) this.differing.push(uuid);
          const hash = createHash('sha256').update(first ?? text).digest('hex');
          return { id: `srv-${uuid}`, uuid, hash };
        });
        // A little latency, so that kills find requests in flight (sent but not yet acknowledged).
        setTimeout(() => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ receivedEvents }));
        }, 2);
      });
    });
  }

  listen(): Promise<string> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}`)));
  }

  get duplicates(): number {
    let total = 0;
    for (const count of this.arrivals.values()) total += count - 1;
    return total;
  }
}

function childSource(entry: string): string {
  return `
import { writeSync } from 'node:fs';
import { AuditsClient } from ${JSON.stringify(entry)};
const [dir, endpoint, run, count] = process.argv.slice(2);
// Synchronous: process.stdout.write to a pipe may still be queued in this process when the SIGKILL lands, and a
// line the test never reads is an event it never counts as persisted. A line this short is written whole.
const out = (line) => {
  const data = Buffer.from(line + '\\n');
  for (let offset = 0; offset < data.length; ) {
    try {
      offset += writeSync(1, data, offset);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
    }
  }
};
const client = new AuditsClient({
  adapter: 'auditlog', endpoint, apiKey: 'consumer:secret', server: { id: 'crash-test', version: '1' },
  flushIntervalMs: 5, maxBatchSize: 25, retry: { initialDelayMs: 10, maxDelayMs: 50 },
  spool: { dir, commitIntervalMs: 2 },
});
client.on('persisted', (ids) => out('P ' + ids.join(',')));
client.on('recovered', (ids) => out('R ' + ids.join(',')));
client.on('error', (error) => process.stderr.write('error: ' + error.message + '\\n'));
out('READY');
// An application producing events over time: 10 per millisecond.
for (let i = 0; i < Number(count); ) {
  for (let k = 0; k < 10 && i < Number(count); k++, i++) void client.sendAudit({ id: 'r' + run + '-' + i, action: 'user.login', actor: { id: 'user-' + i } });
  await new Promise((resolve) => setTimeout(resolve, 1));
}
await client.close();
out('DONE ' + JSON.stringify(client.stats()));
`;
}

interface RunResult {
  readonly persisted: string[];
  readonly recovered: string[];
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly stderr: string;
  readonly done: string | undefined;
}

/** Runs the child once; with `killAfter`, SIGKILLs it once it has reported that many persisted ids (0: on READY). */
function runChild(script: string, args: string[], killAfter: number | undefined): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const persisted: string[] = [];
    const recovered: string[] = [];
    let done: string | undefined;
    let stdout = '';
    let stderr = '';
    const watchdog = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`run ${args[2]} did not end within 20 s; stderr: ${stderr}`));
    }, 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const lines = stdout.split('\n');
      stdout = lines.pop() ?? ''; // an incomplete line: the rest is still on its way
      for (const line of lines) {
        if (line.startsWith('P ')) persisted.push(...line.slice(2).split(','));
        else if (line.startsWith('R ')) recovered.push(...line.slice(2).split(','));
        else if (line.startsWith('DONE ')) done = line.slice(5);
        if (killAfter !== undefined && (line === 'READY' ? killAfter === 0 : persisted.length >= killAfter) && child.exitCode === null) {
          child.kill('SIGKILL');
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // 'close' rather than 'exit': the lines a killed child wrote before dying are still read to the end.
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      resolve({ persisted, recovered, signal, code, stderr, done });
    });
  });
}

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

    const persisted = new Set<string>();
    const recovered: string[] = [];
    const generated = new Set<string>();
    const runs: RunResult[] = [];
    for (let run = 0; run <= KILLS; run++) {
      for (let i = 0; i < EVENTS_PER_RUN; i++) generated.add(`r${run}-${i}`);
      const result = await runChild(script, [dir, endpoint, String(run), String(EVENTS_PER_RUN)], schedule[run]);
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
