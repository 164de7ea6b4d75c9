import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { BucketFiles } from './bucket-files.js';
import { ledgerPaths } from './ledger-files.js';
import { parseRecordLine } from './ledger-record.js';
import { readLines } from './line-reader.js';
import { storedEventHash } from './stored-event-hash.js';

/** One exported event, or why it could not be read, with where it is in the export (`line 7`). */
export type ExportItem = { readonly where: string } & ({ readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string });

export interface ReconcileFinding {
  /**
   * `missing`: in the ledger, not in the export; `altered`: in both, but the stored content no longer hashes to
   * the ledger's hash; `unknown`: in the export, never in the ledger; `unreadable`: an export entry that is not an
   * exported event.
   */
  readonly kind: 'missing' | 'altered' | 'unknown' | 'unreadable';
  /** The event id (absent for an unreadable entry). */
  readonly id?: string;
  readonly message: string;
}

export interface ReconcileSummary {
  readonly ledgerRecords: number;
  readonly exported: number;
  readonly findings: number;
}

/** Ledger records per bucket: a bucket's ids are what reconciling holds in memory at once. */
const RECORDS_PER_BUCKET = 200_000;

/**
 * Compares the ledger with the vendor's stored events. Both are partitioned by id into bucket files (a hash
 * join on disk), then matched one bucket at a time, so memory is bounded by a bucket, not by the ledger: 10
 * million records take 50 buckets of ~200,000 ids.
 *
 * An id the ledger holds several times (an event resent after a crash) must be stored with its hash at least
 * once; an id the export holds several times (a vendor that does not deduplicate) is fine while each copy hashes
 * to the ledger's hash.
 */
export async function reconcileLedger(
  dir: string,
  exported: AsyncIterable<ExportItem>,
  report: (finding: ReconcileFinding) => void,
  { recordsPerBucket = RECORDS_PER_BUCKET, adapter }: { recordsPerBucket?: number; /** Only the ledger's records of this adapter. */ adapter?: string } = {},
): Promise<ReconcileSummary> {
  const paths = ledgerPaths(dir);
  let records = 0;
  for await (const line of readLines(paths.records)) if (line.text !== '') records++;
  const bucketCount = Math.max(1, Math.ceil(records / recordsPerBucket));
  const bucketOf = (id: string): number => crc32(id) % bucketCount;
  const temp = await mkdtemp(join(tmpdir(), 'auditwire-reconcile-'));
  let findings = 0;
  const find = (finding: ReconcileFinding): void => {
    findings++;
    report(finding);
  };
  try {
    const ledgerBuckets = new BucketFiles(join(temp, 'ledger'), bucketCount);
    let index = 0;
    let considered = 0;
    for await (const line of readLines(paths.records)) {
      const parsed = parseRecordLine(line.text);
      if (parsed.ok && (adapter === undefined || parsed.record.adapter === adapter)) {
        considered++;
        ledgerBuckets.add(bucketOf(parsed.record.id), JSON.stringify([parsed.record.id, parsed.record.hash, index]));
      }
      index++;
    }
    await ledgerBuckets.close();
    const exportBuckets = new BucketFiles(join(temp, 'export'), bucketCount);
    let count = 0;
    for await (const item of exported) {
      count++;
      const stored = item.ok ? storedEventHash(item.value) : item.error;
      if (typeof stored === 'string') {
        find({ kind: 'unreadable', message: `${item.where}: ${stored}` });
        continue;
      }
      exportBuckets.add(bucketOf(stored.id), JSON.stringify([stored.id, stored.hash ?? null, item.where, stored.unreadable ?? null]));
    }
    await exportBuckets.close();
    for (let bucket = 0; bucket < bucketCount; bucket++) {
      await matchBucket(ledgerBuckets.path(bucket), exportBuckets.path(bucket), find);
    }
    return { ledgerRecords: considered, exported: count, findings };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

async function matchBucket(ledgerPath: string, exportPath: string, find: (finding: ReconcileFinding) => void): Promise<void> {
  // id -> the ledger's hash, its first record, and what the export showed of it
  const ledger = new Map<string, { hash: string; index: number; stored: boolean; altered: boolean }>();
  for await (const line of readLines(ledgerPath)) {
    const [id, hash, index] = JSON.parse(line.text) as [string, string, number];
    if (!ledger.has(id)) ledger.set(id, { hash, index, stored: false, altered: false });
  }
  for await (const line of readLines(exportPath)) {
    const [id, hash, where, unreadable] = JSON.parse(line.text) as [string, string | null, string, string | null];
    const entry = ledger.get(id);
    if (entry === undefined) {
      find({ kind: 'unknown', id, message: `${id}: stored by the vendor (${where}) but never in the ledger` });
    } else if (hash !== entry.hash) {
      const why = unreadable === null ? `hashes to ${hash ?? '?'}` : `cannot be hashed (${unreadable})`;
      find({ kind: 'altered', id, message: `${id}: the stored event (${where}) ${why}, the ledger (record ${entry.index}) says ${entry.hash}` });
      entry.altered = true;
    } else {
      entry.stored = true;
    }
  }
  for (const [id, entry] of ledger) {
    if (!entry.stored && !entry.altered) find({ kind: 'missing', id, message: `${id}: in the ledger (record ${entry.index}) but not stored by the vendor` });
  }
}
