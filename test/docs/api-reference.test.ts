import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

// docs/api is generated from the TSDoc comments (`npm run docs`, typedoc with warnings as errors). This regenerates
// it and fails when the committed copy is stale, so the reference never drifts from the code.

const out = mkdtempSync(join(tmpdir(), 'auditwire-api-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function filesUnder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

describe('the API reference (docs/api)', () => {
  it('is what typedoc generates from the current TSDoc, with no warnings', () => {
    const result = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typedoc/bin/typedoc'), '--out', out], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    const generated = filesUnder(out);
    const committed = filesUnder(join(repoRoot, 'docs/api'));
    expect([...committed.keys()].sort(), 'run `npm run docs` and commit docs/api').toEqual([...generated.keys()].sort());
    for (const [path, text] of generated) expect(committed.get(path), `docs/api/${path} is stale: run \`npm run docs\``).toBe(text);
  }, 120_000);
});
