import { pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDev } from '../../../src/cli/dev-command.js';
import { cliPath, ensureCliBuilt, repoRoot } from '../../helpers/cli.js';

const LISTENING = /^auditwire reference server listening on (http:\/\/\S+)$/;

const event = {
  uuid: 'evt-dev-1',
  time: '2024-05-01T12:00:00Z',
  action: 'user.login',
  client: { uuid: 't-1' },
  actor: { uuid: 'u-1' },
  context: { server: { serverId: 'dev-test', version: '1.0.0' } },
};

interface DevRun {
  /** The URL from the listening line. */
  readonly url: Promise<string>;
  readonly out: string[];
  readonly err: string[];
  readonly status: Promise<number>;
  /** Resolves when a line matching `pattern` has been printed on stdout. */
  printed(pattern: RegExp): Promise<string>;
  stop(): void;
}

/** Starts `runDev` in-process with an injected interrupt signal. */
function startDev(args: readonly string[]): DevRun {
  const out: string[] = [];
  const err: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const controller = new AbortController();
  const onLine = (line: string): void => {
    out.push(line);
    for (const waiter of waiters.filter((candidate) => candidate.pattern.test(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  };
  const printed = (pattern: RegExp): Promise<string> => {
    const already = out.find((line) => pattern.test(line));
    if (already !== undefined) return Promise.resolve(already);
    return new Promise((resolve) => waiters.push({ pattern, resolve }));
  };
  const status = runDev([...args], { out: onLine, err: (line) => err.push(line), signal: controller.signal });
  // A run that ends before listening (a usage problem) must not leave the URL promise hanging.
  const url = Promise.race([
    printed(LISTENING).then((line) => (LISTENING.exec(line) as RegExpExecArray)[1] as string),
    status.then((code) => Promise.reject(new Error(`dev exited ${code} before listening: ${err.join(' ')}`))),
  ]);
  url.catch(() => {});
  return { url, out, err, status, printed, stop: () => controller.abort() };
}

async function postEvents(url: string, events: unknown[]): Promise<Response> {
  return fetch(`${url}/api/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'dev:dev' },
    body: JSON.stringify(events),
  });
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditwire-dev-test-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('auditwire dev (in-process)', () => {
  it('prints the listening line first, then the routes and an example environment', async () => {
    const dev = startDev(['--port', '0']);
    const url = await dev.url;
    dev.stop();
    expect(await dev.status).toBe(0);
    expect(dev.out[0]).toBe(`auditwire reference server listening on ${url}`);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const text = dev.out.join('\n');
    for (const route of [
      'POST /api/v1/events',
      'POST /publisher/v1/project/{projectId}/event',
      'POST /publisher/v1/project/{projectId}/event/bulk',
      'POST /v1/addTrail',
      'POST /auth/vendor',
      'POST /audits/',
      'GET  /_auditwire/events',
    ]) {
      expect(text).toContain(route);
    }
    expect(text).toContain(`AUDITWIRE_ENDPOINT=${url}`);
    expect(dev.err).toEqual([]);
  });

  it('serves events, logs one line per request, and stops on the interrupt signal', async () => {
    const dev = startDev(['--port', '0']);
    const url = await dev.url;
    try {
      const response = await postEvents(url, [event]);
      expect(response.status).toBe(200);
      await response.text();
      // printed() resolves once the line is out (the dev server logs after answering); the line is then checked whole.
      await dev.printed(/^POST \/api\/v1\/events /);
      expect(dev.out).toContain('POST /api/v1/events 200 auditlog 1 event');
      const inspect = await fetch(`${url}/_auditwire/events`);
      expect(inspect.status).toBe(200);
      expect(JSON.stringify(await inspect.json())).toContain('evt-dev-1');
    } finally {
      dev.stop();
    }
    expect(await dev.status).toBe(0);
    expect(dev.out.at(-1)).toBe('auditwire reference server stopped');
  });

  it('pages GET /_auditwire/events (a default page size, limit and cursor), clears it with DELETE, and logs the counts', async () => {
    const dev = startDev(['--port', '0']);
    const url = await dev.url;
    try {
      const batch = Array.from({ length: 150 }, (_, i) => ({ ...event, uuid: `evt-page-${i}` }));
      await (await postEvents(url, batch)).text();
      const first = (await (await fetch(`${url}/_auditwire/events`)).json()) as { events: Array<{ eventId: string }>; nextCursor: string | null; total: number };
      expect(first.events).toHaveLength(100);
      expect(first.total).toBe(150);
      expect(first.nextCursor).toEqual(expect.any(String));
      await dev.printed(/^GET \/_auditwire\/events 200/);
      expect(dev.out).toContain('GET /_auditwire/events 200 100 events listed');
      const rest = (await (await fetch(`${url}/_auditwire/events?limit=60&cursor=${first.nextCursor}`)).json()) as typeof first;
      expect(rest.events.map((stored) => stored.eventId)).toEqual(batch.slice(100).map((element) => element.uuid));
      expect(rest.nextCursor).toBeNull();
      expect((await fetch(`${url}/_auditwire/events?limit=0`)).status).toBe(400);
      expect((await fetch(`${url}/_auditwire/events?cursor=nonsense`)).status).toBe(400);

      const cleared = await fetch(`${url}/_auditwire/events`, { method: 'DELETE' });
      expect(await cleared.json()).toEqual({ cleared: 150 });
      await dev.printed(/^DELETE /);
      expect(dev.out).toContain('DELETE /_auditwire/events 200 150 events cleared');
      const after = (await (await fetch(`${url}/_auditwire/events`)).json()) as typeof first;
      expect(after).toEqual({ events: [], nextCursor: null, total: 0 });
    } finally {
      dev.stop();
    }
    expect(await dev.status).toBe(0);
  });

  it('prints an endpoint a client accepts when listening on every interface (--host 0.0.0.0)', async () => {
    const dev = startDev(['--port', '0', '--host', '0.0.0.0']);
    const url = await dev.url;
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(dev.out.join('\n')).toContain(`export AUDITWIRE_ENDPOINT=${url}`);
      expect(dev.err.join('\n')).toContain('listening on 0.0.0.0');
      const { AuditsClient } = await import('../../../src/index.js');
      const client = new AuditsClient({ adapter: 'auditlog', endpoint: url, apiKey: 'dev:dev' });
      try {
        expect((await client.sendAudit({ action: 'user.login', actor: { id: 'u' }, tenant: { id: 't' } })).verified).toBe(true);
      } finally {
        await client.close();
      }
    } finally {
      dev.stop();
    }
    expect(await dev.status).toBe(0);
  });

  it('logs nothing per request with --quiet', async () => {
    const dev = startDev(['--port', '0', '--quiet']);
    const url = await dev.url;
    const linesBefore = dev.out.length;
    try {
      await (await postEvents(url, [event])).text();
    } finally {
      dev.stop();
    }
    expect(await dev.status).toBe(0);
    expect(dev.out.slice(linesBefore)).toEqual(['auditwire reference server stopped']);
  });

  it('appends every event received to --file, complete once it has stopped', async () => {
    const file = join(dir, 'received.jsonl');
    const dev = startDev(['--port', '0', '--quiet', '--file', file]);
    const url = await dev.url;
    try {
      await (await postEvents(url, [event, { ...event, uuid: 'evt-dev-2' }])).text();
    } finally {
      dev.stop();
    }
    expect(await dev.status).toBe(0);
    const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).toContain('evt-dev-2');
  });

  it('exits 2 with one line naming the port and --port when the port is in use', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const dev = startDev(['--port', String(port)]);
      expect(await dev.status).toBe(2);
      expect(dev.out).toEqual([]);
      expect(dev.err).toHaveLength(1);
      expect(dev.err[0]).toMatch(new RegExp(`^auditwire: port ${port} is already in use.*--port`));
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('exits 2 for a bad --port or an unknown flag, and prints its help for --help', async () => {
    for (const args of [['--port', 'http'], ['--port', '70000'], ['--frobnicate']]) {
      const dev = startDev(args);
      expect(await dev.status).toBe(2);
      expect(dev.err).toHaveLength(1);
      expect(dev.err[0]).toMatch(/^auditwire: /);
    }
    const help = startDev(['--help']);
    expect(await help.status).toBe(0);
    expect(help.out.join('\n')).toMatch(/--port N[\s\S]*--host H[\s\S]*--file PATH[\s\S]*--quiet/);
  });
});

describe('auditwire dev (built CLI)', () => {
  beforeAll(() => {
    ensureCliBuilt();
  }, 120_000);

  it('prints the listening line, answers GET /_auditwire/events, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [cliPath, 'dev', '--port', '0'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const lines = createInterface({ input: child.stdout });
      const first = await new Promise<string>((resolve, reject) => {
        lines.once('line', resolve);
        child.once('exit', (code) => reject(new Error(`the CLI exited ${code} before printing`)));
      });
      const match = LISTENING.exec(first);
      expect(match).not.toBeNull();
      const url = (match as RegExpExecArray)[1] as string;
      const response = await fetch(`${url}/_auditwire/events`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ events: [], nextCursor: null, total: 0 });

      // The built package's client, through each adapter, to the built CLI's server: all four formats served.
      const { AuditsClient } = (await import(pathToFileURL(`${repoRoot}dist/index.js`).href)) as typeof import('../../../src/index.js');
      const configs = [
        { adapter: 'auditlog', apiKey: 'dev:dev' },
        { adapter: 'retraced', apiKey: 'dev', projectId: 'dev' },
        { adapter: 'logzab', apiKey: 'dev' },
        { adapter: 'frontegg', clientId: 'dev', apiKey: 'dev' },
      ] as const;
      for (const config of configs) {
        const client = new AuditsClient({ ...config, endpoint: url, verify: 'require', flushIntervalMs: 0 });
        const receipt = await client.sendAudit({ id: `via-${config.adapter}`, action: 'user.login', crud: 'r', tenant: { id: 't' }, actor: { id: 'u' } });
        await client.close();
        expect(receipt.verified).toBe(true);
      }
      const stored = (await (await fetch(`${url}/_auditwire/events`)).json()) as { events: Array<{ format: string; eventId: string }> };
      expect(stored.events.map((event) => [event.format, event.eventId])).toEqual(configs.map((config) => [config.adapter, `via-${config.adapter}`]));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
