import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { generateLedgerKeys } from '../../src/ledger/ledger-keys.js';
import { parseVerifierKey } from '../../src/ledger/note-key.js';

export const ORIGIN = 'example.com/ledger-test';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'auditwire-ledger-'));
}

export function keys(origin = ORIGIN) {
  const pair = generateLedgerKeys(origin);
  return { ...pair, verifier: parseVerifierKey(pair.publicKey) };
}

export function record(i: number): LedgerRecord {
  return {
    id: `event-${i}`,
    hash: i.toString(16).padStart(64, '0'),
    serverId: `srv-${i}`,
    serverHash: i.toString(16).padStart(64, '0'),
    verified: true,
    adapter: 'auditlog',
    time: '2026-01-02T03:04:05.000Z',
    ackedAt: '2026-01-02T03:04:06.000Z',
  };
}
