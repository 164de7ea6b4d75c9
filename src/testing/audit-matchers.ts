import { compareAuditHash, type ExpectAuditHashOptions } from './hash-comparison.js';

/**
 * What vitest and jest hand a matcher as `this`; only `isNot` is read. Both runners' own contexts (vitest's
 * `MatcherState`, jest's `MatcherContext`) have it, so `expect.extend(auditMatchers)` type-checks in either
 * without auditwire depending on them.
 */
export interface AuditMatcherContext {
  readonly isNot: boolean;
}

/** A matcher's result in the shape vitest and jest both expect. */
export interface AuditMatcherResult {
  readonly pass: boolean;
  readonly message: () => string;
  /** The computed hash, for the runner's diff (undefined when the event cannot be hashed). */
  readonly actual: string | undefined;
  readonly expected: unknown;
}

/**
 * The matchers `auditMatchers` adds, for declaration merging into your runner's types (`R` is what an assertion
 * returns). See `auditMatchers` for the snippets.
 */
export interface AuditMatchers<R = unknown> {
  /**
   * Passes when the received event hashes to `hash` (the auditwire hash, or the Retraced formula with
   * `{ retracedId }`); the failure message shows both hashes and the exact text hashed.
   */
  toHaveAuditHash(hash: string, options?: ExpectAuditHashOptions): R;
}

/**
 * Custom matchers for `expect.extend`, for vitest and jest alike (no dependency on either).
 *
 * `expect(event).toHaveAuditHash(hash)` checks the auditwire hash (with `{ retracedId }`, the Retraced formula);
 * `.not` and asymmetric use (`expect.toHaveAuditHash(hash)` inside `toEqual`) work as for built-in matchers.
 *
 * Types: tell your runner about the matcher once, in a `.d.ts` (or any file) your tests' tsconfig includes.
 *
 * vitest 5 and later (vitest 3.2 to 4 declare `Matchers<T = any>`: write `interface Matchers<T = any> extends
 * AuditMatchers<T> {}`; before 3.2, extend `Assertion<T = any>` and `AsymmetricMatchersContaining` the same way):
 * ```ts
 * import 'vitest';
 * import type { AuditMatchers } from 'auditwire/testing';
 * declare module 'vitest' {
 *   interface Matchers<R, T> extends AuditMatchers<R> {}
 * }
 * ```
 *
 * jest with `@types/jest` globals (with `@jest/globals`: `declare module 'expect' { interface Matchers<R> ... }`):
 * ```ts
 * import type { AuditMatchers } from 'auditwire/testing';
 * declare global {
 *   namespace jest {
 *     interface Matchers<R> extends AuditMatchers<R> {}
 *   }
 * }
 * ```
 *
 * @example
 * ```ts
 * import { expect, it } from 'vitest';
 * import { auditMatchers } from 'auditwire/testing';
 *
 * expect.extend(auditMatchers);
 *
 * it('audits the login exactly as pinned', () => {
 *   expect(loginEvent(fixedUser)).toHaveAuditHash(PINNED_LOGIN_HASH);
 * });
 * ```
 */
export const auditMatchers = {
  toHaveAuditHash(this: AuditMatcherContext, received: unknown, hash: string, options?: ExpectAuditHashOptions): AuditMatcherResult {
    const result = compareAuditHash(received, hash, options);
    // With .not, a pass is the failure; say so before the details (which show the matching hash).
    const negated = (): string => `expected the event not to have this hash, but it does\n${result.message}`;
    return {
      pass: result.pass,
      message: this.isNot ? negated : () => result.message,
      actual: result.actual,
      expected: result.expected,
    };
  },
};
