import { EMPTY_TREE_HASH, nodeHash } from './merkle-hash.js';

/**
 * The right edge of a growing Merkle tree (a "compact range" from leaf 0): one hash per set bit of the size, the
 * roots of its perfect subtrees from the largest to the smallest. Appending and taking the root cost O(log n)
 * time and memory, so a ledger of any length is hashed while it streams past.
 */
export class MerkleFrontier {
  #size = 0;
  /** Roots of perfect subtrees, largest first: their sizes are the set bits of `#size`, high to low. */
  readonly #stack: Buffer[] = [];

  get size(): number {
    return this.#size;
  }

  append(leaf: Buffer): void {
    let hash = leaf;
    // Each trailing 1 bit of the old size is a subtree of the same height as the new one: merge them.
    for (let size = this.#size; size % 2 === 1; size = Math.floor(size / 2)) {
      hash = nodeHash(this.#stack.pop() as Buffer, hash);
    }
    this.#stack.push(hash);
    this.#size++;
  }

  /** MTH of the leaves so far: the subtrees folded from the smallest (rightmost) up, as RFC 6962 splits them. */
  root(): Buffer {
    if (this.#stack.length === 0) return EMPTY_TREE_HASH;
    let root = this.#stack[this.#stack.length - 1] as Buffer;
    for (let i = this.#stack.length - 2; i >= 0; i--) root = nodeHash(this.#stack[i] as Buffer, root);
    return root;
  }
}
