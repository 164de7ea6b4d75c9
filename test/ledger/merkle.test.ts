import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leafHash } from '../../src/ledger/merkle-hash.js';
import { MerkleFrontier } from '../../src/ledger/merkle-frontier.js';
import { consistencyRanges, inclusionRanges } from '../../src/ledger/proof-ranges.js';
import { RangeHasher } from '../../src/ledger/range-hasher.js';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/verify-proof.js';
import { consistency, mth, naiveLeaf, path } from './naive-tree.js';

const leavesOf = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => naiveLeaf(`leaf ${i}`));

function hashRanges(ranges: ReturnType<typeof inclusionRanges>, leaves: readonly Buffer[]): Buffer[] {
  const hasher = new RangeHasher(ranges);
  leaves.forEach((leaf, index) => hasher.add(index, leaf));
  return hasher.hashes();
}

describe('merkle hashing', () => {
  it('hashes a leaf as SHA-256 of 0x00 and its bytes', () => {
    expect(leafHash('leaf 0').equals(naiveLeaf('leaf 0'))).toBe(true);
  });

  it('gives the frontier the root of the naive tree at every size from 0 to 70', () => {
    const leaves = leavesOf(70);
    const frontier = new MerkleFrontier();
    for (let n = 0; n <= 70; n++) {
      expect(frontier.root().toString('hex'), `size ${n}`).toBe(mth(leaves.slice(0, n)).toString('hex'));
      if (n < 70) frontier.append(leaves[n] as Buffer);
    }
  });

  it('computes the same inclusion proofs as RFC 6962 PATH, and they verify', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 90 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }))), ([n, m]) => {
        const leaves = leavesOf(n);
        const proof = hashRanges(inclusionRanges(m, n), leaves);
        expect(proof.map((h) => h.toString('hex'))).toEqual(path(m, leaves).map((h) => h.toString('hex')));
        expect(verifyInclusion(leaves[m] as Buffer, m, n, proof, mth(leaves))).toBe(true);
      }),
    );
  });

  it('computes the same consistency proofs as RFC 6962 PROOF, and they verify', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 90 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n))), ([m, n]) => {
        const leaves = leavesOf(n);
        const proof = hashRanges(consistencyRanges(m, n), leaves);
        expect(proof.map((h) => h.toString('hex'))).toEqual(consistency(m, leaves).map((h) => h.toString('hex')));
        expect(verifyConsistency(m, n, proof, mth(leaves.slice(0, m)), mth(leaves))).toBe(true);
      }),
    );
  });

  it('rejects an inclusion proof with any hash, index or size changed', () => {
    const leaves = leavesOf(13);
    const root = mth(leaves);
    const proof = path(5, leaves);
    const flipped = proof.map((hash, i) => (i === 2 ? Buffer.from(hash.map((byte, j) => (j === 0 ? byte ^ 1 : byte))) : hash));
    expect(verifyInclusion(leaves[5] as Buffer, 5, 13, flipped, root)).toBe(false);
    expect(verifyInclusion(leaves[5] as Buffer, 6, 13, proof, root)).toBe(false);
    expect(verifyInclusion(leaves[5] as Buffer, 5, 8, proof, root)).toBe(false);
    expect(verifyInclusion(leaves[5] as Buffer, 5, 13, proof.slice(1), root)).toBe(false);
    expect(verifyInclusion(leaves[5] as Buffer, 5, 13, [...proof, root], root)).toBe(false);
  });

  it('rejects a consistency proof between trees that differ in an old leaf', () => {
    const leaves = leavesOf(20);
    const rewritten = [...leaves];
    rewritten[3] = naiveLeaf('edited');
    const proof = consistency(7, leaves);
    expect(verifyConsistency(7, 20, proof, mth(rewritten.slice(0, 7)), mth(leaves))).toBe(false);
    expect(verifyConsistency(7, 20, proof, mth(leaves.slice(0, 7)), mth(rewritten))).toBe(false);
  });

  it('refuses proof ranges for a leaf outside the tree', () => {
    expect(() => inclusionRanges(5, 5)).toThrow(RangeError);
    expect(() => consistencyRanges(6, 5)).toThrow(RangeError);
  });
});
