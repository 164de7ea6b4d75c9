import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointLine } from '../../src/ledger/checkpoint-log.js';
import { formatCheckpoint } from '../../src/ledger/checkpoint.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { canonicalRecord, recordLine } from '../../src/ledger/ledger-record.js';
import { leafHash } from '../../src/ledger/merkle-hash.js';
import { MerkleFrontier } from '../../src/ledger/merkle-frontier.js';
import { loadSigner } from '../../src/ledger/note-key.js';
import { signNote } from '../../src/ledger/signed-note.js';
import { verifyLedger, type LedgerProblem } from '../../src/ledger/verify-ledger.js';
import { keys, ORIGIN, record, tempDir } from './ledger-fixture.js';

async function fiveRecordLedger() {
  const dir = tempDir();
  const pair = keys();
  const ledger = await openLedger({ dir, signingKey: pair.privateKey, origin: ORIGIN });
  for (let i = 0; i < 5; i++) ledger.append(record(i));
  await ledger.close();
  const frontier = new MerkleFrontier();
  for (let i = 0; i < 3; i++) frontier.append(leafHash(canonicalRecord(record(i))));
  // A genuine, correctly signed checkpoint of the first 3 records (what an older snapshot would carry).
  const older = signNote(formatCheckpoint({ origin: ORIGIN, size: 3, root: frontier.root() }), loadSigner(pair.privateKey, ORIGIN));
  return { dir, verifier: pair.verifier, older };
}

async function problemsOf(dir: string, verifier: Parameters<typeof verifyLedger>[1]): Promise<LedgerProblem[]> {
  const problems: LedgerProblem[] = [];
  await verifyLedger(dir, verifier, (problem) => problems.push(problem));
  return problems;
}

describe('verifyLedger', () => {
  it('reports a checkpoint smaller than the one before as a rollback', async () => {
    const { dir, verifier, older } = await fiveRecordLedger();
    appendFileSync(join(dir, 'checkpoints.log'), checkpointLine(older));
    const problems = await problemsOf(dir, verifier);
    expect(problems[0]).toEqual({ where: 'checkpoint 2', message: "tree size 3 is smaller than checkpoint 1's 5: the ledger was rolled back" });
  });

  it('reports a checkpoint file that is not the last checkpoint', async () => {
    const { dir, verifier, older } = await fiveRecordLedger();
    writeFileSync(join(dir, 'checkpoint'), older);
    expect(await problemsOf(dir, verifier)).toEqual([{ where: 'checkpoint file', message: 'tree size 3 is not the last checkpoint of checkpoints.log' }]);
  });

  it('accepts an older genuine checkpoint placed before the newer one', async () => {
    const { dir, verifier, older } = await fiveRecordLedger();
    const path = join(dir, 'checkpoints.log');
    writeFileSync(path, checkpointLine(older) + readFileSync(path, 'utf8'));
    expect(await problemsOf(dir, verifier)).toEqual([]);
  });

  it('reports a record line with an escaped lone surrogate as a problem, without failing the run', async () => {
    // Regression: the line's JSON passed the schema, and the canonical-form check then threw out of verifyLedger.
    const { dir, verifier } = await fiveRecordLedger();
    const path = join(dir, 'records.log');
    const lines = readFileSync(path, 'utf8').split('\n');
    const json = (lines[1] as string).slice(9).replace('"serverId":"srv-1"', '"serverId":"srv-\\ud800"');
    lines[1] = recordLine(json).slice(0, -1);
    writeFileSync(path, lines.join('\n'));
    const problems = await problemsOf(dir, verifier);
    expect(problems[0]).toEqual({ where: 'record 1', message: expect.stringMatching(/^line 2 of records.log: not a ledger record \(serverId: contains a lone surrogate/) });
  });

  it('reports an empty directory as having no checkpoint', async () => {
    const dir = tempDir();
    expect(await problemsOf(dir, keys().verifier)).toEqual([{ where: 'checkpoints.log', message: `no checkpoint signed by ${ORIGIN}` }]);
  });
});
