// Start-up time of `auditwire dev`: from spawn to its "listening on" line, beside a bare `node -e` in the same
// run (the floor any Node CLI pays) so the ratio survives a noisy machine. Then `auditwire hash` and `verify` on a
// generated 1 GB JSONL file: events/s and peak resident memory (the streams must keep it constant).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
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

/** Size of the generated input. */
const LARGE_BYTES = 1024 ** 3;

/**
 * Writes `bytes` of JSONL pin entries `{"event": E, "hash": H}` where H is the SHA-256 of E's text: E is written
 * with its keys in sorted order and only ASCII strings, so its JSON text is already its RFC 8785 canonical form.
 */
async function writePins(path, bytes) {
  const out = createWriteStream(path);
  const note = 'n'.repeat(200);
  let written = 0;
  let events = 0;
  while (written < bytes) {
    const lines = [];
    for (let i = 0; i < 2_000; i++, events++) {
      const event = `{"action":"user.login","actor":{"id":"u-${events % 997}","name":"User ${events}"},"fields":{"note":"${note}"},"id":"evt-${events}","tenant":{"id":"t-${events % 13}"},"time":"2024-05-01T12:00:00Z"}`;
      lines.push(`{"event":${event},"hash":"${createHash('sha256').update(event).digest('hex')}"}`);
    }
    const block = `${lines.join('\n')}\n`;
    written += block.length;
    if (!out.write(block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return events;
}

/** Runs the CLI to its end with stdout discarded; its own peak RSS (getrusage maxRSS, read at exit) in MiB. */
function runMeasured(args, dir) {
  const preload = join(dir, 'max-rss.cjs');
  const rssOut = join(dir, 'max-rss.txt');
  writeFileSync(preload, "process.on('exit', () => require('node:fs').writeFileSync(process.env.RSS_OUT, String(process.resourceUsage().maxRSS)));");
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, ['--require', preload, CLI, ...args], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, RSS_OUT: rssOut } });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`auditwire ${args[0]} exited ${code}`));
      resolve({ seconds: (performance.now() - start) / 1000, peakMiB: Number(readFileSync(rssOut, 'utf8')) / 1024 });
    });
  });
}

async function largeFileRows() {
  const dir = mkdtempSync(join(tmpdir(), 'auditwire-cli-bench-'));
  try {
    const file = join(dir, 'pins.jsonl');
    const events = await writePins(file, LARGE_BYTES);
    const size = statSync(file).size;
    const row = (label, { seconds, peakMiB }) =>
      `| ${label} | ${(size / 1024 ** 3).toFixed(2)} GiB, ${events.toLocaleString('en-US')} lines | ${seconds.toFixed(1)} s | ${Math.round(events / seconds).toLocaleString('en-US')} | ${peakMiB.toFixed(0)} MiB |`;
    const hashed = await runMeasured(['hash', file], dir);
    const verified = await runMeasured(['verify', file], dir);
    return [
      '',
      '### `hash` and `verify` on a 1 GB JSONL file',
      '',
      'Each line a pin entry `{"event": ..., "hash": ...}` of about 400 bytes, generated into a temporary directory (deleted after); `hash` hashes each line, `verify` checks each recorded hash. Output discarded; peak RSS is the process\'s own maximum resident set size at exit.',
      '',
      '| command | input | time | events/s | peak RSS |',
      '|---|---|---:|---:|---:|',
      row('`auditwire hash FILE`', hashed),
      row('`auditwire verify FILE`', verified),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
    ...(await largeFileRows()),
  ].join('\n');
}
