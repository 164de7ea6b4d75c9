/**
 * The package as a user gets it: one `npm pack` of the built package, installed from the tarball into two
 * throwaway projects (ESM and CommonJS), each type-checked with the repo's TypeScript against the installed
 * declarations (nodenext, strict, library checks on), compiled, and run against the reference server from
 * `auditwire/testing`; then the installed `auditwire` bin. Only the npm registry is used (the dependencies come
 * from the npm cache when they are there), and the temp folders are removed afterwards.
 *
 * Everything the consumers run (tsc, their compiled code, the bin's `#!/usr/bin/env node`) runs on
 * `process.execPath`, so under `npm run test:node24` this checks the package on Node 24 too.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashEvent } from '../../src/index.js';
import { ensureCliBuilt, repoRoot } from '../helpers/cli.js';
import { runChild } from '../helpers/run-child.js';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const MARKER = 'AUDITWIRE-CONSUMER-OK';
const sample = { b: [1, 'two', { d: null, c: true }], a: 'é' };
const sampleHash = hashEvent(sample);
const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const typesNodeVersion = (JSON.parse(readFileSync(join(repoRoot, 'node_modules/@types/node/package.json'), 'utf8')) as { version: string })
  .version;
const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');

/**
 * The environment of every child: this one without what `npm test` adds for its own package (npm_package_*,
 * npm_lifecycle_*, the prefixes), so the consumers' npm and code see a plain shell; the Node that runs this test
 * comes first on the PATH, so `#!/usr/bin/env node` finds it.
 */
function consumerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(package|lifecycle)_|^npm_config_(local_)?prefix$|^INIT_CWD$/i.test(key)) continue;
    env[key] = value;
  }
  env['PATH'] = `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`;
  env['NO_COLOR'] = '1';
  return env;
}

function run(command: string, args: readonly string[], cwd: string, input = ''): Promise<Run> {
  return runChild(command, args, { cwd, env: consumerEnv(), input });
}

/** Fails with everything the command printed, so a CI log shows why. */
function expectSuccess(result: Run, what: string): void {
  expect(result.status, `${what} exited ${String(result.status)}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`).toBe(0);
}

// Strict consumer settings, library checks on: the shipped declarations must compile cleanly for such a user.
const strictOptions = {
  target: 'ES2023',
  lib: ['ES2023'],
  module: 'nodenext',
  moduleResolution: 'nodenext',
  types: ['node'],
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  skipLibCheck: false,
  rootDir: 'src',
  outDir: 'out',
};

// The events both consumers send, and what they check: every receipt verified, every stored hash equal to the
// installed hashEvent of what the server received, and hashEvent of a fixed value equal to this repo's.
const sendAndCheck = `
  const server = await createReferenceServer({ credentials: { auditlog: 'consumer:secret' } });
  const client = new AuditsClient({ adapter: 'auditlog', apiKey: 'consumer:secret', endpoint: server.url });
  try {
    const one: AuditReceipt = await client.sendAudit({ action: 'user.login', actor: { id: 'u1' }, tenant: { id: 't1' } });
    const more: AuditReceipt[] = await client.sendAudits([
      { action: 'invoice.create', actor: { id: 'u1', email: 'u1@example.com' }, target: { id: 'inv-1', type: 'invoice' } },
      { action: 'user.logout', actor: { id: 'u1' }, outcome: 'failure', fields: { reason: 'expired' } },
    ]);
    const receipts = [one, ...more];
    if (receipts.length !== 3 || !receipts.every((receipt) => receipt.verified && receipt.adapter === 'auditlog')) {
      throw new Error('receipts not verified: ' + JSON.stringify(receipts));
    }
    if (server.events.length !== 3 || !server.events.every((stored) => stored.hash === hashEvent(stored.body))) {
      throw new Error('stored hashes differ: ' + JSON.stringify(server.events));
    }
    if (hashEvent(${JSON.stringify(sample)}) !== '${sampleHash}') throw new Error('hashEvent differs from the source');
  } finally {
    await client.close();
    await server.close();
  }
`;

// Compile-time checks that the types are real (not \`any\`): each line below must be an error. The function is
// never called (and not exported: \`export\` is ESM syntax, which verbatimModuleSyntax refuses in a CommonJS file).
const typeChecks = `
  // @ts-expect-error hashEvent takes a value
  hashEvent();
  // @ts-expect-error verified is a boolean
  const wrong: number = receipt.verified;
  // @ts-expect-error the server's url is read-only
  server.url = 'http://example.com';
  // @ts-expect-error createOutbox takes options with a db
  createOutbox(receipt);
  void wrong;
`;

const esmSource = `import { AuditsClient, hashEvent, type AuditReceipt } from 'auditwire';
import { createReferenceServer, type ReferenceServer } from 'auditwire/testing';
import { createOutbox } from 'auditwire/outbox';

function neverCalled(receipt: AuditReceipt, server: ReferenceServer): void {
${typeChecks}
}
${sendAndCheck}
console.log('${MARKER} esm ' + process.version);
`;

