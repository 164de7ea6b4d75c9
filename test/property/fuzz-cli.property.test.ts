import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorLine } from '../../src/cli/error-line.js';
import { runHash } from '../../src/cli/hash-command.js';
import { runSend } from '../../src/cli/send-command.js';
import { CliInputError } from '../../src/cli/usage-error.js';
import { runVerify } from '../../src/cli/verify-command.js';
import { canonicalJson, hashEvent } from '../../src/index.js';
import { createReferenceServer, type ReferenceServer } from '../../src/testing.js';
import { chaosEvent } from '../reliability/chaos-harness.js';
import { recordFigures, sized } from '../reliability/target.js';
import { hostileJsonText, hostileString, hostileValue, looksPolluted, watchProcess } from './hostile.js';

// Fuzzing the CLI in-process through its run functions (issue "Reliability and security", part 2): `hash`,
// `verify` and `send` read hostile files. Each returns its exit status or throws CliInputError (which main()
// prints as one line, exit 2); nothing else escapes, no output line breaks in two, no stack trace is printed.

const RUNS = sized({ ci: 400, full: 4_000 });
const SEND_RUNS = sized({ ci: 25, full: 250 });
const figures = { hashRuns: 0, verifyRuns: 0, sendRuns: 0, exit: {} as Record<string, number> };
let dir: string;
let file = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditwire-fuzz-cli-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  recordFigures('fuzz-cli', figures);
});

function write(content: string | Buffer): string {
  const path = join(dir, `input-${file++}.json`);
  writeFileSync(path, content);
  return path;
}

/** Single-line JSON texts (JSONL can only hold those). */
const oneLine = hostileJsonText.map((text) => text.replace(/[\r\n]/g, ' '));

/** Input files: one document, JSONL (LF or CRLF), a JSON array, or bytes that are not UTF-8. */
const inputFile: fc.Arbitrary<string | Buffer> = fc.oneof(
  hostileJsonText,
  fc.tuple(fc.array(oneLine, { minLength: 1, maxLength: 5 }), fc.constantFrom('\n', '\r\n')).map(([lines, eol]) => lines.join(eol)),
  fc.array(oneLine, { maxLength: 5 }).map((items) => `[${items.join(',')}]`),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc.array(hostileValue, { maxLength: 3 }).map((values) => values.map((value) => safeStringify(value)).join('\n')),
);

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? Number(inner) : inner)) ?? 'null';
  } catch {
    return '{}';
  }
}

/** Runs a command and returns its status, or 2 for CliInputError (what main() does); anything else fails the test. */
async function status(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    expect(error, `${(error as Error)?.name}: ${(error as Error)?.message}`).toBeInstanceOf(CliInputError);
    const line = errorLine(error);
    expect(line).not.toMatch(/[\r\n]/);
    expect(line).not.toMatch(/\n\s+at /);
    return 2;
  }
}

function count(kind: string, code: number): void {
  figures.exit[`${kind} ${code}`] = (figures.exit[`${kind} ${code}`] ?? 0) + 1;
}

describe('auditwire hash (fuzz, in-process)', () => {
  it('prints one hash (or canonical text) per event, or fails with one CliInputError line', async () => {
    const { unhandled } = await watchProcess(async () => {
      await fc.assert(
        fc.asyncProperty(inputFile, fc.constantFrom<string[]>([], ['--canonical'], ['--retraced', '--id', 'srv-1'], ['--retraced']), async (content, flags) => {
          figures.hashRuns++;
          const out: string[] = [];
          const code = await status(() => runHash([...flags, write(content)], (line) => void out.push(line)));
          count('hash', code);
          expect([0, 2]).toContain(code);
          // The input is streamed: on bad input (exit 2) what was printed are the answers for the events before it.
          for (const line of out) {
            if (flags[0] === '--canonical') expect(canonicalJson(JSON.parse(line))).toBe(line);
            else expect(line).toMatch(/^[0-9a-f]{64}$/);
          }
        }),
        { numRuns: RUNS, seed: 31 },
      );
    });
    expect(unhandled).toEqual([]);
    expect(looksPolluted()).toBe(false);
  }, sized({ ci: 60_000, full: 900_000 }));
});

