import { describe, expect, it } from 'vitest';
import { hashEvent } from '../../src/index.js';

describe('hashEvent', () => {
  it('hashes the canonical form, so key order does not matter', () => {
    expect(hashEvent({ b: 1, a: 2 })).toBe(hashEvent({ a: 2, b: 1 }));
  });
});
