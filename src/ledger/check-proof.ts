import { canonicalJson } from '../hash/canonical-json.js';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { LedgerRecordSchema, type LedgerRecord } from './ledger-record.js';
import { leafHash } from './merkle-hash.js';
import type { NoteVerifier } from './note-key.js';
import type { RecordProof } from './prove-record.js';
import { openNote } from './signed-note.js';
import { verifyInclusion } from './verify-proof.js';

/** The leaf hash of a ledger record: SHA-256(0x00 || its RFC 8785 canonical JSON). */
export function ledgerLeafHash(record: LedgerRecord): Buffer {
  return leafHash(canonicalJson(record));
}

/** The checkpoint a signed note carries, if `verifier` signed it; throws a RangeError saying why not. */
export function openCheckpoint(note: string, verifier: NoteVerifier): Checkpoint {
  const opened = openNote(note, verifier);
  if (!opened.ok) throw new RangeError(opened.reason);
  return parseCheckpoint(opened.text);
}

/**
 * What an auditor does with `ledger prove` output: the checkpoint is signed by `verifier`, and the record's leaf
 * hash with the proof leads to its root. Resolves to the reason it fails, or undefined when the proof holds.
 */
export function checkRecordProof(proof: RecordProof, verifier: NoteVerifier): string | undefined {
  const opened = openNote(proof.checkpoint, verifier);
  if (!opened.ok) return opened.reason;
  const checkpoint = parseCheckpoint(opened.text);
  if (checkpoint.size !== proof.treeSize) return `the checkpoint is of size ${checkpoint.size}, the proof of size ${proof.treeSize}`;
  const record = LedgerRecordSchema.safeParse(proof.record);
  if (!record.success) return 'the record is not a ledger record';
  const path = proof.proof.map((hash) => Buffer.from(hash, 'base64'));
  if (path.some((hash) => hash.length !== 32)) return 'a proof hash is not base64 of 32 bytes';
  const leaf = ledgerLeafHash(record.data);
  return verifyInclusion(leaf, proof.leafIndex, proof.treeSize, path, checkpoint.root) ? undefined : 'the inclusion proof does not lead to the checkpoint root';
}
