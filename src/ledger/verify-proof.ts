import { timingSafeEqual } from 'node:crypto';
import { nodeHash } from './merkle-hash.js';

/*
 * Proof verification as RFC 9162 sections 2.1.3.2 and 2.1.4.2 write it (the RFC 6962 proofs, checked without
 * rebuilding the tree). Sizes are safe integers; "LSB" and the shifts use arithmetic, not 32-bit bit operators,
 * so trees past 2^31 leaves work.
 */

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/** Whether `proof` shows that `leaf` (a leaf hash) is leaf `index` of the tree of `size` leaves whose root is `root`. */
export function verifyInclusion(leaf: Buffer, index: number, size: number, proof: readonly Buffer[], root: Buffer): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && same(r, root);
}

/** Whether `proof` shows that the tree of `oldSize` leaves with root `oldRoot` is a prefix of the tree of `newSize` with `newRoot`. */
export function verifyConsistency(oldSize: number, newSize: number, proof: readonly Buffer[], oldRoot: Buffer, newRoot: Buffer): boolean {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0 || oldSize > newSize) return false;
  if (oldSize === newSize) return proof.length === 0 && same(oldRoot, newRoot);
  // Every tree extends the empty one; there is nothing to prove.
  if (oldSize === 0) return proof.length === 0;
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  if (path.length === 0) return false;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Buffer;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && same(fr, oldRoot) && same(sr, newRoot);
}

function isPowerOfTwo(n: number): boolean {
  let value = n;
  while (value > 1 && value % 2 === 0) value /= 2;
  return value === 1;
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
