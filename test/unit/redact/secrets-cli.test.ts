import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runSend } from '../../../src/cli/send-command.js';
import { leaksIn, startEchoServer, type EchoServer } from '../../helpers/echo-server.js';

// `auditwire send` against a server that echoes the request: no credential on stdout, stderr or in the failures
// file, for every adapter (issue 12, item 7; the CLI and the library share one redaction module).

const TOKEN = 'cli-tok"en\\-issued-4711';
const CASES = [
  { adapter: 'auditlog', apiKey: 'consumer-1:cli-se"cr\\et-8080', flags: [], secrets: ['consumer-1:cli-se"cr\\et-8080', 'cli-se"cr\\et-8080'] },
  { adapter: 'retraced', apiKey: 'cli-rt"tok\\en-99', flags: ['--project-id', 'p1'], secrets: ['cli-rt"tok\\en-99'] },
  { adapter: 'logzab', apiKey: 'cli-lz"key\\é-77', flags: [], secrets: ['cli-lz"key\\é-77'] },
  { adapter: 'frontegg', apiKey: 'cli-fe"key\\-55', flags: ['--client-id', 'cli-client-1'], secrets: ['cli-fe"key\\-55', TOKEN] },
] as const;

let server: EchoServer;
let dir: string;

beforeAll(async () => {
  server = await startEchoServer(TOKEN);
  dir = mkdtempSync(join(tmpdir(), 'auditwire-secrets-cli-'));
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  for (const name of ['AUDITWIRE_ENDPOINT', 'AUDITWIRE_API_KEY', 'AUDITWIRE_ADAPTER', 'AUDITWIRE_PROJECT_ID', 'FRONTEGG_CLIENT_ID', 'FRONTEGG_API_KEY', 'FRONTEGG_API_GATEWAY_URL']) {
    vi.stubEnv(name, undefined);
  }
  return () => vi.unstubAllEnvs();
});

describe.each(CASES)('auditwire send --adapter $adapter', ({ adapter, apiKey, flags, secrets }) => {
  it('prints and records the failure without any credential', async () => {
    const input = join(dir, `${adapter}.jsonl`);
    writeFileSync(input, `${JSON.stringify({ id: 'evt-cli', action: 'user.login', crud: 'c', tenant: { id: 't' }, actor: { id: 'u' } })}\n`);
    vi.stubEnv('AUDITWIRE_API_KEY', apiKey);
    const out: string[] = [];
    const err: string[] = [];
    const status = await runSend([input, '--adapter', adapter, '--endpoint', server.url, ...flags], { out: (line) => out.push(line), err: (line) => err.push(line), cwd: dir });
    expect(status).toBe(1);
    const failures = readFileSync(`${input}.failed.jsonl`, 'utf8') + readFileSync(`${input}.failed.jsonl.errors.jsonl`, 'utf8');
    expect(failures).toContain('cannot accept');
    expect(leaksIn([...out, ...err, failures].join('\n'), secrets)).toEqual([]);
  }, 60_000);
});
