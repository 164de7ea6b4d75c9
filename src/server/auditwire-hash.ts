import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The auditwire server hash (shared/reference/wire/README.md "Server hash"): lowercase hex SHA-256 of the RFC 8785
 * canonical JSON of the value as received. Computed with `canonicalize` here, never with the client's code, so a
 * bug in the client's canonicalization cannot make a test pass.
 */
export function auditwireHash(value: unknown): string {
  return createHash('sha256').update(canonicalize(value) ?? '', 'utf8').digest('hex');
}
