import { describe, expect, it } from 'vitest';
import { matchesPartial } from '../../../src/testing/event-match.js';

describe('matchesPartial', () => {
  const event = { action: 'a.b', actor: { id: 'u1', name: 'Jane' }, tags: ['x', 'y'], count: 0 };

  it('matches the members named, recursively, and ignores the others', () => {
    expect(matchesPartial(event, { actor: { id: 'u1' } })).toBe(true);
    expect(matchesPartial(event, {})).toBe(true);
    expect(matchesPartial(event, { actor: { id: 'u2' } })).toBe(false);
    expect(matchesPartial(event, { actor: 'u1' })).toBe(false);
  });

  it('compares arrays element by element and by length', () => {
    expect(matchesPartial(event, { tags: ['x', 'y'] })).toBe(true);
    expect(matchesPartial(event, { tags: ['x'] })).toBe(false);
    expect(matchesPartial(event, { tags: ['y', 'x'] })).toBe(false);
    expect(matchesPartial([{ id: 1, n: 'a' }], [{ id: 1 }])).toBe(true);
  });

  it('compares primitives with Object.is', () => {
    expect(matchesPartial(event, { count: 0 })).toBe(true);
    expect(matchesPartial(event, { count: -0 })).toBe(false);
    expect(matchesPartial(event, { count: '0' })).toBe(false);
  });

  it('reads a member given as undefined as "absent", and never matches inherited members', () => {
    expect(matchesPartial(event, { description: undefined })).toBe(true);
    expect(matchesPartial(event, { action: undefined })).toBe(false);
    expect(matchesPartial(event, { toString: Object.prototype.toString })).toBe(false);
  });
});
