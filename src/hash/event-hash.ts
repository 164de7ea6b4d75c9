import { timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import { sha256Hex } from './sha256.js';

/**
 * The auditwire event hash: lowercase hex SHA-256 of the UTF-8 bytes of the RFC 8785 canonical JSON of `value`.
 * Any language with a JCS implementation computes the same string (spec/HASHING.md).
 * @throws CanonicalizationError when `value` is not I-JSON.
 */
export function hashEvent(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/** Whether `value` is a SHA-256 digest written as 64 hex digits (either case). */
export function isSha256Hex(value: unknown): value is string {
  return typeof value === 'string' && SHA256_HEX.test(value);
}

/**
 * Recomputes the hash of `value` and compares it with `expected` in constant time. Returns `false`, never
 * throws, for an `expected` that is not 64 hex digits (upper or lower case).
 * @throws CanonicalizationError when `value` itself is not I-JSON: that is a bug in the caller's data, not a
 *   mismatch.
 */
export function verifyEventHash(value: unknown, expected: string): boolean {
  const actual = hashEvent(value);
  if (!isSha256Hex(expected)) return false;
  return timingSafeEqual(Buffer.from(actual, 'hex'), Buffer.from(expected, 'hex'));
}
