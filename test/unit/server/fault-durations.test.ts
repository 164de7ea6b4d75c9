import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/index.js';
import { createReferenceServer } from '../../../src/testing.js';

const VALUES = [-1, Number.NaN, 1.5, 0, 2 ** 31 - 1, 2 ** 31, Number.POSITIVE_INFINITY];

describe.each(['delayMs', 'slowMs'] as const)('the reference server fault %s', (name) => {
  it.each(VALUES)('is refused with a ValidationError naming it unless it is a timer-sized whole number (%s)', async (value) => {
    const valid = Number.isInteger(value) && value >= 0 && value <= 2 ** 31 - 1;
    const starting = createReferenceServer({ faults: { [name]: value } });
    if (valid) {
      const server = await starting;
      expect(() => server.setFaults({ [name]: value })).not.toThrow();
      await server.close();
      return;
    }
    const error = await starting.then(() => undefined, (reason: unknown) => reason);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual([`faults.${name}`]);
  });

  it('refuses an out-of-range value given later through setFaults, keeping the faults it had', async () => {
    const server = await createReferenceServer();
    try {
      expect(() => server.setFaults({ [name]: 2 ** 31 })).toThrow(ValidationError);
    } finally {
      await server.close();
    }
  });
});

describe('the reference server onRequest callback', () => {
  it('may throw or reject without taking the server down', async () => {
    let calls = 0;
    const server = await createReferenceServer({
      onRequest: () => {
        calls++;
        return Promise.reject(new Error('logging failed')) as unknown as void;
      },
    });
    try {
      const first = await fetch(`${server.url}/nowhere`);
      const second = await fetch(`${server.url}/nowhere`);
      expect([first.status, second.status]).toEqual([404, 404]);
      expect(calls).toBe(2);
    } finally {
      await server.close();
    }
  });
});
