import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReferenceServer, type EventFormat, type ReferenceServer } from '../../src/testing.js';
import { repoRoot } from '../helpers/cli.js';

const run = promisify(execFile);

/**
 * The examples import `auditwire` from dist/ (through the package's exports map). Build it when it is missing or
 * older than the request helpers (`npm test` builds first; this keeps a lone `npx vitest run` working).
 */
function ensureBuilt(): void {
  const index = join(repoRoot, 'dist/index.js');
  const current = existsSync(index) && existsSync(join(repoRoot, 'dist/testing.js')) && readFileSync(index, 'utf8').includes('auditRequest');
  if (!current) execFileSync('npx', ['--no-install', 'tsup'], { cwd: repoRoot, stdio: 'ignore' });
}

/** The example's own environment, without anything from ours that would redirect or reconfigure its clients. */
function exampleEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AUDITWIRE_') && !name.startsWith('FRONTEGG_')));
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs an example with the Node that runs vitest (the project's Node 22), asynchronously so our own server can answer it. */
async function runExample(file: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [`examples/${file}`], { cwd: repoRoot, env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? String(error) };
  }
}

interface Example {
  readonly file: string;
  readonly format: EventFormat;
  readonly events: number;
  /** Lines (or parts of lines) its output must contain. */
  readonly expect: readonly RegExp[];
  /** The members its adapter drops, each warned about once on stderr (`onUnmappedField: 'warn'`). */
  readonly drops?: readonly string[];
}

const UNMAPPED_WARNING = /^\(node:\d+\) \[AUDITWIRE_UNMAPPED_FIELD\] Warning: auditwire: the \w+ adapter drops (\S+): /;

/** The members an example's stderr warned about, and whatever else it printed there (which must be nothing). */
function splitWarnings(stderr: string): { drops: string[]; rest: string } {
  const drops: string[] = [];
  const rest = stderr
    .split('\n')
    .filter((line) => {
      const match = UNMAPPED_WARNING.exec(line);
      if (match) drops.push(match[1] as string);
      return match === null && !line.startsWith('(Use `node --trace-warnings');
    })
    .join('\n');
  return { drops, rest };
}

const EXAMPLES: readonly Example[] = [
  {
    file: 'express-login.mjs',
    format: 'retraced',
    events: 3,
    expect: [/POST \/login as jane@acme\.example \(right password\) -> 200/, /\(wrong password\) -> 401/, /\(unknown user\) -> 401/, /user\.login\.failed \(failure, anonymous\)/],
  },
  {
    file: 'fastify-login.mjs',
    format: 'auditlog',
    events: 3,
    drops: ['$.crud', '$.url', '$.outcome', '$.fields'],
    expect: [/\(right password\) -> 200/, /\(unknown user\) -> 401/, /user\.login\.failed \(failure, anonymous\)/],
  },
  { file: 'node-http.mjs', format: 'logzab', events: 2, expect: [/GET \/invoices\/42 -> 200/, /GET \/invoices\/999 -> 404/, /GET \/health -> 200/] },
  { file: 'serverless-handler.mjs', format: 'auditlog', events: 3, drops: ['$.crud'], expect: [/invoke GET \/documents\/doc-1 -> 200; events delivered so far: 1/, /doc-3 -> 200; events delivered so far: 3/] },
  { file: 'frontegg-drop-in.mjs', format: 'frontegg', events: 1, expect: [/through the frontegg adapter/, /verified=true/] },
];

describe('the examples', () => {
  let server: ReferenceServer;
  beforeAll(async () => {
    ensureBuilt();
    server = await createReferenceServer();
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  describe.each(EXAMPLES)('$file', (example) => {
    it('runs with one command against a reference server of its own, and every event is verified', async () => {
      const result = await runExample(example.file, exampleEnv());
      const { drops, rest } = splitWarnings(result.stderr);
      expect(rest).toBe('');
      expect(drops).toEqual(example.drops ?? []);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`${example.events}/${example.events} audit events delivered and verified`);
      expect(result.stdout.match(/verified=true/g)).toHaveLength(example.events);
      expect(result.stdout).not.toContain('verified=false');
      for (const line of example.expect) expect(result.stdout).toMatch(line);
    });

    it('sends to the server AUDITWIRE_ENDPOINT names (as for `auditwire dev`)', async () => {
      const before = server.events.length;
      const result = await runExample(example.file, exampleEnv({ AUDITWIRE_ENDPOINT: server.url }));
      expect(result.code, result.stderr).toBe(0);
      const received = server.events.slice(before);
      expect(received).toHaveLength(example.events);
      expect(received.every((event) => event.format === example.format)).toBe(true);
    });
  });

  it('login examples record no password anywhere the server stored', async () => {
    const stored = JSON.stringify(server.events);
    expect(stored).toContain('user.login.failed');
    for (const password of ['correct horse', 'hunter2', 'letmein', 'guess']) expect(stored).not.toContain(password);
  });
});
