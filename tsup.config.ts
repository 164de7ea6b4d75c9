import { readFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

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
  { ...shared, entry: { index: 'src/index.ts', testing: 'src/testing.ts', outbox: 'src/outbox.ts' }, format: ['esm'], dts: true, clean: true },
  // CJS: canonicalize and p-retry (and p-retry's own dependency) ship as ESM only, so they are bundled in and
  // `require('auditwire')` needs no require(esm) support.
  {
    ...shared,
    entry: { index: 'src/index.ts', testing: 'src/testing.ts', outbox: 'src/outbox.ts' },
    format: ['cjs'],
    dts: true,
    noExternal: ['canonicalize', 'p-retry', 'is-network-error'],
  },
  // The CLI: ESM only (it is run, never required).
  { ...shared, entry: { cli: 'src/cli/main.ts' }, format: ['esm'], banner: { js: '#!/usr/bin/env node' } },
]);
