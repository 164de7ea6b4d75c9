import { describe, expect, it } from 'vitest';
import { callUser, describeThrown } from '../../../src/internal/call-user.js';

async function turns(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
}

describe('callUser', () => {
  it.each([
    ['throws an Error', () => { throw new Error('boom'); }],
    ['throws a non-Error', () => { throw 'boom'; }],
    ['returns a rejected promise', () => Promise.reject(new Error('boom'))],
    ['returns a thenable that rejects', () => ({ then: (_: unknown, reject: (error: Error) => void) => reject(new Error('boom')) })],
  ])('hands what the call %s to the reporter, never to the caller', async (_name, call) => {
    const failures: unknown[] = [];
    expect(() => callUser(call as () => unknown, (error) => failures.push(error))).not.toThrow();
    await turns();
    expect(failures).toHaveLength(1);
  });

  it('swallows a reporter that throws too, and ignores a value whose then getter throws', async () => {
    const hostile = Object.defineProperty({}, 'then', { get: () => { throw new Error('getter'); } });
    expect(() => callUser(() => { throw new Error('first'); }, () => { throw new Error('second'); })).not.toThrow();
    expect(() => callUser(() => hostile, () => { throw new Error('never'); })).not.toThrow();
    await turns();
  });

  it('describes what was thrown without trusting it', () => {
    expect(describeThrown(new TypeError('bad'))).toBe('TypeError: bad');
    expect(describeThrown(Object.create(null))).toBe('a value that cannot be described');
  });
});
