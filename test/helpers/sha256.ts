import { createHash } from 'node:crypto';

/** Independent SHA-256 (streaming createHash, not the one-shot crypto.hash the source uses). */
export function sha256HexOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
