import { describe, expect, it } from 'vitest';
import { AuditsError, AuthenticationError, CanonicalizationError, DeliveryError, TimeoutError, ValidationError } from '../../src/errors.js';

describe('instanceof on auditwire errors', () => {
  it('follows the class tree', () => {
    const error = new CanonicalizationError('$.a', 'bad');
    expect([error instanceof CanonicalizationError, error instanceof ValidationError, error instanceof AuditsError, error instanceof Error]).toEqual([true, true, true, true]);
    expect(error instanceof DeliveryError).toBe(false);
    expect(new AuthenticationError('no') instanceof DeliveryError).toBe(true);
    expect(new TimeoutError('late') instanceof DeliveryError).toBe(false);
  });

  it('holds for an error from another copy of the package, recognised by its registry brand', () => {
    // What a ValidationError made by the other build (ESM vs CommonJS) looks like from here.
    class ForeignValidationError extends Error {}
    const foreign = new ForeignValidationError('x');
    Object.defineProperty(foreign, Symbol.for('auditwire.errorClassNames'), { value: ['ValidationError', 'AuditsError'] });
    expect(foreign instanceof ValidationError).toBe(true);
    expect(foreign instanceof AuditsError).toBe(true);
    expect(foreign instanceof CanonicalizationError).toBe(false);
    expect(foreign instanceof DeliveryError).toBe(false);
  });

  it('does not hold for look-alikes without the brand', () => {
    expect(Object.assign(new Error('x'), { name: 'ValidationError', code: 'VALIDATION' }) instanceof ValidationError).toBe(false);
    const notObjects: unknown[] = [null, 'ValidationError', 42];
    expect(notObjects.map((value) => value instanceof AuditsError)).toEqual([false, false, false]);
  });
});
