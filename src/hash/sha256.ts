import { hash } from 'node:crypto';

/** Lowercase hex SHA-256 of the UTF-8 bytes of `text` (one-shot `crypto.hash`, cheaper than createHash for small inputs). */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
