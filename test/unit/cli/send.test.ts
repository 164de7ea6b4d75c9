import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommandIo, ProgressStream } from '../../../src/cli/command-io.js';
import { runSend } from '../../../src/cli/send-command.js';
import { createReferenceServer, type ReferenceServer, type ReferenceServerOptions } from '../../../src/testing.js';

// `auditwire send` run in-process against a real reference server on loopback.

/** A key distinctive enough that finding it anywhere in the output is a leak, not a coincidence. */
const SECRET_HALF = 's3cr3t-9f2b71';

/**
 * One entry per adapter: how to point `send` at the reference server, and server credentials that refuse the key.
 * Another adapter is one more entry.
 */
interface AdapterCase {
  readonly adapter: 'auditlog' | 'retraced' | 'logzab' | 'frontegg';
  readonly apiKey: string;
  /** Flags besides --adapter, --endpoint and the key. */
  readonly flags: readonly string[];
  readonly refusingCredentials: NonNullable<ReferenceServerOptions['credentials']>;
}

const adapters: readonly AdapterCase[] = [
  { adapter: 'auditlog', apiKey: `consumer:${SECRET_HALF}`, flags: [], refusingCredentials: { auditlog: 'a:b' } },
  { adapter: 'retraced', apiKey: `token-${SECRET_HALF}`, flags: ['--project-id', 'project-1'], refusingCredentials: { retraced: 'other-token' } },
  { adapter: 'logzab', apiKey: `key-${SECRET_HALF}`, flags: [], refusingCredentials: { logzab: 'other-key' } },
  {
    adapter: 'frontegg',
    apiKey: `secret-${SECRET_HALF}`,
    flags: ['--client-id', 'client-1'],
    refusingCredentials: { frontegg: { clientId: 'client-1', secret: 'other-secret' } },
  },
];

const SUMMARY = /^sent (\d+), verified (\d+), failed (\d+) in \d+\.\d s \(\d+ events\/s\)(?:; (\d+) sent without fields the adapter cannot carry)?$/;

interface Run {
  readonly status: number;
  readonly out: string[];
  readonly err: string[];
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditwire-send-test-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  // The client reads these; a developer's own settings must not leak into the tests.
  for (const name of ['AUDITWIRE_ENDPOINT', 'AUDITWIRE_API_KEY', 'AUDITWIRE_ADAPTER', 'AUDITWIRE_PROJECT_ID', 'FRONTEGG_CLIENT_ID', 'FRONTEGG_API_KEY', 'FRONTEGG_API_GATEWAY_URL']) {
    vi.stubEnv(name, undefined);
  }
  // The auditlog adapter warns (a process warning) about the `crud` it drops; expected here, so kept off the output.
  unmappedWarnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
});

afterEach(() => {
  vi.unstubAllEnvs();
  unmappedWarnings.mockRestore();
});

let unmappedWarnings: { mock: { calls: unknown[][] }; mockRestore: () => void };

let fileCount = 0;
function writeInput(content: string, extension = 'jsonl'): string {
  const path = join(dir, `input-${++fileCount}.${extension}`);
  writeFileSync(path, content);
  return path;
}

function jsonl(values: readonly unknown[]): string {
  return values.map((value) => JSON.stringify(value)).join('\n') + '\n';
}

function linesOfFile(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
}

async function send(args: readonly string[], io: Partial<CommandIo> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runSend([...args], { out: (line) => out.push(line), err: (line) => err.push(line), cwd: dir, ...io });
  return { status, out, err };
}

function summaryOf(run: Run): { sent: number; verified: number; failed: number } {
  const line = run.out.find((text) => SUMMARY.test(text));
  if (line === undefined) throw new Error(`no summary line in ${JSON.stringify(run.out)}`);
  const [, sent, verified, failed] = SUMMARY.exec(line) as unknown as [string, string, string, string];
  return { sent: Number(sent), verified: Number(verified), failed: Number(failed) };
}

/** A usage problem: exit 2, one line on stderr, nothing on stdout. */
function expectUsageProblem(run: Run): string {
  expect(run.status).toBe(2);
  expect(run.out).toEqual([]);
  expect(run.err).toHaveLength(1);
  const [line] = run.err as [string];
  expect(line.startsWith('auditwire: ')).toBe(true);
  expect(line).not.toMatch(/\n|^\s+at /);
  return line;
}

