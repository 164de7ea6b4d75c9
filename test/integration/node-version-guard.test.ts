import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliPath, ensureCliBuilt, repoRoot } from '../helpers/cli.js';

// The built package run by a Node older than 22.19, as a user's machine has it: the system Node outside npm's
// PATH (npm scripts and npx put the project's own Node 22 first). Skipped where no such Node is installed.

/** The first `node` on the PATH, outside node_modules, that is older than 22.19. */
function findOldNode(): { path: string; version: string } | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '' && !dir.includes('node_modules'));
  for (const dir of [...dirs, '/usr/bin', '/usr/local/bin']) {
    const path = join(dir, 'node');
    const probe = spawnSync(path, ['--version'], { encoding: 'utf8' });
    if (probe.status !== 0) continue;
    const version = probe.stdout.trim();
    const [major = 0, minor = 0] = version.slice(1).split('.').map(Number);
    if (major < 22 || (major === 22 && minor < 19)) return { path, version };
  }
  return undefined;
}

const oldNode = findOldNode();

function runOld(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(oldNode?.path ?? 'node', args, { cwd: repoRoot, encoding: 'utf8', input: '{}', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  // `npm test` builds first; this keeps a lone `npx vitest run` working.
  ensureCliBuilt();
  if (!existsSync(join(repoRoot, 'dist/node-version-guard.cjs'))) execFileSync('npx', ['--no-install', 'tsup'], { cwd: repoRoot, stdio: 'ignore' });
}, 120_000);

describe.skipIf(oldNode === undefined)(`the built package on an old Node (${oldNode?.version ?? 'none installed'})`, () => {
  const line = `auditwire needs Node >= 22.19; this is ${oldNode?.version ?? ''}`;

  it.each([
    ['an import of auditwire', ['--input-type=module', '-e', "import 'auditwire'"]],
    ['a require of auditwire', ['-e', "require('auditwire')"]],
    ['an import of auditwire/testing', ['--input-type=module', '-e', "import 'auditwire/testing'"]],
    ['a require of auditwire/testing', ['-e', "require('auditwire/testing')"]],
    ['the README example', ['examples/hash-sample-event.mjs']],
  ])('fails %s with the one line that says which Node is needed, before undici loads', (_name, args) => {
    const result = runOld(args);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(line);
    expect(result.stderr).not.toContain('undici');
    expect(result.stderr).not.toContain("reading 'bind'");
  });

  it('makes the bin print only that line and exit 2, for every command', () => {
    for (const command of [['hash'], ['verify', 'missing.json'], ['send', '-', '--adapter', 'auditlog'], ['dev', '--port', '0'], ['--version']]) {
      const result = runOld([cliPath, ...command]);
      expect({ command, status: result.status, stderr: result.stderr, stdout: result.stdout }).toEqual({ command, status: 2, stderr: `${line}\n`, stdout: '' });
    }
  });
});
