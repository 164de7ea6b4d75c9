import { canonicalJson } from '../hash/canonical-json.js';
import { parseCheckpoint } from './checkpoint.js';
import { LedgerRecordSchema } from './ledger-record.js';
import { leafHash } from './merkle-hash.js';
import type { NoteVerifier } from './note-key.js';
import type { RecordProof } from './prove-record.js';
import { openNote } from './signed-note.js';
import { verifyInclusion } from './verify-proof.js';

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
  const leaf = leafHash(canonicalJson(record.data));
  return verifyInclusion(leaf, proof.leafIndex, proof.treeSize, path, checkpoint.root) ? undefined : 'the inclusion proof does not lead to the checkpoint root';
}
