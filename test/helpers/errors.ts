import { expect } from 'vitest';
import { AuditsError, CanonicalizationError, ValidationError } from '../../src/errors.js';

/** Runs `fn` and returns what it threw; fails the test when it returns normally. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  expect.fail('expected the call to throw, but it returned normally');
}

/**
 * Asserts that `fn` throws a CanonicalizationError located at exactly `path`, with the whole error tree in place
 * (ValidationError, AuditsError, code CANONICALIZATION) and the path repeated in the message.
 */
export function expectCanonicalizationError(fn: () => unknown, path: string): CanonicalizationError {
  const error = thrownBy(fn);
  expect(error).toBeInstanceOf(CanonicalizationError);
  expect(error).toBeInstanceOf(ValidationError);
  expect(error).toBeInstanceOf(AuditsError);
  const canonical = error as CanonicalizationError;
  expect(canonical.code).toBe('CANONICALIZATION');
  expect(canonical.path).toBe(path);
  expect(canonical.issues).toEqual([{ path, message: expect.any(String) }]);
  expect(canonical.message.startsWith(`${path}: `)).toBe(true);
  return canonical;
}
