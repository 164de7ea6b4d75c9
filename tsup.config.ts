import { readFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';
import type { Plugin } from 'esbuild';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

/**
 * Keeps src/node-version-guard.ts a file of its own in dist/, imported first by every entry: bundled inline, its check
 * would run after the entry's other imports (undici among them), which is what it must precede.
 */
function nodeVersionFirst(extension: '.js' | '.cjs'): Plugin {
  return {
    name: 'node-version-first',
    setup(build) {
      build.onResolve({ filter: /(^|\/)node-version-guard\.js$/ }, (args) =>
        args.kind === 'entry-point' ? undefined : { path: `./node-version-guard${extension}`, external: true },
      );
    },
  };
}

const shared: Options = {
  target: 'node22',
  platform: 'node',
  sourcemap: true,
  // Class names are part of the error contract (`error.name`, and the instanceof brand in src/errors.ts).
  keepNames: true,
  define: { __AUDITWIRE_VERSION__: JSON.stringify(version) },
};

export default defineConfig([
  // ESM: dependencies stay external, as npm installed them.
  {
    ...shared,
    entry: { 'node-version-guard': 'src/node-version-guard.ts', index: 'src/index.ts', testing: 'src/testing.ts', outbox: 'src/outbox.ts' },
    format: ['esm'],
    dts: true,
    clean: true,
    esbuildPlugins: [nodeVersionFirst('.js')],
  },
  // CJS: canonicalize and p-retry (and p-retry's own dependency) ship as ESM only, so they are bundled in and
  // `require('auditwire')` needs no require(esm) support.
  {
    ...shared,
    entry: { 'node-version-guard': 'src/node-version-guard.ts', index: 'src/index.ts', testing: 'src/testing.ts', outbox: 'src/outbox.ts' },
    format: ['cjs'],
    dts: true,
    esbuildPlugins: [nodeVersionFirst('.cjs')],
    noExternal: ['canonicalize', 'p-retry', 'is-network-error'],
  },
  // The CLI: ESM only (it is run, never required).
  {
    ...shared,
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    banner: { js: '#!/usr/bin/env node' },
  },
]);
