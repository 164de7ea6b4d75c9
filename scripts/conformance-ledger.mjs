// The ledger vectors (spec/vectors/ledger.json) through the TypeScript implementation (dist/), for
// scripts/conformance.mjs: each returns the values its vector's `expect` names.
import { canonicalJson, checkRecordProof, ledgerLeafHash, MerkleFrontier, openCheckpoint, parseVerifierKey, verifyConsistency, verifyInclusion } from '../dist/index.js';
import { readFileSync } from 'node:fs';

const suite = JSON.parse(readFileSync(new URL('../spec/vectors/ledger.json', import.meta.url), 'utf8'));
const b = (text) => Buffer.from(text, 'base64');
const leaves = suite.vectors.filter((vector) => vector.check === 'leaf').map((vector) => ledgerLeafHash(vector.record));

export function runLedgerVector(vector) {
  try {
    switch (vector.check) {
      case 'leaf':
        return { canonical: canonicalJson(vector.record), leafHash: ledgerLeafHash(vector.record).toString('base64') };
      case 'root': {
        const frontier = new MerkleFrontier();
        for (const leaf of leaves.slice(0, vector.size)) frontier.append(leaf);
        return { root: frontier.root().toString('base64') };
      }
      case 'inclusion':
        return { valid: verifyInclusion(b(vector.leafHash), vector.leafIndex, vector.treeSize, vector.proof.map(b), b(vector.root)) };
      case 'consistency':
        return { valid: verifyConsistency(vector.oldSize, vector.newSize, vector.proof.map(b), b(vector.oldRoot), b(vector.newRoot)) };
      case 'checkpoint': {
        let checkpoint;
        try {
          checkpoint = openCheckpoint(vector.note, parseVerifierKey(vector.publicKey));
        } catch {
          return { valid: false };
        }
        return { valid: true, origin: checkpoint.origin, size: checkpoint.size, root: checkpoint.root.toString('base64') };
      }
      case 'prove':
        return { valid: checkRecordProof(vector.document, parseVerifierKey(vector.publicKey)) === undefined };
      default:
        return { error: `unknown check ${vector.check}` };
    }
  } catch (error) {
    return { error: `unexpected: ${error}` };
  }
}
