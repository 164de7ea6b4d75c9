import { docBlock } from '../helpers/doc-blocks.js';
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReferenceServer, type ReferenceServer } from '../../src/testing.js';
import { cliPath, ensureCliBuilt, repoRoot } from '../helpers/cli.js';

// The README's "Prove your audit trail" blocks, run as written: each block after a `ledger-doc: NAME` marker is
// saved as NAME in a folder inside the repository (so `auditwire` resolves to this package's build), `npx
// auditwire` runs the built CLI, the README's dev-server address is the test's reference server, and the Python
// recipe's `node_modules/auditwire/` is this repository.


function block(name: string): string {
  return docBlock(name).code;
}

/** Runs a command without blocking this process, whose reference server must answer it. */
function runAsync(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { ...options, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

let dir: string;
let server: ReferenceServer;

beforeAll(async () => {
  ensureCliBuilt();
  mkdirSync(join(repoRoot, '.cache'), { recursive: true });
  dir = mkdtempSync(join(repoRoot, '.cache', 'ledger-docs-'));
  server = await createReferenceServer();
}, 120_000);

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the README section "Prove your audit trail"', () => {
  it('runs the app, the CLI checks and the Python recipe as written', async () => {
    writeFileSync(join(dir, 'ledger-app.mjs'), block('ledger-app.mjs'));
    writeFileSync(join(dir, 'check_proof.py'), block('check_proof.py').replace('node_modules/auditwire/spec/reference/python', join(repoRoot, 'spec/reference/python')));
    const script = block('ledger-check.sh').replaceAll('npx auditwire', `node ${JSON.stringify(cliPath)}`).replaceAll('http://127.0.0.1:4318', server.url);
    const shell = await runAsync('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: dir,
      env: { ...process.env, AUDITWIRE_ENDPOINT: server.url, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
    });
    expect(shell.stderr).toBe('');
    expect(shell.stdout).toContain('2 events delivered and recorded in ./audit-ledger');
    expect(shell.stdout).toContain('2 records, 1 checkpoints: intact');
    expect(shell.stdout).toContain('record 0 (id invoice-42-paid) is in the signed tree of 2 records');
    expect(shell.stdout).toContain('2 ledger records, 2 exported events: all accounted for');
    expect(shell.status).toBe(0);

    const python = spawnSync('python3', ['check_proof.py', 'proof.json', 'billing-ledger.pub'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(python.stdout).toBe('invoice-42-paid is record 0 of the signed tree of 2 records\n');
    expect(python.status).toBe(0);

    const proof = JSON.parse(readFileSync(join(dir, 'proof.json'), 'utf8')) as { record: Record<string, unknown> };
    writeFileSync(join(dir, 'proof.json'), JSON.stringify({ ...proof, record: { ...proof.record, verified: false } }));
    const forged = spawnSync('python3', ['check_proof.py', 'proof.json', 'billing-ledger.pub'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(forged.stderr).toBe('proof of invoice-42-paid does NOT hold: the inclusion proof does not lead to the checkpoint root\n');
    expect(forged.status).toBe(1);
  }, 120_000);

  it('runs the openLedger example of docs/ledger.md as written', async () => {
    writeFileSync(join(dir, 'open-ledger.mjs'), block('open-ledger.mjs'));
    const result = await runAsync(process.execPath, ['open-ledger.mjs'], { cwd: dir, env: process.env });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('1 record(s), 0 problem(s); proof holds\n');
    expect(result.status).toBe(0);
  }, 60_000);
});
