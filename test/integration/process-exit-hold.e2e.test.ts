import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReferenceServer, type ReferenceServer } from '../../src/testing.js';

// While an accepted event is unsettled the process must not look idle to Node (an ESM top-level await, the test
// runner, a 'beforeExit' handler of someone else's), and once all have settled it must end promptly.

const root = new URL('../../', import.meta.url);
const dist = (name: string): string => JSON.stringify(pathToFileURL(fileURLToPath(new URL(`dist/${name}`, root))).href);
const dirs: string[] = [];
let server: ReferenceServer;

beforeAll(async () => {
  if (!existsSync(new URL('dist/index.js', root))) execFileSync('npx', ['--no-install', 'tsup'], { cwd: root, stdio: 'ignore' });
  server = await createReferenceServer();
}, 120_000);
afterAll(async () => {
  await server.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface ChildResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly exitedAt: number;
}

/** Runs `source` as an ES module in a child Node (`args` before the file, e.g. `--test`). */
function runChild(source: string, args: readonly string[] = []): Promise<ChildResult> {
  const dir = mkdtempSync(join(tmpdir(), 'auditwire-hold-'));
  dirs.push(dir);
  const file = join(dir, 'child.test.mjs');
  writeFileSync(file, source);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...args, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr, exitedAt: Date.now() }));
  });
}

/** A loopback port nothing listens on: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('an awaited send under node --test', () => {
  it('completes through createAuditRecorder instead of being cancelled as pending', async () => {
    const { code, stdout } = await runChild(
      `
      import { test } from 'node:test';
      import assert from 'node:assert/strict';
      import { AuditsClient } from ${dist('index.js')};
      import { createAuditRecorder } from ${dist('testing.js')};
      test('an awaited send', async () => {
        const recorder = createAuditRecorder();
        const client = new AuditsClient({ adapter: recorder, dispatcher: recorder.dispatcher });
        const receipt = await client.sendAudit({ action: 'user.login', actor: { id: 'user-1' } });
        assert.equal(receipt.verified, true);
        assert.equal(recorder.events.length, 1);
      });
    `,
      // TAP on every Node: Node 22 prints it when not on a terminal, Node 24 defaults to its spec reporter.
      ['--test', '--test-reporter=tap'],
    );
    expect(stdout).toContain('# pass 1');
    expect(code).toBe(0);
  }, 30_000);

  it('completes against a reference server (auditwire dev)', async () => {
    const before = server.events.length;
    const { code, stdout } = await runChild(
      `
      import { test } from 'node:test';
      import assert from 'node:assert/strict';
      import { AuditsClient } from ${dist('index.js')};
      test('an awaited send', async () => {
        const client = new AuditsClient({ adapter: 'auditlog', endpoint: ${JSON.stringify(server.url)}, apiKey: 'consumer:secret' });
        const receipt = await client.sendAudit({ action: 'user.login', actor: { id: 'user-1' } });
        assert.equal(receipt.verified, true);
      });
    `,
      // TAP on every Node: Node 22 prints it when not on a terminal, Node 24 defaults to its spec reporter.
      ['--test', '--test-reporter=tap'],
    );
    expect(stdout).toContain('# pass 1');
    expect(code).toBe(0);
    expect(server.events.length - before).toBe(1);
  }, 30_000);
});

describe('an ES module script', () => {
  it('that awaits two sends through the recorder at top level sends both and exits 0', async () => {
    const { code, stdout, stderr } = await runChild(`
      import { AuditsClient } from ${dist('index.js')};
      import { createAuditRecorder } from ${dist('testing.js')};
      const recorder = createAuditRecorder();
      const client = new AuditsClient({ adapter: recorder, dispatcher: recorder.dispatcher });
      await client.sendAudit({ action: 'user.login' });
      await client.sendAudit({ action: 'user.logout' });
      console.log('sent ' + recorder.events.length);
    `);
    expect({ code, stdout: stdout.trim(), stderr }).toEqual({ code: 0, stdout: 'sent 2', stderr: '' });
  }, 30_000);

  it("delivers its events even when another 'beforeExit' handler, registered first, ends the process", async () => {
    const before = server.events.length;
    const { code } = await runChild(`
      process.on('beforeExit', () => process.exit(7));
      import(${dist('index.js')}).then(({ AuditsClient }) => {
        const client = new AuditsClient({ adapter: 'auditlog', endpoint: ${JSON.stringify(server.url)}, apiKey: 'consumer:secret' });
        for (let i = 0; i < 20; i++) client.sendAudit({ action: 'user.login', actor: { id: 'user-' + i } });
      });
    `);
    expect(code).toBe(7);
    expect(server.events.length - before).toBe(20);
  }, 30_000);

  it('ends within a second of its last acknowledgement after 1,000 sends into a queue of 100 and close()', async () => {
    const before = server.events.length;
    const { code, stderr, exitedAt } = await runChild(`
      import { AuditsClient } from ${dist('index.js')};
      const client = new AuditsClient({ adapter: 'auditlog', endpoint: ${JSON.stringify(server.url)}, apiKey: 'consumer:secret', maxQueueSize: 100, whenQueueFull: 'wait' });
      let delivered = 0;
      for (let i = 0; i < 1000; i++) client.sendAudit({ action: 'user.login', actor: { id: 'user-' + i } }).then(() => delivered++);
      await client.close();
      // Every promise settled before close() resolved, each one delivered.
      if (delivered !== 1000) process.exitCode = 5;
    `);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(server.events.length - before).toBe(1_000);
    expect(exitedAt - server.stats.lastAnswerAt).toBeLessThan(1_000);
  }, 60_000);
});

describe('a failure nobody listens to', () => {
  it('reaches stderr once, as a process warning, and the process still exits 0', async () => {
    const port = await closedPort();
    const { code, stderr } = await runChild(`
      import { AuditsClient } from ${dist('index.js')};
      const client = new AuditsClient({ adapter: 'auditlog', endpoint: 'http://127.0.0.1:${port}', apiKey: 'consumer:secret', retry: { maxRetries: 1, initialDelayMs: 0 } });
      for (let i = 0; i < 5; i++) client.sendAudit({ action: 'user.login', actor: { id: 'user-' + i } });
      client.sendAudit({ action: 'user.logout' }).catch(() => {});
    `);
    expect(code).toBe(0);
    const lines = stderr.split('\n').filter((line) => line.includes('auditwire'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('AUDITWIRE_UNHEARD_FAILURE');
    expect(lines[0]).toContain('ECONNREFUSED');
    expect(stderr).not.toContain('consumer:secret');
  }, 30_000);
});
