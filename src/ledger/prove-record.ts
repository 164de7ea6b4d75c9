import { readFile } from 'node:fs/promises';
import { parseCheckpoint } from './checkpoint.js';
import { ledgerPaths } from './ledger-files.js';
import { parseRecordLine, type LedgerRecord } from './ledger-record.js';
import { readLines } from './line-reader.js';
import { leafHash } from './merkle-hash.js';
import { MerkleFrontier } from './merkle-frontier.js';
import { inclusionRanges } from './proof-ranges.js';
import { RangeHasher } from './range-hasher.js';

/**
 * What `auditwire ledger prove` prints (spec/LEDGER.md "Proof"): enough for an auditor to check, without the
 * ledger, that `record` is leaf `leafIndex` of the tree the signed `checkpoint` commits to.
 */
export interface RecordProof {
  readonly record: LedgerRecord;
  readonly leafIndex: number;
  readonly treeSize: number;
  /** The RFC 6962 inclusion proof, base64 SHA-256 hashes, nearest the leaf first. */
  readonly proof: readonly string[];
  /** The signed checkpoint note the proof leads to. */
  readonly checkpoint: string;
}

/** Why no proof could be made: the id is unknown, not yet under a checkpoint, or the ledger disagrees with it. */
export class ProofUnavailableError extends Error {
  override readonly name = 'ProofUnavailableError';
}

/**
 * The inclusion proof of the first record with `id`, against the latest checkpoint. Two streaming passes over
 * `records.log` (find the leaf, then hash the O(log n) subtrees the proof names): constant memory.
 */
export async function proveRecord(dir: string, id: string): Promise<RecordProof> {
  const paths = ledgerPaths(dir);
  let note: string;
  try {
    note = await readFile(paths.latest, 'utf8');
  } catch {
    throw new ProofUnavailableError(`${dir} has no checkpoint yet`);
  }
  const checkpoint = parseCheckpoint(note.slice(0, note.indexOf('\n\n') + 1));
  let found: { index: number; record: LedgerRecord } | undefined;
  let index = 0;
  for await (const line of readLines(paths.records)) {
    if (index >= checkpoint.size) break;
    const parsed = parseRecordLine(line.text);
    if (parsed.ok && parsed.record.id === id) {
      found = { index, record: parsed.record };
      break;
    }
    index++;
  }
  if (found === undefined) {
    throw new ProofUnavailableError(`no record with id ${JSON.stringify(id)} among the ${checkpoint.size} records of the latest checkpoint`);
  }
  const hasher = new RangeHasher(inclusionRanges(found.index, checkpoint.size));
  const frontier = new MerkleFrontier();
  for await (const line of readLines(paths.records)) {
    if (frontier.size >= checkpoint.size) break;
    const parsed = parseRecordLine(line.text);
    const leaf = leafHash(parsed.ok ? parsed.json : line.text.slice(9));
    hasher.add(frontier.size, leaf);
    frontier.append(leaf);
  }
  // A proof from a ledger that no longer matches its checkpoint would not verify: say why here instead.
  if (frontier.size < checkpoint.size || !frontier.root().equals(checkpoint.root)) {
    throw new ProofUnavailableError('the records do not match the latest checkpoint (run auditwire ledger verify)');
  }
  return {
    record: found.record,
    leafIndex: found.index,
    treeSize: checkpoint.size,
    proof: hasher.hashes().map((hash) => hash.toString('base64')),
    checkpoint: note,
  };
}
