import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, linesOf } from '../helpers/cli.js';
import { adapterOptions, FORMATS, SECRETS } from './chaos-harness.js';
import { lib, recordFigures, sized, testing } from './target.js';
import type { ReferenceServer } from '../../src/testing.js';

// The ledger end to end (issue 16 "Done means"): events of all four formats through the reference server with
// the ledger on; `ledger verify` passes; after the server alters 3 stored events and drops 2, `ledger reconcile`
// reports exactly those 5; an edited record, or a truncated ledger re-signed with another key, fails `verify`
// with where. 100,000 events under `npm run reliability`.

const PER_FORMAT = sized({ ci: 250, full: 25_000 });
const TIME_LIMIT_MS = sized({ ci: 60_000, full: 900_000 });
const ORIGIN = 'example.com/ledger-e2e';
const CHUNK = 1_000;

let work: string;
let server: ReferenceServer;
let ledgerDir: string;
let keyPrefix: string;
const figures: Record<string, number> = {};

function event(format: string, i: number) {
  return { id: `ledger-${format}-${i}`, action: 'invoice.paid', crud: 'u' as const, actor: { id: `user-${i % 97}` }, tenant: { id: 'acme' }, target: { id: `inv-${i}`, type: 'invoice' }, fields: { amount: String(i) } };
}

function runCliAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: TIME_LIMIT_MS, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }),
    );
  });
}

async function exportTo(path: string): Promise<void> {
  const response = await fetch(`${server.url}/_auditwire/export`);
  writeFileSync(path, await response.text());
}

/** Rewrites line `index` of a ledger's records.log with `edit`, keeping the checksum valid (a deliberate edit). */
function editRecord(dir: string, index: number, edit: (record: Record<string, unknown>) => void): void {
  const path = join(dir, 'records.log');
  const lines = readFileSync(path, 'utf8').split('\n');
  const record = JSON.parse((lines[index] as string).slice(9)) as Record<string, unknown>;
  edit(record);
  const json = lib.canonicalJson(record);
  lines[index] = `${crc32(json).toString(16).padStart(8, '0')} ${json}`;
  writeFileSync(path, lines.join('\n'));
}

function copyLedger(name: string): string {
  const copy = join(work, name);
  mkdirSync(copy);
  for (const file of ['records.log', 'checkpoints.log', 'checkpoint']) copyFileSync(join(ledgerDir, file), join(copy, file));
  return copy;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'auditwire-ledger-e2e-'));
  ledgerDir = join(work, 'ledger');
  keyPrefix = join(work, 'signing');
  expect((await runCliAsync(['ledger', 'keygen', '--origin', ORIGIN, '--out', keyPrefix])).status).toBe(0);
  server = await testing.createReferenceServer({ deduplicate: true });
  const started = performance.now();
  for (const format of FORMATS) {
    const client = new lib.AuditsClient({
      ...adapterOptions(format, server.url),
      ...(format === 'frontegg' ? { clientId: SECRETS.fronteggClientId, apiKey: SECRETS.fronteggSecret } : {}),
      verify: 'require',
      maxQueueSize: CHUNK * 2,
      ledger: { dir: ledgerDir, signingKey: readFileSync(`${keyPrefix}.key`, 'utf8'), origin: ORIGIN },
    });
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));
    for (let start = 0; start < PER_FORMAT; start += CHUNK) {
      const size = Math.min(CHUNK, PER_FORMAT - start);
      await client.sendAudits(Array.from({ length: size }, (_, i) => event(format, start + i)));
    }
    await client.close();
    expect(errors).toEqual([]);
  }
  figures.events = PER_FORMAT * FORMATS.length;
  figures.sendSeconds = (performance.now() - started) / 1000;
}, TIME_LIMIT_MS);

afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
  recordFigures('ledger', figures);
});