const cjsSource = `import auditwire = require('auditwire');
import testing = require('auditwire/testing');
import outbox = require('auditwire/outbox');

const { AuditsClient, hashEvent } = auditwire;
const { createReferenceServer } = testing;
const { createOutbox } = outbox;
type AuditReceipt = auditwire.AuditReceipt;

function neverCalled(receipt: AuditReceipt, server: testing.ReferenceServer): void {
${typeChecks}
}

async function main(): Promise<void> {
${sendAndCheck}
  console.log('${MARKER} cjs ' + process.version);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
`;

interface Consumer {
  readonly kind: 'esm' | 'cjs';
  readonly type: 'module' | 'commonjs';
  readonly source: string;
  /** Declarations the nodenext compile must pick: import gets .d.ts, require gets .d.cts. */
  readonly declarations: string;
  /** A second resolution mode older or bundler-based projects use, type-checked only. */
  readonly extra: { readonly name: string; readonly module: string; readonly moduleResolution: string };
}

const consumers: readonly Consumer[] = [
  {
    kind: 'esm',
    type: 'module',
    source: esmSource,
    declarations: '.d.ts',
    extra: { name: 'bundler', module: 'preserve', moduleResolution: 'bundler' },
  },
  {
    kind: 'cjs',
    type: 'commonjs',
    source: cjsSource,
    declarations: '.d.cts',
    extra: { name: 'node10', module: 'commonjs', moduleResolution: 'node10' },
  },
];

let workDir = '';
const dirOf = (consumer: Consumer): string => join(workDir, consumer.kind);

beforeAll(async () => {
  ensureCliBuilt();
  if (!existsSync(join(repoRoot, 'dist/testing.cjs'))) throw new Error('dist/ is incomplete: run `npm run build`');
  workDir = mkdtempSync(join(tmpdir(), 'auditwire-consumers-'));
  const packDir = join(workDir, 'pack');
  mkdirSync(packDir);
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], repoRoot);
  expectSuccess(packed, 'npm pack');
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  const tarball = join(packDir, filename);

  await Promise.all(
    consumers.map(async (consumer) => {
      const dir = dirOf(consumer);
      mkdirSync(join(dir, 'src'), { recursive: true });
      const manifest = { name: `auditwire-consumer-${consumer.kind}`, version: '1.0.0', private: true, type: consumer.type };
      writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: strictOptions, include: ['src'] }, null, 2));
      const { name, module, moduleResolution } = consumer.extra;
      // Only resolution is in question here (the main config checks the declarations themselves, at twice the cost).
      const extra = { extends: './tsconfig.json', compilerOptions: { module, moduleResolution, skipLibCheck: true, noEmit: true } };
      writeFileSync(join(dir, `tsconfig.${name}.json`), JSON.stringify(extra, null, 2));
      writeFileSync(join(dir, 'src/consumer.ts'), consumer.source);
      const install = await run(
        'npm',
        ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-progress', tarball, `@types/node@${typesNodeVersion}`],
        dir,
      );
      expectSuccess(install, `npm install in the ${consumer.kind} consumer`);
    }),
  );
}, 300_000);

afterAll(() => {
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
  // Two installed projects: removing them takes more than the default 10 s on a busy machine.
}, 60_000);

describe.each(consumers)('a $kind project with the packed tarball installed', (consumer) => {
  it(`type-checks against the installed ${consumer.declarations} files and compiles (nodenext, strict)`, async () => {
    const compiled = await run(process.execPath, [tsc, '-p', '.', '--listFiles'], dirOf(consumer));
    expectSuccess(compiled, 'tsc');
    const files = compiled.stdout
      .split('\n')
      .filter((line) => line.includes('/node_modules/auditwire/'))
      .map((line) => line.slice(line.indexOf('/node_modules/auditwire/') + '/node_modules/auditwire/'.length));
    // Both entry points, and only declarations of the module kind this project loads (tsup may add shared chunks).
    expect(files).toEqual(expect.arrayContaining([`dist/index${consumer.declarations}`, `dist/testing${consumer.declarations}`]));
    expect(files.filter((file) => !file.endsWith(consumer.declarations))).toEqual([]);
  }, 60_000);

  it(`type-checks with moduleResolution ${consumer.extra.moduleResolution} too`, async () => {
    expectSuccess(await run(process.execPath, [tsc, '-p', `tsconfig.${consumer.extra.name}.json`], dirOf(consumer)), 'tsc');
  }, 60_000);

  it('runs: sends events through AuditsClient to the reference server and gets verified receipts', async () => {
    const result = await run(process.execPath, ['out/consumer.js'], dirOf(consumer));
    expectSuccess(result, 'the compiled consumer');
    expect(result.stdout).toContain(`${MARKER} ${consumer.kind} ${process.version}`); // on the Node running this test
  }, 60_000);

  it('runs the installed bin: auditwire --version and auditwire hash', async () => {
    const bin = join(dirOf(consumer), 'node_modules/.bin/auditwire');
    const shown = await run(bin, ['--version'], dirOf(consumer));
    expectSuccess(shown, 'auditwire --version');
    expect(shown.stdout.trim()).toBe(version);
    const hashed = await run(bin, ['hash'], dirOf(consumer), `${JSON.stringify(sample)}\n`);
    expectSuccess(hashed, 'auditwire hash');
    expect(hashed.stdout.trim()).toBe(sampleHash);
  }, 60_000);
});