describe('auditwire verify (fuzz, in-process)', () => {
  const entry = fc.oneof(
    hostileValue.map((event) => ({ event, hash: safeHash(event) ?? '0'.repeat(64) })),
    fc.record({ event: hostileValue, hash: fc.oneof(hostileString, fc.stringMatching(/^[0-9a-fA-F]{64}$/)) }),
    hostileValue,
  );

  it('exits 0 when every hash matches, 1 on a mismatch, or fails with one CliInputError line', async () => {
    const { unhandled } = await watchProcess(async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 4 }), fc.boolean(), async (entries, jsonl) => {
          figures.verifyRuns++;
          const text = jsonl ? entries.map(safeStringify).join('\n') : `[${entries.map(safeStringify).join(',')}]`;
          const out: string[] = [];
          const err: string[] = [];
          const code = await status(() => runVerify([write(text)], (line) => out.push(line), (line) => err.push(line)));
          count('verify', code);
          expect([0, 1, 2]).toContain(code);
          for (const line of [...out, ...err]) expect(line).not.toMatch(/[\r\n]/);
          if (code === 1) expect(err.length).toBeGreaterThan(0);
          if (code === 0) expect(out).toEqual([expect.stringMatching(/^(\d+) of \1 hashes match$/)]);
        }),
        { numRuns: RUNS, seed: 32 },
      );
    });
    expect(unhandled).toEqual([]);
  }, sized({ ci: 60_000, full: 900_000 }));
});

describe('auditwire send (fuzz, in-process, to the reference server)', () => {
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await createReferenceServer({ faults: { statuses: [{ status: 503, probability: 0.1 }], dropBeforeStoreProbability: 0.05 } });
  });
  afterAll(async () => {
    await server.close();
  });

  const sendInput = fc.oneof(
    inputFile,
    // Valid events mixed with hostile lines: the valid ones must still be sent.
    fc.array(fc.oneof(oneLine, fc.nat(1000).map((i) => JSON.stringify(chaosEvent(`send-fuzz-${i}`, i)))), { minLength: 1, maxLength: 8 }).map((lines) => lines.join('\n')),
  );

  it('sends what is valid, writes every failure to the failures file, and exits 0, 1 or 2 with one-line messages', async () => {
    const { unhandled } = await watchProcess(async () => {
      await fc.assert(
        fc.asyncProperty(sendInput, fc.constantFrom('auditlog', 'retraced', 'logzab'), async (content, adapter) => {
          figures.sendRuns++;
          const path = write(content);
          const out: string[] = [];
          const err: string[] = [];
          const storedBefore = server.events.length;
          const args = [path, '--adapter', adapter, '--endpoint', server.url, '--api-key', adapter === 'auditlog' ? 'fuzz:secret-key-1' : 'secret-key-1', '--project-id', 'p', '--quiet'];
          const code = await runSend(args, { out: (line) => out.push(line), err: (line) => err.push(line), cwd: dir, interruptGraceMs: 1_000 });
          count('send', code);
          expect([0, 1, 2]).toContain(code);
          for (const line of [...out, ...err]) {
            expect(line).not.toMatch(/[\r\n]/);
            expect(line).not.toMatch(/^\s+at /);
            expect(line).not.toContain('secret-key-1');
          }
          const stored = server.events.length - storedBefore;
          const summary = out.find((line) => line.startsWith('sent '));
          const failuresPath = `${path}.failed.jsonl`;
          if (summary !== undefined) {
            const [, sent, failed] = /^sent (\d+), verified \d+, failed (\d+) in /.exec(summary) ?? [];
            // At most once per event is not promised (503s and drops are retried), but nothing acknowledged is missing.
            expect(stored).toBeGreaterThanOrEqual(Number(sent));
            const written = existsSync(failuresPath) ? readFileSync(failuresPath, 'utf8').split('\n').filter((line) => line !== '').length : 0;
            expect(written).toBe(Number(failed));
          } else {
            // No summary: a quiet, fully successful run, or a usage problem (exit 2) before anything was sent.
            expect(code === 0 || (code === 2 && stored === 0)).toBe(true);
          }
        }),
        { numRuns: SEND_RUNS, seed: 33 },
      );
    });
    expect(unhandled).toEqual([]);
    expect(looksPolluted()).toBe(false);
  }, sized({ ci: 120_000, full: 900_000 }));
});

function safeHash(value: unknown): string | undefined {
  try {
    return hashEvent(value);
  } catch {
    return undefined;
  }
}