describe('the ledger end to end', () => {
  it('records every acknowledged event, and ledger verify passes', async () => {
    const started = performance.now();
    const result = await runCliAsync(['ledger', 'verify', ledgerDir, '--public-key', `${keyPrefix}.pub`]);
    figures.verifySeconds = (performance.now() - started) / 1000;
    figures.verifyRecordsPerSecond = Math.round((figures.events ?? 0) / figures.verifySeconds);
    expect(result.stderr).toBe('');
    // One checkpoint per client's close(), and more when a client ran past checkpointIntervalMs.
    const [, records, checkpoints] = /^(\d+) records, (\d+) checkpoints: intact\n$/.exec(result.stdout) ?? [];
    expect(Number(records)).toBe(figures.events);
    expect(Number(checkpoints)).toBeGreaterThanOrEqual(FORMATS.length);
    expect(result.status).toBe(0);
  }, TIME_LIMIT_MS);

  it('reconciles with the untouched export: every event accounted for', async () => {
    const path = join(work, 'export-clean.jsonl');
    await exportTo(path);
    const result = await runCliAsync(['ledger', 'reconcile', ledgerDir, '--export', path]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, TIME_LIMIT_MS);

  it('reports exactly the 3 altered and 2 dropped events after the server tampers with its store', async () => {
    const alter = ['ledger-auditlog-7', 'ledger-retraced-11', 'ledger-frontegg-3'];
    const drop = ['ledger-logzab-5', 'ledger-auditlog-42'];
    server.setFaults({ tamper: { alter, drop } });
    const path = join(work, 'export-tampered.jsonl');
    await exportTo(path);
    server.setFaults({});
    const started = performance.now();
    const result = await runCliAsync(['ledger', 'reconcile', ledgerDir, '--export', path]);
    figures.reconcileSeconds = (performance.now() - started) / 1000;
    const findings = linesOf(result.stderr).map((line) => line.slice(0, line.indexOf(':', line.indexOf(':') + 1)));
    expect(findings.sort()).toEqual([...alter.map((id) => `altered: ${id}`), ...drop.map((id) => `missing: ${id}`)].sort());
    expect(result.stdout).toContain('5 finding(s)');
    expect(result.status).toBe(1);
  }, TIME_LIMIT_MS);

  it('reads AuditLog.co events back from the vendor one by one (--fetch auditlog) and finds the altered and dropped ones', async () => {
    server.setFaults({ tamper: { alter: ['ledger-auditlog-7'], drop: ['ledger-auditlog-42', 'ledger-retraced-11'] } });
    try {
      // Asynchronously: the server answering the CLI runs in this process.
      const result = await runCliAsync(['ledger', 'reconcile', ledgerDir, '--fetch', 'auditlog', '--endpoint', server.url, '--api-key', SECRETS.auditlog]);
      const findings = linesOf(result.stderr).map((line) => line.slice(0, line.indexOf(':', line.indexOf(':') + 1)));
      // Only the AuditLog.co records are read back, so the dropped Retraced event is not among them.
      expect(findings.sort()).toEqual(['altered: ledger-auditlog-7', 'missing: ledger-auditlog-42']);
      expect(result.stdout).toContain(`${PER_FORMAT} ledger records, ${PER_FORMAT - 1} exported events: 2 finding(s)`);
      expect(result.stderr + result.stdout).not.toContain(SECRETS.auditlog);
      expect(result.status).toBe(1);
    } finally {
      server.setFaults({});
    }
  }, TIME_LIMIT_MS);

  it('reports an event the vendor holds that the ledger never saw', async () => {
    const path = join(work, 'export-extra.jsonl');
    await exportTo(path);
    const body = { action: 'forged.event', uuid: 'forged-1' };
    writeFileSync(path, `${readFileSync(path, 'utf8')}${JSON.stringify({ format: 'auditlog', serverId: 'x', eventId: 'forged-1', hash: '', body })}\n`);
    const result = await runCliAsync(['ledger', 'reconcile', ledgerDir, '--export', path]);
    expect(linesOf(result.stderr)).toEqual([expect.stringMatching(/^unknown: forged-1: /)]);
    expect(result.status).toBe(1);
  }, TIME_LIMIT_MS);

  it('fails verify after one record is edited (checksum kept valid), naming the checkpoint and record range', async () => {
    const copy = copyLedger('edited');
    editRecord(copy, 10, (record) => void (record.verified = false));
    const result = await runCliAsync(['ledger', 'verify', copy, '--public-key', `${keyPrefix}.pub`]);
    expect(result.status).toBe(1);
    // The first checkpoint covers record 10 (it holds at least the first client's records).
    expect(linesOf(result.stderr)[0]).toMatch(/^checkpoint 1: records 0\.\.(\d+) do not hash to its root: a record from 0 to \1 was changed, removed or inserted$/);
  }, TIME_LIMIT_MS);

  it('fails verify after one record is edited in place, naming the record', async () => {
    const copy = copyLedger('edited-raw');
    const path = join(copy, 'records.log');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"ledger-auditlog-3"', '"ledger-auditlog-X"'));
    const result = await runCliAsync(['ledger', 'verify', copy, '--public-key', `${keyPrefix}.pub`]);
    expect(result.status).toBe(1);
    expect(linesOf(result.stderr)[0]).toBe('record 3: line 4 of records.log: checksum mismatch (a torn or edited line)');
  }, TIME_LIMIT_MS);

  it('fails verify when the ledger is truncated and re-signed with another key', async () => {
    const copy = copyLedger('resigned');
    const path = join(copy, 'records.log');
    writeFileSync(path, readFileSync(path, 'utf8').split('\n').slice(0, 100).join('\n') + '\n');
    rmSync(join(copy, 'checkpoints.log'));
    rmSync(join(copy, 'checkpoint'));
    const forger = lib.generateLedgerKeys(ORIGIN);
    const forged = await lib.openLedger({ dir: copy, signingKey: forger.privateKey, origin: ORIGIN });
    await forged.close();
    const result = await runCliAsync(['ledger', 'verify', copy, '--public-key', `${keyPrefix}.pub`]);
    expect(result.status).toBe(1);
    expect(linesOf(result.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^checkpoint 1: no signature by the key ${ORIGIN}\\+[0-9a-f]{8}$`)),
      `checkpoints.log: no checkpoint signed by ${ORIGIN}`,
      expect.stringMatching(/^checkpoint file: no signature by the key/),
    ]);
  }, TIME_LIMIT_MS);

  it('fails verify when records are cut off under the original checkpoints', async () => {
    const copy = copyLedger('truncated');
    const path = join(copy, 'records.log');
    writeFileSync(path, readFileSync(path, 'utf8').split('\n').slice(0, 100).join('\n') + '\n');
    const result = await runCliAsync(['ledger', 'verify', copy, '--public-key', `${keyPrefix}.pub`]);
    expect(result.status).toBe(1);
    expect(linesOf(result.stderr)[0]).toMatch(/^checkpoint 1: covers \d+ records but records\.log holds 100: the ledger was truncated$/);
  }, TIME_LIMIT_MS);

  it('proves an event with a proof an auditor checks without the ledger', async () => {
    const result = await runCliAsync(['ledger', 'prove', ledgerDir, '--id', 'ledger-retraced-11']);
    expect(result.status).toBe(0);
    const proof = JSON.parse(result.stdout) as { record: { id: string }; leafIndex: number; treeSize: number; proof: string[]; checkpoint: string };
    expect(proof).toMatchObject({ record: { id: 'ledger-retraced-11', adapter: 'retraced', verified: true }, leafIndex: PER_FORMAT + 11, treeSize: figures.events });
    const file = join(work, 'proof.json');
    writeFileSync(file, result.stdout);
    expect((await runCliAsync(['ledger', 'check-proof', file, '--public-key', `${keyPrefix}.pub`])).status).toBe(0);
    writeFileSync(file, JSON.stringify({ ...proof, leafIndex: proof.leafIndex + 1 }));
    const forged = await runCliAsync(['ledger', 'check-proof', file, '--public-key', `${keyPrefix}.pub`]);
    expect(forged.stderr).toContain('the inclusion proof does not lead to the checkpoint root');
    expect(forged.status).toBe(1);
  }, TIME_LIMIT_MS);
});
