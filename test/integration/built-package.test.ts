import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditEventJsonSchema, hashEvent } from '../../src/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = (args: string[]): string => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
const sampleEvent: unknown = JSON.parse(readFileSync(`${root}examples/auditlog-sample-event.json`, 'utf8'));

beforeAll(() => {
  // `npm test` builds first; this keeps a lone `npx vitest run` working too.
  if (!existsSync(`${root}dist/index.cjs`)) execFileSync('npx', ['tsup'], { cwd: root, stdio: 'ignore' });
}, 120_000);

describe('the built package', () => {
  it('works through require() in CommonJS, with the ESM-only dependencies bundled in', () => {
    const output = run(['-e', 'const a = require("auditwire"); console.log(a.hashEvent({ b: 1, a: 2 }), typeof a.AuditEventSchema.parse)']);
    expect(output.trim()).toBe(`${hashEvent({ a: 2, b: 1 })} function`);
  });

  it('works through import in ESM and keeps the error classes shared with instanceof', () => {
    const script =
      'import { canonicalJson, CanonicalizationError, AuditsError } from "auditwire";' +
      'try { canonicalJson({ n: NaN }) } catch (e) { console.log(e instanceof CanonicalizationError, e instanceof AuditsError, e.path) }';
    expect(run(['--input-type=module', '-e', script]).trim()).toBe('true true $.n');
  });

  it('runs the README example, which prints the hash of the AuditLog.co sample event', () => {
    const [canonical, hash] = run(['examples/hash-sample-event.mjs']).trim().split('\n');
    expect(hash).toBe(hashEvent(sampleEvent));
    expect(JSON.parse(canonical as string)).toEqual(sampleEvent);
  });
});

describe('spec/', () => {
  it('commits the JSON Schema generated from the zod schema, so the two cannot drift', () => {
    const committed: unknown = JSON.parse(readFileSync(`${root}spec/event.schema.json`, 'utf8'));
    expect(committed).toEqual(auditEventJsonSchema());
  });

  it('holds at least 60 vectors, the AuditLog.co sample event among them with its hash', () => {
    const files = ['keys', 'strings', 'numbers', 'structures', 'events', 'reject', 'retraced'];
    const vectors = files.flatMap(
      (file) => (JSON.parse(readFileSync(`${root}spec/vectors/${file}.json`, 'utf8')) as { vectors: Array<{ name: string; hash?: string }> }).vectors,
    );
    expect(vectors.length).toBeGreaterThanOrEqual(60);
    expect(vectors.find((vector) => vector.name === 'auditlog-co-sample-event')?.hash).toBe(hashEvent(sampleEvent));
  });
});
