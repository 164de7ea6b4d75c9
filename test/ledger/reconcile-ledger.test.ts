import { describe, expect, it } from 'vitest';
import { hashEvent, retracedHash } from '../../src/index.js';
import { openLedger } from '../../src/ledger/ledger.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { reconcileLedger, type ExportItem, type ReconcileFinding } from '../../src/ledger/reconcile-ledger.js';
import { keys, ORIGIN, tempDir } from './ledger-fixture.js';

const body = (i: number) => ({ action: 'invoice.paid', uuid: `evt-${i}`, amount: i });

async function ledgerOf(ids: number[], hashOf: (i: number) => string = (i) => hashEvent(body(i))): Promise<string> {
  const dir = tempDir();
  const ledger = await openLedger({ dir, signingKey: keys().privateKey, origin: ORIGIN });
  for (const i of ids) {
    const record: LedgerRecord = { id: `evt-${i}`, hash: hashOf(i), verified: true, adapter: 'auditlog', time: '2026-01-01T00:00:00Z', ackedAt: '2026-01-01T00:00:01Z' };
    ledger.append(record);
  }
  await ledger.close();
  return dir;
}

async function* exportOf(items: unknown[]): AsyncGenerator<ExportItem> {
  for (const [index, value] of items.entries()) yield { where: `line ${index + 1}`, ok: true, value };
}

const stored = (i: number, changes: Record<string, unknown> = {}) => ({ format: 'auditlog', serverId: `srv-${i}`, eventId: `evt-${i}`, hash: 'not trusted', body: { ...body(i), ...changes } });

async function findings(dir: string, items: unknown[], recordsPerBucket?: number): Promise<ReconcileFinding[]> {
  const found: ReconcileFinding[] = [];
  await reconcileLedger(dir, exportOf(items), (finding) => found.push(finding), recordsPerBucket === undefined ? {} : { recordsPerBucket });
  return found.sort((a, b) => `${a.kind}${a.id}`.localeCompare(`${b.kind}${b.id}`));
}

describe('reconcileLedger', () => {
  it('finds nothing when the export holds every event unchanged, in any order, duplicates included', async () => {
    const dir = await ledgerOf([1, 2, 3]);
    expect(await findings(dir, [stored(3), stored(1), stored(2), stored(1)])).toEqual([]);
  });

  it('recomputes the hash from the stored body and never trusts the exported hash', async () => {
    const dir = await ledgerOf([1, 2]);
    const result = await findings(dir, [stored(1), { ...stored(2, { amount: 999 }), hash: hashEvent(body(2)) }]);
    expect(result).toEqual([{ kind: 'altered', id: 'evt-2', message: expect.stringMatching(/^evt-2: the stored event \(line 2\) hashes to [0-9a-f]{64}, the ledger \(record 1\) says /) }]);
  });

  it('reports missing, altered and unknown events the same way across many buckets', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => i);
    const dir = await ledgerOf(ids);
    const exported = [...ids.filter((i) => i !== 7 && i !== 30).map((i) => (i === 12 || i === 25 ? stored(i, { action: 'x' }) : stored(i))), stored(99)];
    for (const perBucket of [1_000, 3]) {
      const result = await findings(dir, exported, perBucket);
      expect(result.map((finding) => `${finding.kind} ${finding.id}`)).toEqual(['altered evt-12', 'altered evt-25', 'missing evt-30', 'missing evt-7', 'unknown evt-99']);
    }
  });

  it('hashes Retraced events with the Retraced formula under the server id', async () => {
    const event = { action: 'invoice.paid', crud: 'u', external_id: 'evt-1', actor: { id: 'user-1' } };
    const dir = await ledgerOf([1], () => retracedHash(event, 'a'.repeat(32)));
    expect(await findings(dir, [{ format: 'retraced', serverId: 'a'.repeat(32), eventId: 'evt-1', body: event }])).toEqual([]);
    const moved = await findings(dir, [{ format: 'retraced', serverId: 'b'.repeat(32), eventId: 'evt-1', body: event }]);
    expect(moved.map((finding) => finding.kind)).toEqual(['altered']);
  });

  it('reports an export entry that is not a stored event, with where it is', async () => {
    const dir = await ledgerOf([1]);
    const result = await findings(dir, [stored(1), { format: 'auditlog' }, 42]);
    expect(result).toEqual([
      { kind: 'unreadable', message: 'line 2: has no "eventId" string' },
      { kind: 'unreadable', message: 'line 3: is not an object' },
    ]);
  });
});
