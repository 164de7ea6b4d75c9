import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, repoRoot } from '../helpers/cli.js';
import { runChild } from '../helpers/run-child.js';
import { docBlock } from '../helpers/doc-blocks.js';

// The README's Install and Quick start, run as a new user runs them. The tarball sits where the install block
// leaves it, `auditwire/auditwire-0.1.0.tgz`: `npm pack` of this build (what the block ends with; `npm test` has
// just built it), or, with AUDITWIRE_TEST_FRESH_CLONE=1, the whole install block run on a fresh clone of this
// repository's last commit (npm ci, build, pack: minutes of installing, so opt-in; CI's own checkout is such a
// clone). Then the quick start's commands as written in the sibling folder `my-app`: `npm init`, `npm install` of
// the tarball and express, `npx auditwire dev`, app.mjs, the curl lines. The only changes are the ports (0, then
// the ones printed), so parallel runs cannot collide. Node is the one running this test (the project's Node 22,
// or Node 24 under test:node24), first on the PATH.

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A plain shell's environment: without what `npm test` adds for this package, with this Node first on the PATH. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_|^INIT_CWD$|^AUDITWIRE_|^FRONTEGG_|^NODE_OPTIONS$/i.test(key)) continue;
    env[key] = value;
  }
  env['PATH'] = `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`;
  // The npm cache answers what it holds (the registry is still asked for the rest); no audit or funding requests.
  Object.assign(env, { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', NO_COLOR: '1' }, extra);
  return env;
}

function sh(script: string, cwd: string, extra: Record<string, string> = {}): Promise<Run> {
  return runChild('bash', ['-euo', 'pipefail', '-c', script], { cwd, env: userEnv(extra) });
}

function expectSuccess(result: Run, what: string): void {
  expect(result.status, `${what} exited ${String(result.status)}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`).toBe(0);
}

/** A long-running command of the README (a terminal of its own), started in the background. */
function startBackground(script: string, cwd: string, extra: Record<string, string> = {}): { child: ChildProcess; lines: AsyncLines } {
  const child = spawn('bash', ['-c', `exec env ${script}`], { cwd, env: userEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return { child, lines: new AsyncLines(child) };
}

/** The stdout lines of a child, awaited one pattern at a time; stderr kept for failure messages. */
class AsyncLines {
  readonly seen: string[] = [];
  stderr = '';
  readonly #waiters: Array<{ pattern: RegExp; resolve: (match: RegExpExecArray) => void }> = [];
  constructor(child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.seen.push(line);
      for (const waiter of [...this.#waiters]) {
        const match = waiter.pattern.exec(line);
        if (match) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          waiter.resolve(match);
        }
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
  }
  /** The next line from now on that matches (call before triggering it). */
  next(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms; saw:\n${this.seen.join('\n')}\n${this.stderr}`)), timeoutMs);
      this.#waiters.push({ pattern, resolve: (match) => (clearTimeout(timer), resolve(match)) });
    });
  }
}

const install = docBlock('install');
const setup = docBlock('quickstart-setup');
const app = docBlock('quickstart-app');
const runBlock = docBlock('quickstart-run');

let work = '';
const children: ChildProcess[] = [];

const freshClone = process.env.AUDITWIRE_TEST_FRESH_CLONE === '1';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'auditwire-quickstart-'));
  if (freshClone) {
    expectSuccess(await sh(`git clone --quiet ${JSON.stringify(repoRoot)} auditwire`, work), 'git clone');
  } else {
    ensureCliBuilt();
    expectSuccess(await sh(`mkdir auditwire && cd ${JSON.stringify(repoRoot)} && npm pack --ignore-scripts --pack-destination ${JSON.stringify(join(work, 'auditwire'))}`, work), 'npm pack');
  }
}, 120_000);

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  if (work !== '') rmSync(work, { recursive: true, force: true });
}, 120_000); // a clone with its node_modules

describe.skipIf(!freshClone)('the README install, on a fresh clone (AUDITWIRE_TEST_FRESH_CLONE=1)', () => {
  it('builds the tarball the quick start installs, and leaves the clone clean', async () => {
    expect(install.lang).toBe('sh');
    expectSuccess(await sh(install.code, work), 'the install block');
    expectSuccess(await sh('test -f auditwire-0.1.0.tgz', join(work, 'auditwire')), 'the tarball');
    const status = await sh('git status --porcelain', join(work, 'auditwire'));
    expect(status.stdout).toBe(''); // npm ci rewrote nothing, the build and the tarball are ignored
  }, 600_000);
});

describe('the README quick start, as written', () => {
  it('sets up the app from the tarball, audits a successful and an anonymous failed login, and answers a request without a body with a 400', async () => {
    const setupLines = setup.code.trim().split('\n');
    const devLine = setupLines.pop() as string;
    expect(devLine).toMatch(/^npx auditwire dev\b/);
    expectSuccess(await sh(setupLines.join('\n'), work), 'the quick start setup');
    const myApp = join(work, 'my-app');

    // Terminal 1.
    const dev = startBackground(`${devLine.replace(/\s+#.*$/, '')} --port 0`, myApp);
    const endpoint = (await dev.lines.next(/(http:\/\/127\.0\.0\.1:\d+)/))[1] as string;

    // Terminal 2: app.mjs, then the curl lines with the printed ports.
    expect(app.code.startsWith('// app.mjs\n')).toBe(true);
    writeFileSync(join(myApp, 'app.mjs'), app.code);
    const [startLine = '', ...curlLines] = runBlock.code.trim().split('\n');
    const server = startBackground(startLine.replace(/\s+#.*$/, '').replace('http://127.0.0.1:4318', endpoint), myApp, { PORT: '0' });
    const port = (await server.lines.next(/^listening on (\d+)$/))[1] as string;
    const curl = async (line: string): Promise<string> => {
      const result = await sh(line.replace('localhost:3000', `localhost:${port}`), myApp);
      expectSuccess(result, line);
      return result.stdout;
    };
    expect(curlLines).toHaveLength(3);

    const first = server.lines.next(/^audited (\S+): verified=(\w+)$/);
    expect(JSON.parse(await curl(curlLines[0] as string))).toEqual({ ok: true });
    const [, firstId, firstVerified] = await first;
    const second = server.lines.next(/^audited (\S+): verified=(\w+)$/);
    expect(JSON.parse(await curl(curlLines[1] as string))).toEqual({ ok: false });
    const [, secondId, secondVerified] = await second;
    expect([firstVerified, secondVerified]).toEqual(['true', 'true']);

    // No body, then a body that is not JSON: a 400 with a one-line reason, no stack trace, nothing audited.
    const statusAndBody = async (args: string): Promise<{ status: string; body: string }> => {
      const { stdout } = await sh(`curl -s -w '\\n%{http_code}' ${args}`, myApp);
      return { status: stdout.slice(stdout.lastIndexOf('\n') + 1), body: stdout.slice(0, stdout.lastIndexOf('\n')) };
    };
    const noBody = await statusAndBody(`-X POST localhost:${port}/login`);
    expect(noBody.status).toBe('400');
    expect(JSON.parse(noBody.body)).toEqual({ error: expect.stringContaining('username') });
    expect(JSON.parse(await curl(curlLines[2] as string))).toEqual(JSON.parse(noBody.body));
    const badJson = await statusAndBody(`localhost:${port}/login -H 'content-type: application/json' -d '{"username":'`);
    expect(badJson.status).toBe('400');
    expect(badJson.body).not.toMatch(/at \S+ \(|<pre>|node_modules/);
    // What the README says the app prints on stderr: one warning per member AuditLog.co's format drops.
    const warned = [...server.lines.stderr.matchAll(/Warning: auditwire: the auditlog adapter drops (\S+): /g)].map((match) => match[1]);
    expect(warned.sort()).toEqual(['$.crud', '$.fields', '$.outcome', '$.url']);
    expect(server.lines.stderr).not.toMatch(/Error|audit failed/);

    const stored = (await (await fetch(`${endpoint}/_auditwire/events`)).json()) as { events: Array<{ eventId: string; body: Record<string, unknown> }> };
    expect(stored.events.map((event) => event.eventId)).toEqual([firstId, secondId]);
    expect(stored.events.map((event) => event.body['action'])).toEqual(['user.login', 'user.login.failed']);
    expect((stored.events[1]?.body['actor'] as { uuid: string }).uuid).toBe('anonymous');
    expect(JSON.stringify(stored)).not.toContain('correct horse');

    // Ctrl-C: the SIGINT handler closes the server and the client, and the process ends by itself.
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 600_000);
});
