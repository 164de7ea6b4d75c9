import { AssertionError } from 'node:assert';
import { compareAuditHash, type ExpectAuditHashOptions } from './hash-comparison.js';

/**
 * Asserts that `event` hashes to `hash`: the auditwire hash (`hashEvent`, SHA-256 over the RFC 8785 canonical
 * JSON), or with `{ retracedId }` the Retraced formula (`retracedHash(event, retracedId)`). Upper-case hex is
 * accepted, as `verifyEventHash` accepts it.
 *
 * On a mismatch it throws node's `AssertionError` (so vitest, jest, mocha and node:test all report a failed
 * assertion, with `actual`/`expected` for their diff) whose message shows both hashes and the exact text that was
 * hashed, so the failure says what the event now contains. A `hash` that is not 64 hex digits, and an event that
 * cannot be hashed (not I-JSON, or missing what the Retraced formula needs), fail the same way with the reason.
 *
 * @example Pin the hash of an event your code builds (fixed id and time, so the hash is stable)
 * ```ts
 * import { expectAuditHash } from 'auditwire/testing';
 *
 * expectAuditHash(
 *   { id: 'evt-1', time: '2026-01-01T00:00:00.000Z', action: 'user.login' },
 *   '5c2b5f16a93db6c6c56dd5feee84443f885ad8e87cbb72f14f689ade6d2e6f84',
 * );
 * ```
 *
 * @example The Retraced formula, which also covers the id the Retraced server assigned
 * ```ts
 * const [sent] = recorder.records; // createAuditRecorder({ format: 'retraced' })
 * expectAuditHash(sent.event, sent.hash, { retracedId: sent.serverId });
 * ```
 */
export function expectAuditHash(event: unknown, hash: string, options?: ExpectAuditHashOptions): void {
  const result = compareAuditHash(event, hash, options);
  if (result.pass) return;
  throw new AssertionError({
    message: result.message,
    actual: result.actual,
    expected: result.expected,
    operator: 'expectAuditHash',
    // The stack then starts at the caller's line, not inside auditwire.
    stackStartFn: expectAuditHash,
  });
}
