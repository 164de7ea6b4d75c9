import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { LedgerDamagedError } from '../../src/ledger/ledger-scan.js';
import { nodeJournalIo } from '../../src/spool/journal-io.js';
import { verifyLedger, type LedgerProblem } from '../../src/ledger/verify-ledger.js';
import { keys, ORIGIN, record, tempDir } from './ledger-fixture.js';

async function problemsOf(dir: string, verifier: ReturnType<typeof keys>['verifier']): Promise<LedgerProblem[]> {
  const problems: LedgerProblem[] = [];
  await verifyLedger(dir, verifier, (problem) => problems.push(problem));
  return problems;
}

describe('openLedger', () => {
  it('writes records and a signed checkpoint at close that verify', async () => {
    const dir = tempDir();
    const { privateKey, verifier } = keys();
    const ledger = await openLedger({ dir, signingKey: privateKey, origin: ORIGIN });
    for (let i = 0; i < 25; i++) ledger.append(record(i));
    await ledger.close();
    expect(ledger.stats()).toMatchObject({ size: 25, checkpointed: 25, pending: 0, lost: 0 });
    const checkpoint = readFileSync(join(dir, 'checkpoint'), 'utf8');
    expect(checkpoint).toMatch(new RegExp(`^${ORIGIN}\\n25\\n[A-Za-z0-9+/]{43}=\\n\\n\u2014 ${ORIGIN} [A-Za-z0-9+/]+=*\\n$`));
    const summary = await verifyLedger(dir, verifier, () => undefined);
    expect(summary).toEqual({ records: 25, checkpoints: 1, checkpointed: 25, problems: 0 });
  });

  it('continues the same tree after a reopen, each checkpoint consistent with the last', async () => {
    const dir = tempDir();
    const { privateKey, verifier } = keys();
    for (let round = 0; round < 3; round++) {
      const ledger = await openLedger({ dir, signingKey: privateKey, origin: ORIGIN });
      for (let i = 0; i < 7; i++) ledger.append(record(round * 7 + i));
      await ledger.checkpoint();
      await ledger.close();
    }
    expect(await problemsOf(dir, verifier)).toEqual([]);
    const summary = await verifyLedger(dir, verifier, () => undefined);
    expect(summary).toMatchObject({ records: 21, checkpoints: 3 });
  });

  it('signs a checkpoint every checkpointIntervalMs while records arrive', async () => {
    const dir = tempDir();
    const { privateKey } = keys();
    const ledger = await openLedger({ dir, signingKey: privateKey, origin: ORIGIN, checkpointIntervalMs: 20 });
    ledger.append(record(0));
    await ledger.flush();
    // A real interval timer: the loop is bounded by the attempts, not by time.
    for (let attempt = 0; attempt < 100 && ledger.stats().checkpointed === 0; attempt++) await new Promise((r) => setTimeout(r, 10));
    expect(ledger.stats().checkpointed).toBe(1);
    await ledger.close();
  });

  it('cuts a torn last line on reopen and keeps every complete record', async () => {
    const dir = tempDir();
    const { privateKey, verifier } = keys();
    const first = await openLedger({ dir, signingKey: privateKey, origin: ORIGIN });
    for (let i = 0; i < 5; i++) first.append(record(i));
    await first.close();
    appendFileSync(join(dir, 'records.log'), '0badc0de {"id":"half-writ');
    const second = await openLedger({ dir, signingKey: privateKey, origin: ORIGIN });
    second.append(record(5));
    await second.close();
    expect(second.stats().size).toBe(6);
    expect(await problemsOf(dir, verifier)).toEqual([]);
  });

  it('refuses to append to a ledger whose records no longer match its last checkpoint', async () => {
    const dir = tempDir();
    const { privateKey } = keys();
    const ledger = await openLedger({ dir, signingKey: privateKey, origin: ORIGIN });
    for (let i = 0; i < 4; i++) ledger.append(record(i));
    await ledger.close();
    const path = join(dir, 'records.log');
    writeFileSync(path, readFileSync(path, 'utf8').split('\n').slice(0, 2).join('\n') + '\n');
    await expect(openLedger({ dir, signingKey: privateKey, origin: ORIGIN })).rejects.toThrow(LedgerDamagedError);
  });

  it('refuses a second writer on the same directory', async () => {
    const dir = tempDir();
    const { privateKey } = keys();
    const ledger = await openLedger({ dir, signingKey: privateKey, origin: ORIGIN });
    await expect(openLedger({ dir, signingKey: privateKey, origin: ORIGIN })).rejects.toThrow(/in use/);
    await ledger.close();
  });

  it('validates its options without ever quoting the signing key', async () => {
    const secret = '-----BEGIN PRIVATE KEY-----\nNOTAREALKEYbutSECRET\n-----END PRIVATE KEY-----\n';
    const error = await openLedger({ dir: '', signingKey: secret, origin: 'has space', checkpointIntervalMs: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const text = `${String(error)} ${JSON.stringify(error)} ${(error as ValidationError).stack ?? ''}`;
    expect(text).not.toContain('SECRET');
    expect((error as ValidationError).issues.map((issue) => issue.path).sort()).toEqual(['ledger.checkpointIntervalMs', 'ledger.dir', 'ledger.origin', 'ledger.signingKey']);
    const rsa = await openLedger({ dir: tempDir(), signingKey: secret, origin: ORIGIN }).catch((e: unknown) => e);
    expect((rsa as ValidationError).issues).toEqual([{ path: 'ledger.signingKey', message: expect.stringContaining('is not a PKCS#8 PEM private key') }]);
    expect(JSON.stringify(rsa)).not.toContain('SECRET');
  });

  it('refuses a record that is not a ledger record', async () => {
    const dir = tempDir();
    const ledger = await openLedger({ dir, signingKey: keys().privateKey, origin: ORIGIN });
    expect(() => ledger.append({ ...record(0), hash: 'nothex' })).toThrow(ValidationError);
    await ledger.close();
  });

  it('refuses a record with a lone surrogate at append, and keeps writing the records after it', async () => {
    // Regression: such a record passed the schema, then made the group write throw before it began, and every
    // later write was chained behind that rejection: the ledger silently stopped recording, with nothing counted.
    const dir = tempDir();
    const { privateKey, verifier } = keys();
    const ledger = await openLedger({ dir, signingKey: privateKey, origin: ORIGIN });
    ledger.append(record(0));
    expect(() => ledger.append({ ...record(1), serverId: 'srv-\ud800' })).toThrow(ValidationError);
    await ledger.flush();
    ledger.append(record(2));
    await ledger.close();
    expect(ledger.stats()).toMatchObject({ size: 2, checkpointed: 2, lost: 0 });
    expect(await verifyLedger(dir, verifier, () => undefined)).toMatchObject({ records: 2, problems: 0 });
  });

  it('counts every record that waited behind a failed write as lost, and says so once', async () => {
    // Regression: a write queued behind the failed one was chained to its rejection and never ran, so the records
    // it would have taken were neither written nor counted.
    const dir = tempDir();
    const failures: Error[] = [];
    const ledger = await openLedger({ dir, signingKey: keys().privateKey, origin: ORIGIN }, { failed: (error) => failures.push(error) });
    const append = vi.spyOn(nodeJournalIo, 'append').mockRejectedValueOnce(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    try {
      ledger.append(record(0));
      const first = ledger.flush();
      ledger.append(record(1));
      const second = ledger.flush();
      await expect(first).rejects.toThrow(/no space left on device/);
      await expect(second).rejects.toThrow(/no space left on device/);
      ledger.append(record(2));
      expect(ledger.stats()).toMatchObject({ size: 0, pending: 0, lost: 3 });
      expect(failures).toHaveLength(1);
    } finally {
      append.mockRestore();
      await ledger.close().catch(() => undefined);
    }
  });

  it('takes the record as it was at append, whatever the caller does with the object afterwards', async () => {
    const dir = tempDir();
    const { privateKey } = keys();
    const ledger = await openLedger({ dir, signingKey: privateKey, origin: ORIGIN });
    const appended = { ...record(3) };
    ledger.append(appended);
    appended.id = 'changed-after-append';
    await ledger.close();
    expect(readFileSync(join(dir, 'records.log'), 'utf8')).toContain('"id":"event-3"');
  });

  it('never writes the private key into the ledger directory', async () => {
    const dir = tempDir();
    const { privateKey } = keys();
    const ledger = await openLedger({ dir, signingKey: privateKey, origin: ORIGIN });
    ledger.append(record(1));
    await ledger.close();
    const body = privateKey.split('\n')[1] as string;
    for (const name of ['records.log', 'checkpoints.log', 'checkpoint']) expect(readFileSync(join(dir, name), 'utf8')).not.toContain(body.slice(0, 20));
  });
});
