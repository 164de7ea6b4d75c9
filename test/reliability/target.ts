import { appendFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Index from '../../src/index.js';
import type * as Testing from '../../src/testing.js';
import { ensureCliBuilt } from '../helpers/cli.js';

// What the reliability suite runs against. In CI (plain `vitest run`) that is the TypeScript source, at the CI
// sizes. `npm run reliability` (scripts/reliability.mjs) sets AUDITWIRE_RELIABILITY=full: the built package in
// dist/ (what users install) at the full sizes (100,000 chaos events, ten times the fuzz runs), and collects the
// figures each test records into AUDITWIRE_RELIABILITY_OUT.

export type Library = typeof Index;
export type TestingLibrary = typeof Testing;

/** True under `npm run reliability`. */
export const FULL = process.env.AUDITWIRE_RELIABILITY === 'full';

async function load(): Promise<{ lib: Library; testing: TestingLibrary }> {
  if (!FULL) return { lib: await import('../../src/index.js'), testing: await import('../../src/testing.js') };
  ensureCliBuilt();
  const dist = (name: string): string => pathToFileURL(fileURLToPath(new URL(`../../dist/${name}`, import.meta.url))).href;
  return { lib: (await import(dist('index.js'))) as Library, testing: (await import(dist('testing.js'))) as TestingLibrary };
}

export const { lib, testing } = await load();

/** `ci` in plain vitest runs, `full` under `npm run reliability`. */
export function sized<T>(sizes: { readonly ci: T; readonly full: T }): T {
  return FULL ? sizes.full : sizes.ci;
}

/** Appends one section's figures for scripts/reliability.mjs to turn into bench/reliability.md. */
export function recordFigures(section: string, figures: unknown): void {
  const out = process.env.AUDITWIRE_RELIABILITY_OUT;
  if (out !== undefined && out !== '') appendFileSync(out, `${JSON.stringify({ section, figures })}\n`);
}
