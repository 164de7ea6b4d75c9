// Start-up time of `auditwire dev`: from spawn to its "listening on" line, beside a bare `node -e` in the same
// run (the floor any Node CLI pays) so the ratio survives a noisy machine.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './lib.mjs';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const ROUNDS = 15;

/** Milliseconds from spawn until stdout's first chunk, then the process is stopped. */
function timeToFirstOutput(args) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout.once('data', () => {
      resolve(Number(process.hrtime.bigint() - start) / 1e6);
      child.kill('SIGTERM');
    });
  });
}

export async function run() {
  const samples = { node: [], version: [], dev: [] };
  for (let round = 0; round < ROUNDS; round++) {
    samples.node.push(await timeToFirstOutput(['-e', 'console.log(1)']));
    samples.version.push(await timeToFirstOutput([CLI, '--version']));
    samples.dev.push(await timeToFirstOutput([CLI, 'dev', '--port', '0', '--quiet']));
  }
  const floor = median(samples.node);
  const row = (label, values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `| ${label} | ${median(values).toFixed(0)} ms | ${sorted[sorted.length - 1].toFixed(0)} ms | ${(median(values) / floor).toFixed(2)}x |`;
  };
  return [
    '## CLI start-up',
    '',
    `Spawn to first line of output, ${ROUNDS} interleaved rounds; ratio against a bare \`node -e\` in the same run.`,
    '',
    '| command | median | slowest | vs node -e |',
    '|---|---:|---:|---:|',
    row('`node -e "console.log(1)"`', samples.node),
    row('`auditwire --version`', samples.version),
    row('`auditwire dev --port 0` (listening)', samples.dev),
  ].join('\n');
}
