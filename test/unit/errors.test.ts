import { describe, expect, it } from 'vitest';
import { AuditsError, AuthenticationError, CanonicalizationError, DeliveryError, QueueFullError, TimeoutError, ValidationError } from '../../src/errors.js';

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

  it('brands its own errors for the other copies to read: each class\'s names, a subclass of a user\'s included', () => {
    const brand = Symbol.for('auditwire.errorClassNames');
    class AppValidationError extends ValidationError {}
    const read = (error: object): unknown => (error as Record<symbol, unknown>)[brand];
    expect(read(new QueueFullError('x'))).toEqual(['QueueFullError', 'AuditsError']);
    expect(read(new ValidationError([]))).toEqual(['ValidationError', 'AuditsError']);
    expect(read(new AppValidationError([]))).toEqual(['AppValidationError', 'ValidationError', 'AuditsError']);
    // The brand is not an own member: JSON and the own keys of an error are as they were.
    expect(Object.getOwnPropertySymbols(new QueueFullError('x'))).toEqual([]);
    expect(JSON.parse(JSON.stringify(new QueueFullError('x')))).toMatchObject({ name: 'QueueFullError', code: 'QUEUE_FULL' });
  });

  it('does not hold for look-alikes without the brand', () => {
    expect(Object.assign(new Error('x'), { name: 'ValidationError', code: 'VALIDATION' }) instanceof ValidationError).toBe(false);
    const notObjects: unknown[] = [null, 'ValidationError', 42];
    expect(notObjects.map((value) => value instanceof AuditsError)).toEqual([false, false, false]);
  });
});
