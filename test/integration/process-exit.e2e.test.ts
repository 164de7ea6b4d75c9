import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReferenceServer, type ReferenceServer } from '../../src/testing.js';

const root = new URL('../../', import.meta.url);
let server: ReferenceServer;

beforeAll(async () => {
  if (!existsSync(new URL('dist/index.js', root))) execFileSync('npx', ['--no-install', 'tsup'], { cwd: root, stdio: 'ignore' });
  server = await createReferenceServer();
}, 120_000);
afterAll(() => server.close());

/** Runs `source` as an ES module in a child Node; resolves with its exit code, stderr and exit time. */
function runChild(source: string): Promise<{ code: number | null; stderr: string; exitedAt: number }> {
  const file = join(mkdtempSync(join(tmpdir(), 'auditwire-exit-')), 'child.mjs');
  writeFileSync(file, source);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stderr, exitedAt: Date.now() }));
  });
}

describe('a process that never awaits its events', () => {
  it('exits on its own soon after the last acknowledgement (not held by keep-alive sockets), with no unhandled rejection', async () => {
    const entry = pathToFileURL(new URL('dist/index.js', root).pathname).href;
    const { code, stderr, exitedAt } = await runChild(`
      import { AuditsClient } from ${JSON.stringify(entry)};
      const client = new AuditsClient({ adapter: 'auditlog', endpoint: ${JSON.stringify(server.url)}, apiKey: 'consumer:secret' });
      for (let i = 0; i < 300; i++) client.sendAudit({ action: 'user.login', actor: { id: 'user-' + i } });
      client.sendAudit({ action: '' });            // invalid: rejects, never awaited
      client.sendAudit({ acton: 'typo' });         // invalid: rejects, never awaited
      client.close();                              // not awaited either
    `);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(server.events).toHaveLength(300);
    expect(server.stats.lastAnswerAt).toBeGreaterThan(0);
    // Well under the Agent's 4 s keep-alive: an idle socket or a leftover timer holding the process would show here,
    // while a busy machine's slow process exit does not.
    expect(exitedAt - server.stats.lastAnswerAt).toBeLessThan(3_000);
  }, 30_000);

  it('still delivers what it accepted when it never calls close(), staying alive for the batch interval, then exits', async () => {
    const before = server.events.length;
    const entry = pathToFileURL(new URL('dist/index.js', root).pathname).href;
    // The events wait flushIntervalMs for company, as configured: the process stays up for them, then ends.
    const { code, stderr } = await runChild(`
      import { AuditsClient } from ${JSON.stringify(entry)};
      const client = new AuditsClient({ adapter: 'auditlog', endpoint: ${JSON.stringify(server.url)}, apiKey: 'consumer:secret', flushIntervalMs: 1500 });
      for (let i = 0; i < 50; i++) client.sendAudit({ action: 'user.logout', actor: { id: 'user-' + i } });
    `);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(server.events.length - before).toBe(50);
  }, 30_000);
});
