import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli } from '../helpers/cli.js';
import { tempDir } from './ledger-fixture.js';

beforeAll(() => ensureCliBuilt(), 120_000);

describe('auditwire ledger', () => {
  it('keygen writes a PKCS#8 key and a signed-note verifier key, and never overwrites them', () => {
    const prefix = join(tempDir(), 'k');
    const made = runCli(['ledger', 'keygen', '--origin', 'example.com/cli', '--out', prefix]);
    expect(made.status).toBe(0);
    expect(made.stdout).toMatch(/^wrote .*k\.key \(private: the client's ledger\.signingKey\) and .*k\.pub \(public: example\.com\/cli\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}\)\n$/);
    expect(made.stdout).not.toContain('PRIVATE KEY');
    const again = runCli(['ledger', 'keygen', '--origin', 'example.com/cli', '--out', prefix]);
    expect(again.stderr).toMatch(/exists already; choose another --out/);
    expect(again.status).toBe(2);
  });

  it.each([
    [['ledger', 'keygen'], /keygen needs --origin ORIGIN/],
    [['ledger', 'keygen', '--origin', 'has space'], /origin must be a non-empty name without spaces or "\+"/],
    [['ledger', 'verify', '/nonexistent-ledger', '--public-key', 'x.pub'], /is not a ledger directory/],
    [['ledger', 'prove', '/nonexistent-ledger'], /is not a ledger directory/],
    [['ledger', 'reconcile', '/nonexistent-ledger', '--export', 'x'], /is not a ledger directory/],
    [['ledger', 'frobnicate'], /unknown ledger command "frobnicate"/],
  ])('exits 2 on bad input: %j', (args, message) => {
    const result = runCli(args);
    expect(result.stderr).toMatch(message);
    expect(result.status).toBe(2);
  });

  it('exits 2 for a public key file that is not a verifier key', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'records.log'), '');
    writeFileSync(join(dir, 'bad.pub'), 'not a key\n');
    const result = runCli(['ledger', 'verify', dir, '--public-key', join(dir, 'bad.pub')]);
    expect(result.stderr).toMatch(/bad\.pub: a verifier key is <name>\+<8 hex digits>\+<base64 key>/);
    expect(result.status).toBe(2);
  });

  it('exits 1 when asked to prove an id the ledger has no checkpoint for', () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'records.log'), '');
    const result = runCli(['ledger', 'prove', dir, '--id', 'nope']);
    expect(result.stderr).toMatch(/has no checkpoint yet/);
    expect(result.status).toBe(1);
  });
});
