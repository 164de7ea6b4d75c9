import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import canonicalize from 'canonicalize';

// What the SIGKILL tests of the spool share: a deduplicating AuditLog.co sink on loopback, and a child process
// that sends audit events through a spool (the built package) and reports, line by line, what it was told.

/** The AuditLog.co events endpoint, deduplicating by `uuid`: a repeat is answered with the stored hash, not stored. */
export class DedupSink {
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

  /** Arrivals beyond the first of each id: what a vendor that does not deduplicate would have stored twice. */
  get duplicates(): number {
    let total = 0;
    for (const count of this.arrivals.values()) total += count - 1;
    return total;
  }
}

/**
 * The child's source. Arguments: spool dir, endpoint, run number, event count, commitIntervalMs. It prints
 * `P ids` for 'persisted', `R ids` for 'recovered', `D id` once a receipt resolved, `DONE <stats>` after close().
 */
export function childSource(entry: string): string {
  return `
import { writeSync } from 'node:fs';
import { AuditsClient } from ${JSON.stringify(entry)};
const [dir, endpoint, run, count, commitIntervalMs = '2'] = process.argv.slice(2);
// Synchronous: process.stdout.write to a pipe may still be queued in this process when the SIGKILL lands, and a
// line the test never reads is an event it never counts. A line this short is written whole.
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
  spool: { dir, commitIntervalMs: Number(commitIntervalMs) },
});
client.on('persisted', (ids) => out('P ' + ids.join(',')));
client.on('recovered', (ids) => out('R ' + ids.join(',')));
client.on('error', (error) => process.stderr.write('error: ' + error.message + '\\n'));
// Asked by the test's watchdog before it gives up: what the client still holds.
process.on('SIGUSR2', () => process.stderr.write('stats at timeout: ' + JSON.stringify(client.stats()) + '\\n'));
out('READY');
// An application producing events over time: 10 per millisecond.
for (let i = 0; i < Number(count); ) {
  for (let k = 0; k < 10 && i < Number(count); k++, i++) {
    const id = 'r' + run + '-' + i;
    client.sendAudit({ id, action: 'user.login', actor: { id: 'user-' + i } }).then(() => out('D ' + id), () => {});
  }
  await new Promise((resolve) => setTimeout(resolve, 1));
}
await client.close();
out('DONE ' + JSON.stringify(client.stats()));
`;
}

export interface RunResult {
  readonly persisted: string[];
  readonly recovered: string[];
  /** Ids whose receipt resolved in this run. */
  readonly resolved: string[];
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly stderr: string;
  readonly done: string | undefined;
}

/** When to SIGKILL the child: on READY, or once it has reported this many persisted ids, or resolved receipts. */
export type KillPoint = { readonly onReady: true } | { readonly persisted: number } | { readonly resolved: number };

/** Runs the child once; with `kill`, SIGKILLs it at that point. */
export function runChild(script: string, args: string[], kill: KillPoint | undefined, timeoutMs = 20_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const persisted: string[] = [];
    const recovered: string[] = [];
    const resolved: string[] = [];
    let done: string | undefined;
    let stdout = '';
    let stderr = '';
    const watchdog = setTimeout(() => {
      child.kill('SIGUSR2');
      setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`run ${args[2]} did not end within ${timeoutMs} ms; stderr: ${stderr}`));
      }, 500);
    }, timeoutMs);
    const due = (line: string): boolean => {
      if (kill === undefined) return false;
      if ('onReady' in kill) return line === 'READY';
      if ('persisted' in kill) return persisted.length >= kill.persisted;
      return resolved.length >= kill.resolved;
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const lines = stdout.split('\n');
      stdout = lines.pop() ?? ''; // an incomplete line: the rest is still on its way
      for (const line of lines) {
        if (line.startsWith('P ')) persisted.push(...line.slice(2).split(','));
        else if (line.startsWith('R ')) recovered.push(...line.slice(2).split(','));
        else if (line.startsWith('D ')) resolved.push(line.slice(2));
        else if (line.startsWith('DONE ')) done = line.slice(5);
        if (due(line) && child.exitCode === null) child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // 'close' rather than 'exit': the lines a killed child wrote before dying are still read to the end.
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      resolve({ persisted, recovered, resolved, signal, code, stderr, done });
    });
  });
}
