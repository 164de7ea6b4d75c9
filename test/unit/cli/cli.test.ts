import canonicalize from 'canonicalize';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cliPath, ensureCliBuilt, linesOf, repoRoot, runCli, type CliResult } from '../../helpers/cli.js';
import { retracedOracle } from '../../helpers/retraced-oracle.js';
import { sha256HexOf } from '../../helpers/sha256.js';

// Expected values come from independent implementations: the canonicalize package and the vendor's computeHash.
function expectedHash(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('test fixture has no canonical form');
  return sha256HexOf(text);
}

function expectedRetraced(event: object, id: string): string {
  const outcome = retracedOracle(event, id);
  if (!outcome.ok) throw new Error('test fixture rejected by the Retraced oracle');
  return outcome.hash;
}

/** Exit 2 with exactly one line on stderr, prefixed "auditwire:", no stack trace, nothing on stdout. */
function expectBadInput(result: CliResult): string {
  expect(result.status).toBe(2);
  expect(result.stdout).toBe('');
  const lines = linesOf(result.stderr);
  expect(lines).toHaveLength(1);
  expect(result.stderr.endsWith('\n')).toBe(true);
  const [line] = lines as [string];
  expect(line.startsWith('auditwire: ')).toBe(true);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  return line;
}

/** Bad input found after `printed` events: their hashes were printed (the input is streamed), then exit 2 with one line. */
function expectBadInputAfter(result: CliResult, printed: readonly string[]): string {
  expect(linesOf(result.stdout)).toEqual(printed);
  return expectBadInput({ ...result, stdout: '' });
}

