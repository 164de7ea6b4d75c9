import { splitPoint } from './merkle-hash.js';

/** Leaves [start, end) of a tree, whose MTH is one hash of a proof. */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The subtrees whose hashes make the RFC 6962 inclusion proof (PATH, section 2.1.1) of leaf `index` in a tree of
 * `size` leaves, in proof order (nearest the leaf first). Naming ranges rather than hashes lets a reader compute
 * them all in one streaming pass over the leaves.
 */
export function inclusionRanges(index: number, size: number): LeafRange[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new RangeError(`leaf ${index} is not in a tree of ${size} leaves`);
  }
  const ranges: LeafRange[] = [];
  let start = 0;
  let end = size;
  // Walks from the root down; each step's sibling is prepended, as PATH appends it after the deeper part.
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      ranges.unshift({ start: start + k, end });
      end = start + k;
    } else {
      ranges.unshift({ start, end: start + k });
      start += k;
    }
  }
  return ranges;
}

/**
 * The subtrees whose hashes make the RFC 6962 consistency proof (PROOF(m, D[n]) = SUBPROOF(m, D[n], true),
 * section 2.1.2) between the tree of the first `oldSize` leaves and the tree of `newSize` leaves, in proof order.
 */
export function consistencyRanges(oldSize: number, newSize: number): LeafRange[] {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0 || oldSize > newSize) {
    throw new RangeError(`no consistency proof from ${oldSize} to ${newSize} leaves`);
  }
  if (oldSize === 0 || oldSize === newSize) return [];
  const ranges: LeafRange[] = [];
  let start = 0;
  let end = newSize;
  let m = oldSize;
  let whole = true; // SUBPROOF's b: the old tree is exactly this subtree's left edge
  for (;;) {
    const n = end - start;
    if (m === n) {
      if (!whole) ranges.unshift({ start, end });
      return ranges;
    }
    const k = splitPoint(n);
    if (m <= k) {
      ranges.unshift({ start: start + k, end });
      end = start + k;
    } else {
      ranges.unshift({ start, end: start + k });
      start += k;
      m -= k;
      whole = false;
    }
  }
}
