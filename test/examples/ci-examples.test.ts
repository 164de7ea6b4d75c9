import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashEvent } from '../../src/index.js';

// Runs examples/ci-hash-verification.mjs and examples/polyglot-verify.mjs as a user would (one command each), against
// the built package: the examples import 'auditwire', which Node resolves to dist/ through the exports map.

const root = fileURLToPath(new URL('../../', import.meta.url));
const PINNED = join(root, 'examples/pinned-audit-hashes.json');
const python = process.env.PYTHON ?? 'python3';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[]): Run {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const ciExample = (...args: string[]): Run => run(process.execPath, ['examples/ci-hash-verification.mjs', ...args]);

interface PinnedEntry {
  name: string;
  event: Record<string, unknown>;
  hash: string;
}

let scratch: string;

beforeAll(() => {
  // `npm test` builds first; this keeps a lone `npx vitest run` working too.
  if (!existsSync(join(root, 'dist/testing.js'))) execFileSync('npx', ['--no-install', 'tsup'], { cwd: root, stdio: 'ignore' });
  scratch = mkdtempSync(join(tmpdir(), 'auditwire-ci-examples-'));
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the committed pinned file, changed by `edit`, in the scratch directory. */
function pinnedCopy(name: string, edit: (entries: PinnedEntry[]) => void): string {
  const entries = JSON.parse(readFileSync(PINNED, 'utf8')) as PinnedEntry[];
  edit(entries);
  const file = join(scratch, name);
  writeFileSync(file, `${JSON.stringify(entries, null, 2)}\n`);
  return file;
}

describe('examples/ci-hash-verification.mjs', () => {
  it('passes against the committed pinned hashes, checked by expectAuditHash and by auditwire verify', () => {
    const result = ciExample();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ok {6}login succeeded {2}[0-9a-f]{64}$/m);
    expect(result.stdout).toContain('ok      role changed');
    expect(result.stdout).toContain('3 of 3 hashes match'); // the CLI's line
    expect(result.stdout).toContain('all 3 audit events match their pinned hashes');
  });

  it('pins exactly what the code produces: --update writes the committed file byte for byte', () => {
    const file = pinnedCopy('repinned.json', (entries) => entries.reverse());
    const result = ciExample(file, '--update');
    expect(result.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(PINNED, 'utf8'));
  });

  it('exits 1 when what the code audits drifts from the pinned event, naming the members that changed', () => {
    // As if the pins were taken before a refactor changed the description: the file is self-consistent (so
    // auditwire verify passes) but the code no longer produces that event.
    const file = pinnedCopy('drifted-event.json', (entries) => {
      const entry = entries[2] as PinnedEntry;
      entry.event = { ...entry.event, description: 'Changed the role' };
      entry.hash = hashEvent(entry.event);
    });
    const result = ciExample(file);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('DRIFTED role changed');
    expect(result.stderr).toContain('auditwire hash mismatch');
    expect(result.stderr).toContain('"description":"Changed Zoë Ångström\'s role to billing-admin"');
    expect(result.stderr).toContain('members that differ from the pinned event: $.description');
    expect(result.stdout).toContain('3 of 3 hashes match');
    expect(result.stdout).toContain('FAILED: 1 of 3 audit events drifted');
  });

  it('exits 1 when a pinned hash was edited, reported by both checks with both hashes', () => {
    const file = pinnedCopy('edited-hash.json', (entries) => {
      (entries[0] as PinnedEntry).hash = '0'.repeat(64);
    });
    const result = ciExample(file);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('DRIFTED login succeeded');
    expect(result.stderr).toContain(`expected: ${'0'.repeat(64)}`);
    expect(result.stderr).toContain('none (the pinned hash was edited)');
    expect(result.stderr).toMatch(new RegExp(`mismatch at \\S*edited-hash\\.json, element 1: expected 0{64}, computed [0-9a-f]{64}`));
    expect(result.stdout).toContain('auditwire verify exited 1');
  });

  it('exits 1 when a pinned event was hand-edited without its hash: auditwire verify catches it', () => {
    const file = pinnedCopy('edited-event.json', (entries) => {
      (entries[1] as PinnedEntry).event.severity = 'Low';
    });
    const result = ciExample(file);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('ok      login failed');
    expect(result.stderr).toMatch(/mismatch at \S*edited-event\.json, element 2/);
    expect(result.stdout).toContain('FAILED: 0 of 3 audit events drifted from their pinned hashes; auditwire verify exited 1');
  });

  it('exits 2 on bad usage', () => {
    expect(ciExample('a.json', 'b.json').status).toBe(2);
  });
});

describe('examples/polyglot-verify.mjs with examples/polyglot_verify.py', () => {
  let records: string;

  it('sends through all four adapters and the Python reference recomputes every hash', () => {
    records = join(scratch, 'polyglot.jsonl');
    const result = run(process.execPath, ['examples/polyglot-verify.mjs', records]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`typescript: 13 events sent through 4 adapters, every receipt verified; wrote ${records}`);
    expect(result.stdout).toContain('python reference: 13 of 13 hashes match (auditlog 3, frontegg 4, logzab 3, retraced 3)');
    const lines = readFileSync(records, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(13);
    expect(lines.filter((line) => typeof line.retracedId === 'string')).toHaveLength(3);
  });

  it('makes the Python side exit 1 on a tampered event or a wrong Retraced id, naming the line', () => {
    const lines = readFileSync(records, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { format: string; event: Record<string, unknown>; retracedId?: string });
    const logzab = lines.findIndex((line) => line.format === 'logzab');
    const retraced = lines.findIndex((line) => line.format === 'retraced');
    (lines[logzab] as { event: Record<string, unknown> }).event.object = 'someone else';
    (lines[retraced] as { retracedId?: string }).retracedId = 'f'.repeat(32);
    const tampered = join(scratch, 'tampered.jsonl');
    writeFileSync(tampered, lines.map((line) => JSON.stringify(line)).join('\n'));
    const result = run(python, ['examples/polyglot_verify.py', tampered]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`MISMATCH line ${logzab + 1} (logzab)`);
    expect(result.stdout).toContain(`MISMATCH line ${retraced + 1} (retraced)`);
    expect(result.stdout).toContain('python reference: 11 of 13 hashes match');
  });

  it('makes the Python side exit 2 on input that is not a record, and 1 on an empty file', () => {
    const bad = join(scratch, 'bad.jsonl');
    writeFileSync(bad, '{"event": {"a": NaN}, "hash": "x"}\n');
    const result = run(python, ['examples/polyglot_verify.py', bad]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('polyglot_verify: line 1:');
    const empty = join(scratch, 'empty.jsonl');
    writeFileSync(empty, '\n');
    expect(run(python, ['examples/polyglot_verify.py', empty]).status).toBe(1);
  });
});