/** Runs the CLI with raw bytes on standard input (runCli pipes text). */
function spawnCli(args: readonly string[], input: Buffer): CliResult {
  const result = spawnSync(process.execPath, [cliPath, ...args], { cwd: repoRoot, input, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function expectSuccess(result: CliResult): string[] {
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return linesOf(result.stdout);
}

const login = { action: 'user.login', actor: { id: 'u-1', name: 'Zo\u00eb' }, time: '2024-05-01T12:00:00Z' };
const logout = { action: 'user.logout', fields: { '\ud83d\ude00': 'grin', b: '2', a: '1' } };
const third = { n: [1e21, -0, 0.1], s: 'line\nbreak' };

const retracedLogin = { id: 'evt-42', action: 'user.login', actor: { id: 'u-1' }, group: { id: 'g:%' }, fields: {} };
const retracedOther = { action: 'doc.read', target: { id: 'd-1' }, is_failure: true };

let dir: string;

function writeTemp(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

beforeAll(() => {
  ensureCliBuilt();
  dir = mkdtempSync(join(tmpdir(), 'auditwire-cli-test-'));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('auditwire hash', () => {
  it('prints the hash of a single JSON value read from standard input', () => {
    expect(expectSuccess(runCli(['hash'], JSON.stringify(login)))).toEqual([expectedHash(login)]);
  });

  it('prints the same hash whatever the key order and whitespace of the input', () => {
    const pretty = JSON.stringify({ time: login.time, actor: { name: 'Zo\u00eb', id: 'u-1' }, action: login.action }, null, 2);
    expect(expectSuccess(runCli(['hash'], pretty))).toEqual([expectedHash(login)]);
  });

  it('prints one hash per element of a JSON array, in order', () => {
    const result = runCli(['hash'], JSON.stringify([login, logout, third]));
    expect(expectSuccess(result)).toEqual([expectedHash(login), expectedHash(logout), expectedHash(third)]);
  });

  it('prints one hash per line of JSONL, skipping blank lines and accepting CRLF', () => {
    const jsonl = `${JSON.stringify(login)}\r\n\r\n${JSON.stringify(logout)}\n${JSON.stringify(third)}\n`;
    expect(expectSuccess(runCli(['hash'], jsonl))).toEqual([expectedHash(login), expectedHash(logout), expectedHash(third)]);
  });

  it('reads JSONL from a FILE', () => {
    const file = writeTemp('events.jsonl', `${JSON.stringify(login)}\n${JSON.stringify(logout)}\n`);
    expect(expectSuccess(runCli(['hash', file]))).toEqual([expectedHash(login), expectedHash(logout)]);
  });

  it('reads a JSON array from a FILE that starts with a byte order mark', () => {
    const file = writeTemp('events.json', `\ufeff${JSON.stringify([third, login])}\n`);
    expect(expectSuccess(runCli(['hash', file]))).toEqual([expectedHash(third), expectedHash(login)]);
  });

  it('reads standard input for the FILE "-"', () => {
    expect(expectSuccess(runCli(['hash', '-'], JSON.stringify(logout)))).toEqual([expectedHash(logout)]);
  });

  it('prints every line of a large JSONL input (no output lost at exit)', () => {
    const events = Array.from({ length: 3000 }, (_, index) => ({ action: 'bulk', index }));
    const lines = expectSuccess(runCli(['hash'], events.map((event) => JSON.stringify(event)).join('\n')));
    expect(lines).toHaveLength(3000);
    expect(lines[2999]).toBe(expectedHash(events[2999]));
  });

  it('prints lowercase hex SHA-256', () => {
    for (const line of expectSuccess(runCli(['hash'], JSON.stringify([login, logout])))) expect(line).toMatch(/^[0-9a-f]{64}$/);
  });

  it('prints the canonical JSON with --canonical', () => {
    const result = runCli(['hash', '--canonical'], JSON.stringify([login, logout, third]));
    expect(expectSuccess(result)).toEqual([canonicalize(login), canonicalize(logout), canonicalize(third)]);
    expect(expectSuccess(result)[2]).toBe('{"n":[1e+21,0,0.1],"s":"line\\nbreak"}');
  });

  it('prints the Retraced hash with --retraced --id ID', () => {
    const result = runCli(['hash', '--retraced', '--id', 'abc:1'], JSON.stringify([retracedOther, retracedLogin]));
    expect(expectSuccess(result)).toEqual([expectedRetraced(retracedOther, 'abc:1'), expectedRetraced(retracedLogin, 'abc:1')]);
  });

  it('uses the event\'s own id with --retraced when --id is absent', () => {
    const result = runCli(['hash', '--retraced'], JSON.stringify(retracedLogin));
    expect(expectSuccess(result)).toEqual([expectedRetraced(retracedLogin, 'evt-42')]);
    expect(expectSuccess(result)[0]).not.toBe(expectedHash(retracedLogin));
  });

  it('rejects --retraced for an event that has no id and no --id', () => {
    const line = expectBadInput(runCli(['hash', '--retraced'], JSON.stringify(retracedOther)));
    expect(line).toMatch(/id/);
  });

  it('rejects --retraced for an event the Retraced formula cannot hash (no action)', () => {
    expect(expectBadInput(runCli(['hash', '--retraced', '--id', 'x'], '{"group":{"id":"g"}}'))).toMatch(/\$\.action/);
  });

  describe('help', () => {
    it('prints usage for --help and exits 0', () => {
      const result = runCli(['--help']);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/Usage:/);
      expect(result.stdout).toMatch(/auditwire hash/);
      expect(result.stderr).toBe('');
    });

    it('prints usage when run with no command', () => {
      const result = runCli([]);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/Usage:/);
    });

    it('prints the hash command\'s options for hash --help and exits 0', () => {
      const result = runCli(['hash', '--help']);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/--canonical/);
      expect(result.stdout).toMatch(/--retraced/);
    });

    it('prints the package version for --version', () => {
      const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
      const result = runCli(['--version']);
      expect(result.status).toBe(0);
      expect(result.stdout.trim()).toBe(version);
    });
  });

  describe('bad input (exit 2, one line on stderr, no stack trace)', () => {
    it('rejects text that is not JSON', () => {
      expect(expectBadInput(runCli(['hash'], '{bad}'))).toMatch(/not valid JSON/);
    });

    it('rejects a bad line of JSONL and names the line, after the hashes of the lines before it', () => {
      const line = expectBadInputAfter(runCli(['hash'], `${JSON.stringify(login)}\n{bad\n${JSON.stringify(logout)}`), [expectedHash(login)]);
      expect(line).toMatch(/^auditwire: standard input, line 2: not valid JSON: /);
    });

    // Regression (found in review): JsonSyntaxError carries V8's JSON.parse message, which quotes the input text verbatim, raw newlines
    // included. For a FILE (or stdin) holding one invalid JSON value followed by a newline, e.g. "hello\n", stderr
    // is two lines: `auditwire: input: $: not valid JSON: Unexpected token 'h', "hello` and `" is not valid JSON`.
    // Expected: one line (main.ts promises "Every failure is one line on stderr").
    it('prints one line for invalid JSON that ends with a newline, as files usually do', () => {
      expectBadInput(runCli(['hash'], 'hello\n'));
      expectBadInputAfter(runCli(['hash', writeTemp('bad.json', '[1, 2, x]\n')]), [expectedHash(1), expectedHash(2)]);
    });

    it('rejects a duplicate key with its JSON path', () => {
      expect(expectBadInput(runCli(['hash'], '{"a":1,"b":{"c":1,"c":2}}'))).toMatch(/\$\.b\.c/);
    });

    it('rejects a lone surrogate escape with its JSON path', () => {
      expect(expectBadInput(runCli(['hash'], '{"actor":{"id":"\\ud800"}}'))).toMatch(/\$\.actor\.id/);
    });

    it('rejects a lone surrogate escape in a key with the key in the path', () => {
      expect(expectBadInput(runCli(['hash'], '{"\\udc00":1}'))).toContain('$["\\udc00"]');
    });

    it('rejects a number that overflows a double (1e400) with its JSON path', () => {
      expect(expectBadInput(runCli(['hash'], '{"fields":{"count":1e400}}'))).toMatch(/\$\.fields\.count/);
    });

    it('names the array element that is not I-JSON, counting from 1, after the hashes of the elements before it', () => {
      const line = expectBadInputAfter(runCli(['hash'], `[${JSON.stringify(login)},{"n":-1e999}]`), [expectedHash(login)]);
      expect(line).toMatch(/element 2/);
      expect(line).toMatch(/\$\.n/);
    });

    it('names the JSONL line that is not I-JSON', () => {
      const line = expectBadInputAfter(runCli(['hash'], `${JSON.stringify(login)}\n{"a":1,"a":2}\n`), [expectedHash(login)]);
      expect(line).toMatch(/line 2/);
      expect(line).toMatch(/\$\.a/);
    });

    it('rejects non-I-JSON with --canonical as well', () => {
      expect(expectBadInput(runCli(['hash', '--canonical'], '[1e400]'))).toMatch(/\$/);
    });

    it('rejects a missing FILE', () => {
      expect(expectBadInput(runCli(['hash', join(dir, 'does-not-exist.json')]))).toMatch(/does-not-exist\.json/);
    });

    it('rejects empty input', () => {
      expect(expectBadInput(runCli(['hash'], ''))).toBe('auditwire: standard input is empty: expected JSON, a JSON array or JSONL');
      expect(expectBadInput(runCli(['hash'], ' \n\n')).length).toBeGreaterThan(0);
    });

    it('rejects an unknown command', () => {
      expect(expectBadInput(runCli(['hsah']))).toMatch(/unknown command "hsah"/);
    });

    it('rejects an unknown option with a usage line, not the argument parser\'s own text', () => {
      expect(expectBadInput(runCli(['hash', '--frobnicate'], '{}'))).toBe('auditwire: unknown option --frobnicate (see auditwire hash --help)');
      expect(expectBadInput(runCli(['verify', '--bogus', 'x.json']))).toBe('auditwire: unknown option --bogus (see auditwire verify --help)');
    });

    it('says the file name (not "input") and the place once, without a doubled prefix', () => {
      const file = writeTemp('no-id.json', JSON.stringify({ action: 'a' }, null, 2));
      expect(expectBadInput(runCli(['hash', '--retraced', file]))).toBe(
        `auditwire: ${file}: the Retraced hash needs the event id: pass --id ID or give the event an "id"`,
      );
    });

    it('refuses bytes that are not UTF-8, naming their offset, rather than hashing replacement characters', () => {
      const result = spawnCli(['hash'], Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
      expect(expectBadInput(result)).toBe('auditwire: standard input: not valid JSON: invalid UTF-8 at byte offset 6 (byte 0xff); I-JSON text must be UTF-8');
      const file = writeTemp('latin1.jsonl', '');
      writeFileSync(file, Buffer.concat([Buffer.from('{"a":"ok"}\n{"a":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]));
      // Decoding runs ahead of parsing, so the hash of line 1 may or may not be printed first; the refusal is the same.
      const fromFile = runCli(['hash', file]);
      expect(fromFile.status).toBe(2);
      expect(linesOf(fromFile.stderr)).toEqual([`auditwire: ${file}: not valid JSON: invalid UTF-8 at byte offset 20 (byte 0xe9); I-JSON text must be UTF-8`]);
      expect(expectBadInput(runCli(['verify', file]))).toMatch(/invalid UTF-8 at byte offset 20/);
    });

    it('never echoes control characters from binary input raw, and cuts a long quote short', () => {
      const line = expectBadInput(spawnCli(['hash'], Buffer.from('\u001b]0;pwned\u0007\u0000\u0001 binary\n', 'utf8')));
      expect(line).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(line).toContain('\\x1b');
      const long = expectBadInput(runCli(['hash'], `{"a":"${'x'.repeat(5_000)}" oops}`));
      expect(long.length).toBeLessThan(700);
    });

    it('rejects two FILEs, --canonical with --retraced, and --id without --retraced', () => {
      expectBadInput(runCli(['hash', 'a.json', 'b.json']));
      expectBadInput(runCli(['hash', '--canonical', '--retraced'], '{}'));
      expectBadInput(runCli(['hash', '--id', 'x'], '{}'));
    });
  });
});

describe('large inputs', () => {
  /** Peak resident memory of one CLI run in MB, read by the process itself at exit (getrusage maxRSS). */
  function peakRssMb(args: readonly string[]): { status: number | null; mb: number } {
    const preload = writeTemp('max-rss.cjs', "process.on('exit', () => require('node:fs').writeFileSync(process.env.RSS_OUT, String(process.resourceUsage().maxRSS)));");
    const rssOut = join(dir, 'max-rss.txt');
    const result = spawnSync(process.execPath, ['--require', preload, cliPath, ...args], {
      cwd: repoRoot,
      stdio: 'ignore',
      timeout: 120_000,
      env: { ...process.env, RSS_OUT: rssOut },
    });
    return { status: result.status, mb: Number(readFileSync(rssOut, 'utf8')) / 1024 };
  }

  // 24 MB of input: read whole, as hash and verify once did, it took several times its size in memory.
  const EVENTS = 100_000;
  const padding = 'x'.repeat(180);

  it('hash and verify stream a JSONL file in constant memory (peak RSS under 150 MB for 24 MB of input)', () => {
    const events = writeTemp('large.jsonl', '');
    const pins = writeTemp('large-pins.jsonl', '');
    const eventLines: string[] = [];
    const pinLines: string[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const event = { action: 'user.login', id: `evt-${i}`, fields: { padding } };
      eventLines.push(JSON.stringify(event));
      pinLines.push(JSON.stringify({ event, hash: sha256HexOf(`{"action":"user.login","fields":{"padding":"${padding}"},"id":"evt-${i}"}`) }));
    }
    writeFileSync(events, `${eventLines.join('\n')}\n`);
    writeFileSync(pins, `${pinLines.join('\n')}\n`);
    eventLines.length = 0;
    pinLines.length = 0;

    const hashed = peakRssMb(['hash', events]);
    expect(hashed.status).toBe(0);
    expect(hashed.mb).toBeLessThan(150);
    const verified = peakRssMb(['verify', pins]);
    expect(verified.status).toBe(0);
    expect(verified.mb).toBeLessThan(150);
  }, 120_000);
});

describe('auditwire verify', () => {
  const entries = [
    { event: login, hash: expectedHash(login) },
    { event: logout, hash: expectedHash(logout) },
    { event: third, hash: expectedHash(third) },
  ];

  it('exits 0 and reports "N of N hashes match" when every hash matches', () => {
    const file = writeTemp('ok.json', JSON.stringify(entries));
    expect(expectSuccess(runCli(['verify', file]))).toEqual(['3 of 3 hashes match']);
  });

  it('accepts recorded hashes in uppercase hex', () => {
    const file = writeTemp('upper.json', JSON.stringify(entries.map((entry) => ({ ...entry, hash: entry.hash.toUpperCase() }))));
    expect(expectSuccess(runCli(['verify', file]))).toEqual(['3 of 3 hashes match']);
  });

  it('reads the JSONL form', () => {
    const file = writeTemp('ok.jsonl', `${entries.map((entry) => JSON.stringify(entry)).join('\n')}\n`);
    expect(expectSuccess(runCli(['verify', file]))).toEqual(['3 of 3 hashes match']);
  });

  it('reads standard input for the FILE "-"', () => {
    expect(expectSuccess(runCli(['verify', '-'], JSON.stringify(entries)))).toEqual(['3 of 3 hashes match']);
  });

  it('exits 1 and prints the mismatch with the expected and computed hash', () => {
    const wrong = expectedHash({ something: 'else' });
    const tampered = [entries[0], { event: { ...logout, id: 'evt-7' }, hash: wrong }, entries[2]];
    const result = runCli(['verify', writeTemp('mismatch.json', JSON.stringify(tampered))]);
    expect(result.status).toBe(1);
    expect(linesOf(result.stdout)).toEqual(['2 of 3 hashes match']);
    const errors = linesOf(result.stderr);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(wrong);
    expect(errors[0]).toContain(expectedHash({ ...logout, id: 'evt-7' }));
    // Elements are counted from 1, as lines are: the second element is "element 2".
    expect(errors[0]).toMatch(/^mismatch at .*mismatch\.json, element 2 \(id evt-7\): /);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('prints every mismatch, one line each', () => {
    const allWrong = entries.map((entry) => ({ ...entry, hash: '0'.repeat(64) }));
    const result = runCli(['verify', writeTemp('all-wrong.jsonl', allWrong.map((entry) => JSON.stringify(entry)).join('\n'))]);
    expect(result.status).toBe(1);
    expect(linesOf(result.stdout)).toEqual(['0 of 3 hashes match']);
    expect(linesOf(result.stderr)).toHaveLength(3);
    expect(linesOf(result.stderr).map((line) => /line (\d+)/.exec(line)?.[1])).toEqual(['1', '2', '3']);
  });

  it('verifies Retraced hashes with --retraced, using each entry\'s id', () => {
    const retracedEntries = [
      { id: 'srv-1', event: retracedLogin, hash: expectedRetraced(retracedLogin, 'srv-1') },
      { id: 'srv-2', event: retracedOther, hash: expectedRetraced(retracedOther, 'srv-2') },
    ];
    const file = writeTemp('retraced.json', JSON.stringify(retracedEntries));
    expect(expectSuccess(runCli(['verify', '--retraced', file]))).toEqual(['2 of 2 hashes match']);
    // The same file without --retraced recomputes the JCS hash, which differs.
    const plain = runCli(['verify', file]);
    expect(plain.status).toBe(1);
    expect(linesOf(plain.stderr)).toHaveLength(2);
  });

  it('reports a Retraced mismatch with --retraced', () => {
    const entry = { id: 'srv-1', event: retracedLogin, hash: expectedRetraced(retracedLogin, 'srv-other') };
    const result = runCli(['verify', '--retraced', writeTemp('retraced-bad.jsonl', `${JSON.stringify(entry)}\n`)]);
    expect(result.status).toBe(1);
    expect(linesOf(result.stdout)).toEqual(['0 of 1 hashes match']);
    expect(linesOf(result.stderr)[0]).toContain(expectedRetraced(retracedLogin, 'srv-1'));
  });

  describe('a file without entries (exit 1: an emptied pin file must not pass a check)', () => {
    it.each([
      ['an empty JSON array', 'empty-array.json', '[]'],
      ['an empty file', 'empty.json', ''],
      ['a file of blank lines', 'blank.jsonl', '\n \n'],
    ])('fails %s, saying nothing was verified', (_name, name, content) => {
      const file = writeTemp(name, content);
      const result = runCli(['verify', file]);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(linesOf(result.stderr)).toEqual([`auditwire: ${file} holds no entries, so nothing was verified; a file of pinned hashes that is empty fails the check`]);
    });
  });

  describe('bad input (exit 2)', () => {
    it('rejects text that is not JSON', () => {
      expectBadInput(runCli(['verify', writeTemp('not-json.json', '[{"event":')]));
    });

    it('reports a missing "hash" as missing, naming the file and the element', () => {
      const file = writeTemp('no-hash.json', JSON.stringify([{ event: login, hash: expectedHash(login) }, { event: login }]));
      expect(expectBadInput(runCli(['verify', file]))).toBe(`auditwire: ${file}, element 2: missing "hash" (the recorded hash to compare with)`);
    });

    it('rejects a recorded hash that is not 64 hex digits', () => {
      const file = writeTemp('short-hash.json', JSON.stringify([{ event: login, hash: 'abc' }]));
      expect(expectBadInput(runCli(['verify', file]))).toMatch(/hash/);
    });

    it('rejects an entry without an event', () => {
      const file = writeTemp('no-event.json', JSON.stringify([{ hash: expectedHash(login) }]));
      expect(expectBadInput(runCli(['verify', file]))).toMatch(/event/);
    });

    it('rejects an entry that is not an object', () => {
      expectBadInput(runCli(['verify', writeTemp('number.json', '[42]')]));
    });

    it('rejects an event that is not I-JSON, naming its path', () => {
      const file = writeTemp('not-i-json.json', `[{"event":{"n":1e400},"hash":"${'0'.repeat(64)}"}]`);
      expect(expectBadInput(runCli(['verify', file]))).toMatch(/\$\.n/);
    });

    it('rejects a --retraced entry without an id', () => {
      const file = writeTemp('retraced-no-id.json', JSON.stringify([{ event: retracedOther, hash: '0'.repeat(64) }]));
      expectBadInput(runCli(['verify', '--retraced', file]));
    });

    it('rejects a missing FILE and a missing FILE argument', () => {
      expectBadInput(runCli(['verify', join(dir, 'nope.json')]));
      expectBadInput(runCli(['verify']));
    });
  });
});
