import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, repoRoot } from '../helpers/cli.js';
import { allDocBlocks, whereIs, type DocBlock } from '../helpers/doc-blocks.js';
import { runChild, type ChildRun } from '../helpers/run-child.js';

// Every code block of README.md and docs/ (docs/api is generated) either runs in the suite or says why not: the
// marker before it (test/helpers/doc-blocks.ts) names the test that runs it, asks this file to run it, or gives
// the reason it is not runnable. An unmarked block fails here, so a new section's examples cannot go untested
// unnoticed. Blocks run here are written inside the repository (so `auditwire` resolves to this build, as the
// examples do) and run with the Node that runs the suite: js as .mjs, ts as .mts (Node strips the types), sh with
// bash from the repository root. A shell block of `$ command` lines followed by their output is a transcript:
// each command runs and its output must be the lines shown.

const blocks = allDocBlocks();
const runHere = blocks.filter((block) => block.marker?.kind === 'run');
let dir = '';

beforeAll(() => {
  ensureCliBuilt();
  if (!existsSync(join(repoRoot, 'dist/testing.js'))) throw new Error('dist/ is incomplete: run `npm run build`');
  mkdirSync(join(repoRoot, '.cache'), { recursive: true });
  dir = mkdtempSync(join(repoRoot, '.cache', 'doc-blocks-'));
}, 120_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(AUDITWIRE_|FRONTEGG_)/.test(name)));
  return { ...clean, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1' };
}

let counter = 0;
async function runBlock(block: DocBlock): Promise<ChildRun> {
  const file = join(dir, `block-${++counter}`);
  switch (block.lang) {
    case 'js':
      writeFileSync(`${file}.mjs`, block.code);
      return runChild(process.execPath, [`${file}.mjs`], { cwd: repoRoot, env: env() });
    case 'ts':
      writeFileSync(`${file}.mts`, block.code);
      return runChild(process.execPath, ['--disable-warning=ExperimentalWarning', `${file}.mts`], { cwd: repoRoot, env: env() });
    case 'sh':
      return runChild('bash', ['-euo', 'pipefail', '-c', block.code], { cwd: repoRoot, env: env() });
    default:
      throw new Error(`${whereIs(block)}: the suite cannot run a \`${block.lang || 'plain'}\` block; mark it not runnable`);
  }
}

/** `$ command` lines, each with the output lines that follow it. */
function transcript(block: DocBlock): Array<{ command: string; output: string }> | undefined {
  const lines = block.code.trimEnd().split('\n');
  if (block.lang !== 'sh' || !lines[0]?.startsWith('$ ')) return undefined;
  const steps: Array<{ command: string; output: string[] }> = [];
  for (const line of lines) {
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), output: [] });
    else steps.at(-1)?.output.push(line);
  }
  return steps.map((step) => ({ command: step.command, output: step.output.join('\n') }));
}

describe('every code block in README.md and docs/', () => {
  it('has a marker that says how it runs, or why it does not', () => {
    const problems = blocks.flatMap((block) => {
      const marker = block.marker;
      if (marker === undefined) return [`${whereIs(block)}: no <!-- doc-block: ... --> marker before this \`${block.lang}\` block`];
      if (marker.kind === 'malformed') return [`${whereIs(block)}: unreadable marker "${marker.text}"`];
      if (marker.kind === 'run-by') {
        const test = join(repoRoot, marker.test);
        if (!existsSync(test)) return [`${whereIs(block)}: ${marker.test} does not exist`];
        if (!readFileSync(test, 'utf8').includes(`'${marker.id}'`)) return [`${whereIs(block)}: ${marker.test} never asks for id=${marker.id}`];
      }
      return [];
    });
    expect(problems).toEqual([]);
  });

  it('finds the blocks (the parser is not silently reading nothing)', () => {
    expect(blocks.filter((block) => block.file === 'README.md').length).toBeGreaterThan(10);
    expect(blocks.filter((block) => block.file === 'docs/testing.md').length).toBeGreaterThan(5);
  });

  it.each(runHere.map((block) => [whereIs(block), block] as const))('runs %s as written', async (_where, block) => {
    const steps = transcript(block);
    if (steps === undefined) {
      const result = await runBlock(block);
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
      return;
    }
    for (const step of steps) {
      const result = await runChild('bash', ['-euo', 'pipefail', '-c', step.command], { cwd: repoRoot, env: env() });
      expect({ command: step.command, status: result.status, stdout: result.stdout.trimEnd(), stderr: result.stderr }).toEqual({
        command: step.command,
        status: 0,
        stdout: step.output,
        stderr: '',
      });
    }
  }, 60_000);
});