/** A fake terminal for the progress bar. */
function fakeTerminal(isTTY: boolean): ProgressStream & { readonly writes: string[] } {
  const writes: string[] = [];
  return { isTTY, columns: 120, writes, write: (text: string) => writes.push(text) };
}

const events = (count: number, prefix = 'evt'): Array<Record<string, unknown>> =>
  Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, action: 'user.login', time: '2024-05-01T12:00:00Z', crud: 'r', actor: { id: `u-${i}` }, tenant: { id: 't-1' } }));

describe.each(adapters)('auditwire send --adapter $adapter', (adapterCase) => {
  let server: ReferenceServer;

  beforeAll(async () => {
    server = await createReferenceServer();
  });

  afterAll(async () => {
    await server.close();
  });

  /** --adapter, --endpoint and the key from the environment, as the help recommends. */
  const target = (): string[] => {
    vi.stubEnv('AUDITWIRE_API_KEY', adapterCase.apiKey);
    return ['--adapter', adapterCase.adapter, '--endpoint', server.url, ...adapterCase.flags];
  };

  /** Ids stored since `from`, sorted: one-event-per-request formats may store concurrent sends in any order. */
  const storedIds = (from: number): string[] => server.events.slice(from).map((event) => event.eventId).sort();

  it('sends a JSON array and prints the summary', async () => {
    const before = server.events.length;
    const input = writeInput(JSON.stringify(events(3, 'array')), 'json');
    const run = await send([input, ...target()]);
    expect(run.status).toBe(0);
    expect(run.err).toEqual([]);
    expect(run.out).toHaveLength(1);
    expect(summaryOf(run)).toEqual({ sent: 3, verified: 3, failed: 0 });
    expect(storedIds(before)).toEqual(['array-0', 'array-1', 'array-2']);
    expect(existsSync(`${input}.failed.jsonl`)).toBe(false);
    expect(existsSync(`${input}.failed.jsonl.errors.jsonl`)).toBe(false);
  });

  it('sends a pretty-printed JSON array and a single pretty-printed event', async () => {
    const before = server.events.length;
    const array = await send([writeInput(JSON.stringify(events(2, 'pretty'), null, 2), 'json'), ...target()]);
    const single = await send([writeInput(JSON.stringify(events(1, 'single')[0], null, 2), 'json'), ...target()]);
    expect([array.status, single.status]).toEqual([0, 0]);
    expect(summaryOf(array).sent).toBe(2);
    expect(summaryOf(single).sent).toBe(1);
    expect(storedIds(before)).toEqual(['pretty-0', 'pretty-1', 'single-0']);
  });

  it('sends JSONL, skipping blank lines and accepting CRLF', async () => {
    const before = server.events.length;
    const [a, b, c] = events(3, 'jsonl').map((event) => JSON.stringify(event));
    const run = await send([writeInput(`${a}\r\n\r\n${b}\n\n${c}`), ...target()]);
    expect(run.status).toBe(0);
    expect(summaryOf(run)).toEqual({ sent: 3, verified: 3, failed: 0 });
    expect(storedIds(before)).toEqual(['jsonl-0', 'jsonl-1', 'jsonl-2']);
  });

  it('reads standard input for the FILE "-", in chunks that split lines and characters', async () => {
    const before = server.events.length;
    const text = jsonl([{ ...events(1, 'stdin')[0], description: 'Zo\u00eb \ud83d\ude00' }, ...events(2, 'stdin2')]);
    const bytes = Buffer.from(text, 'utf8');
    // Cut inside the multi-byte characters and mid-line.
    const cut = bytes.indexOf(0xc3) + 1;
    const chunks = [bytes.subarray(0, cut), bytes.subarray(cut, cut + 40), bytes.subarray(cut + 40)];
    const run = await send(['-', ...target()], { stdin: Readable.from(chunks) });
    expect(run.status).toBe(0);
    expect(summaryOf(run).sent).toBe(3);
    expect(storedIds(before)).toEqual(['stdin-0', 'stdin2-0', 'stdin2-1']);
    expect(server.events.slice(before).some((event) => JSON.stringify(event.body).includes('Zo\u00eb \ud83d\ude00'))).toBe(true);
  });

  it('sends more events than it reads ahead, every one exactly once', async () => {
    const before = server.events.length;
    const many = events(2_500, 'bulk');
    const run = await send([writeInput(jsonl(many)), ...target(), '--batch-size', '100', '--concurrency', '8']);
    expect(run.status).toBe(0);
    expect(summaryOf(run)).toEqual({ sent: 2_500, verified: 2_500, failed: 0 });
    expect(new Set(storedIds(before))).toEqual(new Set(many.map((event) => event.id)));
  });

  it('fails an invalid event and a line that is not JSON on their own, writes them unchanged with reasons, and sends the rest', async () => {
    const before = server.events.length;
    const good = events(3, 'mixed');
    const invalid = '{"id":"bad-1","actor":{"id":"u-9"}}';
    const notJson = '{"id": "bad-2", "action": oops}';
    const input = writeInput([JSON.stringify(good[0]), invalid, JSON.stringify(good[1]), notJson, JSON.stringify(good[2])].join('\n'));
    const run = await send([input, ...target()]);

    expect(run.status).toBe(1);
    expect(summaryOf(run)).toEqual({ sent: 3, verified: 3, failed: 2 });
    expect(storedIds(before)).toEqual(['mixed-0', 'mixed-1', 'mixed-2']);

    const failuresPath = `${input}.failed.jsonl`;
    expect(linesOfFile(failuresPath)).toEqual([invalid, notJson]);
    const reasons = linesOfFile(`${failuresPath}.errors.jsonl`).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(reasons).toEqual([
      expect.objectContaining({ index: 1, id: 'bad-1', code: 'VALIDATION', message: expect.stringMatching(/\$\.action/) }),
      expect.objectContaining({ index: 3, id: null, code: 'JSON_SYNTAX', message: expect.stringMatching(/not valid JSON/) }),
    ]);
    // Where they went, on stderr.
    expect(run.err.join('\n')).toContain(failuresPath);
    expect(run.err.join('\n')).toContain(`${failuresPath}.errors.jsonl`);
    expect(run.err.join('\n')).toMatch(/line 2 \(id bad-1\): VALIDATION/);
  });

  it('writes events the server refused to the failures file, and that file sends as it is once the server takes them', async () => {
    const before = server.events.length;
    const batch = events(4, 'refused');
    const input = writeInput(JSON.stringify(batch), 'json');
    server.setFaults({ statuses: [{ status: 400, probability: 1 }] });
    let first: Run;
    try {
      first = await send([input, ...target()]);
    } finally {
      server.setFaults({});
    }
    expect(first.status).toBe(1);
    expect(summaryOf(first)).toEqual({ sent: 0, verified: 0, failed: 4 });
    expect(server.events.length).toBe(before);

    const failuresPath = `${input}.failed.jsonl`;
    const failed = linesOfFile(failuresPath);
    // Unchanged: the same events, one per line (order is the order they failed in).
    expect(failed.map((line) => JSON.parse(line) as unknown).sort(byId)).toEqual(batch);
    const reasons = linesOfFile(`${failuresPath}.errors.jsonl`).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(reasons.map((reason) => reason.index).sort()).toEqual([0, 1, 2, 3]);
    for (const reason of reasons) expect(reason).toMatchObject({ code: 'DELIVERY', status: 400, id: expect.stringMatching(/^refused-/) });

    const again = await send([failuresPath, ...target()]);
    expect(again.status).toBe(0);
    expect(summaryOf(again)).toEqual({ sent: 4, verified: 4, failed: 0 });
    expect(storedIds(before).sort()).toEqual(batch.map((event) => event.id).sort());
    expect(existsSync(`${failuresPath}.failed.jsonl`)).toBe(false);
  });

  it('fails events whose server hash differs with HASH_MISMATCH and warns that the server stored them; --verify off sends them unverified', async () => {
    const input = writeInput(jsonl(events(2, 'mismatch')));
    server.setFaults({ wrongHashProbability: 1 });
    let checked: Run;
    let unchecked: Run;
    try {
      checked = await send([input, ...target()]);
      unchecked = await send([input, ...target(), '--verify', 'off', '--failures', join(dir, 'unchecked.jsonl')]);
    } finally {
      server.setFaults({});
    }
    expect(checked.status).toBe(1);
    expect(summaryOf(checked)).toEqual({ sent: 0, verified: 0, failed: 2 });
    const reasons = linesOfFile(`${input}.failed.jsonl.errors.jsonl`).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(reasons.map((reason) => [reason.code, reason.id]).sort()).toEqual([
      ['HASH_MISMATCH', 'mismatch-0'],
      ['HASH_MISMATCH', 'mismatch-1'],
    ]);
    expect(checked.err.join('\n')).toMatch(/HASH_MISMATCH: the server stored them/);

    expect(unchecked.status).toBe(0);
    expect(summaryOf(unchecked)).toEqual({ sent: 2, verified: 0, failed: 0 });
  });

  it('fails every event with AUTHENTICATION when the server refuses the key, and never prints or writes the key', async () => {
    const refusing = await createReferenceServer({ credentials: adapterCase.refusingCredentials });
    try {
      const input = writeInput(jsonl(events(2, 'auth')));
      const failuresPath = join(dir, 'auth-failures.jsonl');
      const args = [input, '--adapter', adapterCase.adapter, '--endpoint', refusing.url, '--failures', failuresPath, ...adapterCase.flags];
      const viaFlag = await send([...args, '--api-key', adapterCase.apiKey]);
      expect(viaFlag.status).toBe(1);
      expect(summaryOf(viaFlag)).toEqual({ sent: 0, verified: 0, failed: 2 });
      const reasons = linesOfFile(`${failuresPath}.errors.jsonl`).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(reasons.map((reason) => reason.code)).toEqual(['AUTHENTICATION', 'AUTHENTICATION']);

      vi.stubEnv('AUDITWIRE_API_KEY', adapterCase.apiKey);
      const viaEnv = await send(args);
      expect(viaEnv.status).toBe(1);

      const everything = [...viaFlag.out, ...viaFlag.err, ...viaEnv.out, ...viaEnv.err, readFileSync(`${failuresPath}.errors.jsonl`, 'utf8')].join('\n');
      expect(everything).not.toContain(SECRET_HALF);
    } finally {
      await refusing.close();
    }
  });

  it('writes failures from standard input to auditwire-send.failed.jsonl in the current directory, or to --failures', async () => {
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    const invalid = '{"action":""}';
    const byDefault = await send(['-', ...target()], { stdin: Readable.from([invalid]), cwd });
    expect(byDefault.status).toBe(1);
    expect(linesOfFile(join(cwd, 'auditwire-send.failed.jsonl'))).toEqual([invalid]);

    const explicit = await send(['-', ...target(), '--failures', 'custom.jsonl'], { stdin: Readable.from([invalid]), cwd });
    expect(explicit.status).toBe(1);
    expect(linesOfFile(join(cwd, 'custom.jsonl'))).toEqual([invalid]);
    expect(linesOfFile(join(cwd, 'custom.jsonl.errors.jsonl'))).toHaveLength(1);
  });

  it('sends what came before a JSON array that breaks off, then exits 2', async () => {
    const before = server.events.length;
    const [a, b] = events(2, 'broken').map((event) => JSON.stringify(event));
    const run = await send([writeInput(`[${a},\n${b}`, 'json'), ...target()]);
    expect(run.status).toBe(2);
    expect(storedIds(before)).toEqual(['broken-0']);
    expect(run.err.join('\n')).toMatch(/before the JSON array is closed/);
  });

  describe('progress bar', () => {
    it('is drawn on a terminal, with \\r redraws, and erased at the end', async () => {
      const terminal = fakeTerminal(true);
      const run = await send([writeInput(jsonl(events(5, 'bar'))), ...target()], { progress: terminal });
      expect(run.status).toBe(0);
      const drawn = terminal.writes.join('');
      expect(drawn).toContain('\r');
      expect(drawn).toMatch(/sent \d+ {2}failed \d+/);
      expect(terminal.writes.at(-1)).toBe('\r\u001b[2K');
      expect(run.out).toHaveLength(1);
    });

    it('is not drawn when the stream is not a terminal', async () => {
      const notTerminal = fakeTerminal(false);
      const run = await send([writeInput(jsonl(events(2, 'nobar'))), ...target()], { progress: notTerminal });
      expect(run.status).toBe(0);
      expect(notTerminal.writes).toEqual([]);
    });

    it('is not drawn with --quiet, which also prints nothing when everything was sent', async () => {
      const terminal = fakeTerminal(true);
      const run = await send([writeInput(jsonl(events(2, 'quiet'))), ...target(), '--quiet'], { progress: terminal });
      expect(run.status).toBe(0);
      expect(terminal.writes).toEqual([]);
      expect(run.out).toEqual([]);
      expect(run.err).toEqual([]);
    });
  });

  describe('interrupted (Ctrl-C)', () => {
    it('stops waiting for input and exits 1', async () => {
      const controller = new AbortController();
      const stdin = new PassThrough();
      const running = send(['-', ...target()], { stdin, signal: controller.signal });
      controller.abort();
      const run = await running;
      expect(run.status).toBe(1);
      expect(summaryOf(run)).toEqual({ sent: 0, verified: 0, failed: 0 });
      expect(run.err.join('\n')).toMatch(/interrupted/);
    });

    it('closes the client and writes the events it could not send to the failures file', async () => {
      // The server answers 503 with a long Retry-After, so the events are still waiting when Ctrl-C comes.
      const { promise: firstAnswer, resolve } = Promise.withResolvers<void>();
      const slow = await createReferenceServer({
        faults: { statuses: [{ status: 503, probability: 1, retryAfterSeconds: 60 }] },
        onRequest: () => resolve(),
      });
      try {
        const controller = new AbortController();
        const stdin = new PassThrough();
        const cwd = mkdtempSync(join(dir, 'interrupt-'));
        vi.stubEnv('AUDITWIRE_API_KEY', adapterCase.apiKey);
        const lines = events(2, 'unsent').map((event) => JSON.stringify(event));
        const running = send(['-', '--adapter', adapterCase.adapter, '--endpoint', slow.url, ...adapterCase.flags], {
          stdin,
          signal: controller.signal,
          cwd,
          interruptGraceMs: 20,
        });
        stdin.write(`${lines.join('\n')}\n`);
        await firstAnswer;
        controller.abort();
        const run = await running;

        expect(run.status).toBe(1);
        expect(summaryOf(run)).toEqual({ sent: 0, verified: 0, failed: 2 });
        const failuresPath = join(cwd, 'auditwire-send.failed.jsonl');
        expect(linesOfFile(failuresPath).sort()).toEqual([...lines].sort());
        const reasons = linesOfFile(`${failuresPath}.errors.jsonl`).map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(reasons.map((reason) => reason.code)).toEqual(['TIMEOUT', 'TIMEOUT']);
        expect(run.err.join('\n')).toMatch(/interrupted: stopped reading standard input after line 2; the events after it were not read; to resume, feed it again from line 3/);
      } finally {
        await slow.close();
      }
    });
  });

  describe('usage and configuration problems (exit 2, one line, nothing sent)', () => {
    it('rejects an unknown flag', async () => {
      expect(expectUsageProblem(await send([writeInput('{}'), ...target(), '--frobnicate']))).toMatch(/--frobnicate/);
    });

    it('rejects a missing FILE and a missing FILE argument', async () => {
      expect(expectUsageProblem(await send([join(dir, 'nope.jsonl'), ...target()]))).toMatch(/nope\.jsonl: no such file/);
      expectUsageProblem(await send([...target()]));
    });

    it('rejects a missing adapter, an unknown adapter, a bad --verify and a bad --concurrency', async () => {
      const input = writeInput('{}');
      expect(expectUsageProblem(await send([input, '--endpoint', server.url]))).toMatch(/--adapter/);
      expect(expectUsageProblem(await send([input, '--adapter', 'splunk']))).toMatch(/--adapter must be one of/);
      expect(expectUsageProblem(await send([input, ...target(), '--verify', 'sometimes']))).toMatch(/--verify/);
      expect(expectUsageProblem(await send([input, ...target(), '--concurrency', 'lots']))).toMatch(/--concurrency/);
    });

    it('shows the client\'s configuration error in terms of flags, without the key', async () => {
      const input = writeInput('{}');
      const noKey = await send([input, '--adapter', adapterCase.adapter, '--endpoint', server.url, ...adapterCase.flags]);
      expect(expectUsageProblem(noKey)).toMatch(/--api-key/);
      const insecure = await send([input, ...target(), '--endpoint', 'http://audit.example.com']);
      expect(expectUsageProblem(insecure)).toMatch(/--endpoint: plain http:\/\//);
      const badKey = await send([input, '--adapter', 'auditlog', '--endpoint', server.url, '--api-key', `no-colon-${SECRET_HALF}`]);
      const line = expectUsageProblem(badKey);
      expect(line).toMatch(/--api-key/);
      expect(line).not.toContain(SECRET_HALF);
    });

    it('rejects input that is neither JSON nor JSONL, and empty input', async () => {
      expect(expectUsageProblem(await send(['-', ...target()], { stdin: Readable.from(['hello\nworld\n']) }))).toMatch(/not valid JSON/);
      expect(expectUsageProblem(await send(['-', ...target()], { stdin: Readable.from([' \n']) }))).toMatch(/standard input is empty/);
      const terminal = Object.assign(new PassThrough(), { isTTY: true });
      expect(expectUsageProblem(await send(['-', ...target()], { stdin: terminal }))).toMatch(/no input: give a FILE or pipe/);
    });

    it('rejects a failures file that would overwrite the input, or that cannot be created', async () => {
      const input = writeInput('{}');
      expectUsageProblem(await send([input, ...target(), '--failures', input]));
      expect(expectUsageProblem(await send([input, ...target(), '--failures', join(dir, 'no-such-dir', 'f.jsonl')]))).toMatch(/--failures/);
    });

    it('prints its help for --help', async () => {
      const run = await send(['--help']);
      expect(run.status).toBe(0);
      const help = run.out.join('\n');
      for (const flag of ['--adapter', '--endpoint', '--api-key', '--project-id', '--client-id', '--failures', '--verify', '--concurrency', '--batch-size', '--allow-insecure-http', '--quiet']) {
        expect(help).toContain(flag);
      }
      expect(help).toMatch(/AUDITWIRE_API_KEY/);
      expect(help).toMatch(/\bps\b/);
    });
  });
});

function byId(a: unknown, b: unknown): number {
  return String((a as { id: string }).id).localeCompare(String((b as { id: string }).id));
}

describe('auditwire send on a first day: telling the user what happens', () => {
  let server: ReferenceServer;
  const key = `consumer:${SECRET_HALF}`;
  beforeAll(async () => {
    server = await createReferenceServer();
  });
  afterAll(async () => {
    await server.close();
  });
  const auditlog = (): string[] => {
    vi.stubEnv('AUDITWIRE_API_KEY', key);
    return ['--adapter', 'auditlog', '--endpoint', server.url];
  };
  const timed = (id: string): Record<string, unknown> => ({ id, action: 'user.login', time: '2024-05-01T12:00:00Z', actor: { id: 'u' }, tenant: { id: 't' } });

  it('says at once that it cannot connect and is retrying, and an interrupt keeps every event of the FILE in the failures file', async () => {
    const closed = await createReferenceServer();
    const url = closed.url;
    await closed.close();
    const lines = Array.from({ length: 3_000 }, (_, i) => JSON.stringify(timed(`down-${i}`)));
    const input = writeInput(`${lines.join('\n')}\n`);
    const controller = new AbortController();
    const err: string[] = [];
    vi.stubEnv('AUDITWIRE_API_KEY', key);
    const status = await runSend([input, '--adapter', 'auditlog', '--endpoint', url], {
      out: () => {},
      // Ctrl-C as soon as the notice is out: the notice must come while the client is still retrying.
      err: (line) => {
        err.push(line);
        if (line.includes('cannot connect')) controller.abort();
      },
      signal: controller.signal,
      cwd: dir,
      interruptGraceMs: 20,
    });
    expect(status).toBe(1);
    expect(err[0]).toMatch(/^auditwire: cannot connect to the server \(network error: ECONNREFUSED.*\); retrying in \d+\.\d s, and on until the delivery deadline \(Ctrl-C stops\)$/);
    expect(err.join('\n')).toMatch(/interrupted: stopped reading after line \d+; every event not sent \(failed, in flight, or not read yet: \d+\) is in .*\.failed\.jsonl: send that file to resume/);
    // Resuming from the failures file sends every event of the input: none was lost by the interrupt.
    expect(linesOfFile(`${input}.failed.jsonl`).sort()).toEqual([...lines].sort());
    const codes = new Set(linesOfFile(`${input}.failed.jsonl.errors.jsonl`).map((line) => (JSON.parse(line) as { code: string }).code));
    expect([...codes].every((code) => ['NOT_SENT', 'TIMEOUT', 'CLIENT_CLOSED', 'DELIVERY'].includes(code))).toBe(true);
    expect(codes.has('NOT_SENT')).toBe(true);
  });

  it('prints progress lines when stderr is not a terminal', async () => {
    const slow = await createReferenceServer({ faults: { slowProbability: 1, slowMs: 200 } });
    try {
      vi.stubEnv('AUDITWIRE_API_KEY', key);
      const run = await send([writeInput(`${JSON.stringify(timed('slow-1'))}\n`), '--adapter', 'auditlog', '--endpoint', slow.url], {
        progress: fakeTerminal(false),
        progressIntervalMs: 20,
      });
      expect(run.status).toBe(0);
      expect(run.err.some((line) => /^auditwire: progress: [01] sent, 0 failed, 1 read in \d+ s \(\d+ events\/s\)$/.test(line))).toBe(true);
    } finally {
      await slow.close();
    }
  });

  it('rewrites a failures file sent again in place (never FILE.failed.jsonl.failed.jsonl) and removes it once all is sent', async () => {
    const input = writeInput(`${JSON.stringify(timed('ok-1'))}\n${JSON.stringify({ ...timed('bad-1'), severity: 'loud' })}\n`);
    const first = await send([input, ...auditlog()]);
    expect(first.status).toBe(1);
    const failures = `${input}.failed.jsonl`;
    expect(linesOfFile(failures)).toHaveLength(1);
    // A validation failure cannot succeed as it is: no "send that file again" for it.
    expect(first.err.join('\n')).not.toMatch(/send that file again/);
    expect(first.err).toContain(`auditwire: 1 of them will fail again until the event is fixed (1 VALIDATION): ${failures}.errors.jsonl says what is wrong with each, line for line`);

    const again = await send([failures, ...auditlog()]);
    expect(again.status).toBe(1);
    expect(existsSync(`${failures}.failed.jsonl`)).toBe(false);
    expect(linesOfFile(failures)).toHaveLength(1);

    writeFileSync(failures, `${JSON.stringify(timed('bad-1'))}\n`);
    const fixed = await send([failures, ...auditlog()]);
    expect(fixed.status).toBe(0);
    expect(existsSync(failures)).toBe(false);
    expect(existsSync(`${failures}.errors.jsonl`)).toBe(false);
    expect(fixed.err).toContain(`auditwire: removed ${failures} (and its errors file): every event was sent this time`);
  });

  it('removes a stale failures file left by an earlier run when every event is sent', async () => {
    const input = writeInput(`${JSON.stringify(timed('stale-1'))}\n`);
    writeFileSync(`${input}.failed.jsonl`, '{"action":"from an earlier run"}\n');
    writeFileSync(`${input}.failed.jsonl.errors.jsonl`, '{"code":"DELIVERY"}\n');
    const run = await send([input, ...auditlog()]);
    expect(run.status).toBe(0);
    expect(existsSync(`${input}.failed.jsonl`)).toBe(false);
    expect(existsSync(`${input}.failed.jsonl.errors.jsonl`)).toBe(false);
  });

  it('says that failures the server may take later can be sent again as they are', async () => {
    const refusing = await createReferenceServer({ credentials: { auditlog: 'a:b' } });
    try {
      vi.stubEnv('AUDITWIRE_API_KEY', key);
      const input = writeInput(`${JSON.stringify(timed('auth-1'))}\n`);
      const run = await send([input, '--adapter', 'auditlog', '--endpoint', refusing.url]);
      expect(run.err).toContain(`auditwire: 1 of them can succeed when sent again as they are: auditwire send ${input}.failed.jsonl (same options)`);
    } finally {
      await refusing.close();
    }
  });

  it('warns that --batch-size above the adapter\'s limit is lowered to it', async () => {
    const run = await send([writeInput(`${JSON.stringify(timed('batch-1'))}\n`), ...auditlog(), '--batch-size', '1000']);
    expect(run.status).toBe(0);
    expect(run.err).toContain("auditwire: warning: --batch-size 1000 is above the auditlog adapter's limit of 100 events per request; sending 100 per request");
  });

  it('counts events without "time" stamped with the send time, and refuses them with --require-time', async () => {
    const untimed = { id: 'untimed-1', action: 'user.login', actor: { id: 'u' }, tenant: { id: 't' } };
    const input = writeInput(`${JSON.stringify(untimed)}\n${JSON.stringify({ ...untimed, id: 'untimed-2' })}\n${JSON.stringify(timed('timed-1'))}\n`);
    const stamped = await send([input, ...auditlog()]);
    expect(stamped.status).toBe(0);
    expect(stamped.err).toContain('auditwire: warning: 2 events had no "time" and were stamped with the time they were sent; give each event the time it happened, or pass --require-time to refuse such events');
    const refused = await send([input, ...auditlog(), '--require-time']);
    expect(refused.status).toBe(1);
    expect(summaryOf(refused)).toEqual({ sent: 1, verified: 1, failed: 2 });
    expect(refused.err.join('\n')).toMatch(/line 1 \(id untimed-1\): VALIDATION: \$\.time: missing, and --require-time refuses/);
  });

  it('names AUDITWIRE_API_KEY, not --api-key, when the bad key came from the environment', async () => {
    vi.stubEnv('AUDITWIRE_API_KEY', `no-colon-${SECRET_HALF}`);
    const line = expectUsageProblem(await send([writeInput('{}'), '--adapter', 'auditlog', '--endpoint', server.url]));
    expect(line).toMatch(/^auditwire: AUDITWIRE_API_KEY: /);
    expect(line).not.toContain(SECRET_HALF);
  });

  it('warns when the endpoint already holds the path the adapter appends, and explains a 404', async () => {
    const run = await send([writeInput(`${JSON.stringify(timed('path-1'))}\n`), ...auditlog(), '--endpoint', `${server.url}/api/v1/events`]);
    expect(run.status).toBe(1);
    expect(run.err[0]).toBe(`auditwire: warning: the endpoint ${server.url}/api/v1/events already ends with /api/v1/events, which the auditlog adapter appends itself; give the service's base URL`);
    expect(run.err).toContain(
      'auditwire: the server answered 404 (not found): the auditlog adapter appends /api/v1/events to the endpoint, so the endpoint must be the service\'s base URL, without that path',
    );
  });

  it('names --max-queue-bytes, an option of this command, for an event larger than the queue', async () => {
    const big = { ...timed('big-1'), description: 'x'.repeat(100) };
    const run = await send([writeInput(`${JSON.stringify(big)}\n`), ...auditlog(), '--max-queue-bytes', '200']);
    expect(run.status).toBe(1);
    expect(run.err.join('\n')).toMatch(/more than the client queue holds \(raise it with --max-queue-bytes, default 16777216\)/);
  });

  it('says what "time" must be when it is a number such as Date.now()', async () => {
    const run = await send([writeInput(`${JSON.stringify({ ...timed('num-1'), time: 1_733_000_000_000 })}\n`), ...auditlog()]);
    expect(run.err.join('\n')).toMatch(/\$\.time: must be an ISO-8601 date-time string with a time zone \(e\.g\. 2024-05-01T12:00:00Z\) or a Date/);
  });
});

describe('auditwire send to an adapter that drops members', () => {
  it('counts the events sent without fields the adapter cannot carry in the summary', async () => {
    const server = await createReferenceServer();
    try {
      vi.stubEnv('AUDITWIRE_API_KEY', 'consumer:key');
      const input = writeInput(jsonl([{ id: 'd-1', action: 'a', fields: { blob: 'x' } }, { id: 'd-2', action: 'b' }, { id: 'd-3', action: 'c', tags: ['t'] }]));
      const run = await send([input, '--adapter', 'auditlog', '--endpoint', server.url]);
      expect(run.status).toBe(0);
      expect(run.out.find((line) => SUMMARY.test(line))).toMatch(/^sent 3, verified 3, failed 0 in .*; 2 sent without fields the adapter cannot carry$/);
      expect(unmappedWarnings.mock.calls.map(([message]) => String(message))).toEqual([
        expect.stringContaining('the auditlog adapter drops $.fields'),
        expect.stringContaining('the auditlog adapter drops $.tags'),
      ]);
    } finally {
      await server.close();
    }
  });
});
