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
  if (!existsSync(`${root}dist/index.cjs`)) execFileSync('npx', ['--no-install', 'tsup'], { cwd: root, stdio: 'ignore' });
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

  it('keeps instanceof working across the CommonJS testing bundle, the CommonJS entry and the ESM entry', () => {
    // Each build carries its own copy of the error classes; the errors carry a registry brand so instanceof holds.
    const script = `
      import { createRequire } from 'node:module';
      import * as esm from 'auditwire';
      const require = createRequire(process.cwd() + '/');
      const cjs = require('auditwire');
      const testing = require('auditwire/testing');
      const recorder = testing.createAuditRecorder();
      const client = new cjs.AuditsClient({ adapter: recorder, dispatcher: recorder.dispatcher });
      let fromClient;
      try { await client.sendAudit({ acton: 'typo' }); } catch (error) { fromClient = error; }
      await client.close();
      let fromEsm;
      try { esm.canonicalJson({ n: NaN }); } catch (error) { fromEsm = error; }
      console.log([
        fromClient instanceof cjs.ValidationError, fromClient instanceof esm.ValidationError, fromClient instanceof esm.AuditsError,
        fromEsm instanceof cjs.CanonicalizationError, fromEsm instanceof cjs.ValidationError, fromEsm instanceof cjs.DeliveryError,
        fromEsm.name,
      ].join(' '));
    `;
    expect(run(['--input-type=module', '-e', script]).trim()).toBe('true true true true true false CanonicalizationError');
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
