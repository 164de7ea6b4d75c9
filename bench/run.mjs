// `npm run bench`: runs each benchmark module and writes bench/results.md. Measurements only; nothing here is a
// pass/fail test (the machines are shared and noisy, so results are read as ratios within one run).
import { cpus, totalmem, type } from 'node:os';
import { writeFileSync } from 'node:fs';

const modules = ['./hash.bench.mjs', './client.bench.mjs', './cli.bench.mjs'];

const sections = [];
for (const path of modules) {
  const { run } = await import(path);
  sections.push(await run());
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const header = [
  '# auditwire benchmark results',
  '',
  `- Date: ${new Date().toISOString()}`,
  `- Machine: ${type()} ${process.arch}, ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
  `- Node: ${process.version}`,
  '- Reproduce: `npm install && npm run bench` (writes this file).',
  '',
].join('\n');
writeFileSync(new URL('./results.md', import.meta.url), `${header}\n${sections.join('\n\n')}\n`);
console.log(`${header}\n${sections.join('\n\n')}`);
