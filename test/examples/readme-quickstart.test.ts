import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReferenceServer, type ReferenceServer } from '../../src/testing.js';
import { ensureCliBuilt, repoRoot } from '../helpers/cli.js';

// The README's quick start, run as written: the code block after the `readme-quickstart` marker is saved as
// app.mjs inside the repository (so `auditwire` resolves to this package's build, and express to its devDependency)
// and driven the way the README says, against a reference server standing in for `npx auditwire dev`.

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const marker = readme.indexOf('<!-- readme-quickstart: app.mjs');
const block = /```js\n([\s\S]*?)```/.exec(readme.slice(marker));

let dir: string;
let server: ReferenceServer;

beforeAll(async () => {
  ensureCliBuilt();
  mkdirSync(join(repoRoot, '.cache'), { recursive: true });
  dir = mkdtempSync(join(repoRoot, '.cache', 'readme-quickstart-'));
  server = await createReferenceServer();
}, 120_000);

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the README quick start', () => {
  it('has its app.mjs block', () => {
    expect(marker).toBeGreaterThan(0);
    expect(block?.[1]).toContain("from 'auditwire'");
  });

  it('audits a successful and an anonymous failed login, both verified, without delaying the responses', async () => {
    const app = join(dir, 'app.mjs');
    writeFileSync(app, block?.[1] ?? '');
    const child = spawn(process.execPath, [app], {
      cwd: dir,
      env: { ...process.env, AUDITWIRE_ENDPOINT: server.url, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const lines = createInterface({ input: child.stdout });
    const next = (pattern: RegExp): Promise<RegExpExecArray> =>
      new Promise((resolve, reject) => {
        const onLine = (line: string): void => {
          const match = pattern.exec(line);
          if (match) {
            lines.off('line', onLine);
            resolve(match);
          }
        };
        lines.on('line', onLine);
        child.once('exit', (code) => reject(new Error(`app.mjs exited ${code} before printing ${pattern}`)));
      });
    try {
      const port = (await next(/^listening on (\d+)$/))[1];
      const login = (username: string, password: string) =>
        fetch(`http://127.0.0.1:${port}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      const audited = [next(/^audited (\S+): verified=(\w+)$/)];
      expect((await login('jane@acme.example', 'correct horse')).status).toBe(200);
      const [, firstId, firstVerified] = await audited[0]!;
      const second = next(/^audited (\S+): verified=(\w+)$/);
      expect((await login('mallory@evil.example', 'x')).status).toBe(401);
      const [, secondId, secondVerified] = await second;

      expect([firstVerified, secondVerified]).toEqual(['true', 'true']);
      const stored = server.events.map((event) => ({ id: event.eventId, body: event.body as Record<string, unknown> }));
      expect(stored.map((event) => event.id)).toEqual([firstId, secondId]);
      expect(stored.map((event) => event.body.action)).toEqual(['user.login', 'user.login.failed']);
      expect((stored[1]?.body.actor as { uuid: string }).uuid).toBe('anonymous');
      expect(JSON.stringify(stored)).not.toContain('correct horse');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0); // the SIGINT handler closed the server and the client, and the process ended
  }, 60_000);
});
