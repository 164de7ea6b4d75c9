// `npm run bench`: runs each benchmark module and writes bench/results.md. Measurements only; nothing here is a
// pass/fail test (the machines are shared and noisy, so results are read as ratios within one run).
import { cpus, totalmem, type } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const modules = ['./hash.bench.mjs', './client.bench.mjs', './intake.bench.mjs', './outage.bench.mjs', './spool.bench.mjs', './cli.bench.mjs', './outbox.bench.mjs', './ledger.bench.mjs'];

const started = performance.now();
const sections = [];
const timings = [];
for (const path of modules) {
  const moduleStarted = performance.now();
  const { run } = await import(path);
  sections.push(await run());
  timings.push(`${path.replace('./', '').replace('.bench.mjs', '')} ${((performance.now() - moduleStarted) / 1000).toFixed(0)} s`);
  process.stderr.write(`bench: ${path} done in ${((performance.now() - moduleStarted) / 1000).toFixed(0)} s\n`);
}
const seconds = (performance.now() - started) / 1000;

// Hand-written profile notes (what the hot spots were, what each change bought) travel with the numbers.
const notes = new URL('./profile-notes.md', import.meta.url);
if (existsSync(notes)) sections.push(readFileSync(notes, 'utf8').trim());

// The reliability figures (chaos, fuzz, outage memory, secrets) come from `npm run reliability`, which takes longer
// than a benchmark should; its latest results are carried into this file so all figures live in one place.
const reliability = new URL('./reliability.md', import.meta.url);
if (existsSync(reliability)) {
  const body = readFileSync(reliability, 'utf8').replace(/^# .*\n/, '').replace(/^(#+) /gm, '#$1 ').trim();
  sections.push(`## Reliability (from \`npm run reliability\`, copied from [reliability.md](reliability.md))\n\n${body}`);
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const header = [
  '# auditwire benchmark results',
  '',
  `- Date: ${new Date().toISOString()}`,
  `- Machine: ${type()} ${process.arch}, ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
  `- Node: ${process.version}`,
  '- Reproduce: `npm install && npm run bench` (writes this file).',
  `- Run time: ${seconds.toFixed(0)} s after the build (${timings.join(', ')}).`,
  '',
].join('\n');
writeFileSync(new URL('./results.md', import.meta.url), `${header}\n${sections.join('\n\n')}\n`);
console.log(`${header}\n${sections.join('\n\n')}`);
