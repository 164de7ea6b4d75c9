import { MerkleFrontier } from './merkle-frontier.js';
import type { LeafRange } from './proof-ranges.js';

/**
 * Computes the MTH of each of a few disjoint leaf ranges while every leaf of the tree streams past once, in
 * order: a proof's O(log n) hashes from one pass over a ledger of any length, in O(log n) memory.
 */
export class RangeHasher {
  readonly #ranges: readonly LeafRange[];
  /** Range positions ordered by start. */
  readonly #order: number[];
  readonly #hashes: Array<Buffer | undefined>;
  #next = 0;
  #current: MerkleFrontier | undefined;

  constructor(ranges: readonly LeafRange[]) {
    this.#ranges = ranges;
    this.#order = ranges.map((_, position) => position).sort((a, b) => (ranges[a] as LeafRange).start - (ranges[b] as LeafRange).start);
    this.#hashes = ranges.map(() => undefined);
  }

  /** Feeds leaf number `index` (indices must come in ascending order). */
  add(index: number, leaf: Buffer): void {
    const position = this.#order[this.#next];
    if (position === undefined) return;
    const range = this.#ranges[position] as LeafRange;
    if (index < range.start) return;
    this.#current ??= new MerkleFrontier();
    this.#current.append(leaf);
    if (index === range.end - 1) {
      this.#hashes[position] = this.#current.root();
      this.#current = undefined;
      this.#next++;
    }
  }

  /** The hashes in the order the ranges were given; throws if the leaves stopped before a range ended. */
  hashes(): Buffer[] {
    return this.#hashes.map((hash, position) => {
      if (hash === undefined) {
        const range = this.#ranges[position] as LeafRange;
        throw new RangeError(`leaves ${range.start}..${range.end - 1} were not all seen`);
      }
      return hash;
    });
  }
}
