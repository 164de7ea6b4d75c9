import { createHash } from 'node:crypto';

/**
 * RFC 6962 section 2.1 written as literally as possible (recursive MTH, PATH, PROOF), as an independent oracle
 * for the streaming implementation. Quadratic; for small trees only.
 */
const sha = (...parts: Buffer[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

export const naiveLeaf = (data: string): Buffer => sha(Buffer.from([0]), Buffer.from(data, 'utf8'));

function k(n: number): number {
  let value = 1;
  while (value * 2 < n) value *= 2;
  return value;
}

export function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return leaves[0] as Buffer;
  const split = k(leaves.length);
  return sha(Buffer.from([1]), mth(leaves.slice(0, split)), mth(leaves.slice(split)));
}

export function path(m: number, leaves: readonly Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  const split = k(leaves.length);
  return m < split
    ? [...path(m, leaves.slice(0, split)), mth(leaves.slice(split))]
    : [...path(m - split, leaves.slice(split)), mth(leaves.slice(0, split))];
}

function subproof(m: number, leaves: readonly Buffer[], whole: boolean): Buffer[] {
  const n = leaves.length;
  if (m === n) return whole ? [] : [mth(leaves)];
  const split = k(n);
  return m <= split
    ? [...subproof(m, leaves.slice(0, split), whole), mth(leaves.slice(split))]
    : [...subproof(m - split, leaves.slice(split), false), mth(leaves.slice(0, split))];
}

export function consistency(m: number, leaves: readonly Buffer[]): Buffer[] {
  return m === 0 ? [] : subproof(m, leaves, true);
}
