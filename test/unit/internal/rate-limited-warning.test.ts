import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimitedWarning, WARNING_INTERVAL_MS } from '../../../src/internal/rate-limited-warning.js';

let emitted: Array<{ message: string; code: unknown }> = [];

beforeEach(() => {
  emitted = [];
  vi.spyOn(process, 'emitWarning').mockImplementation(((message: string, options: { code?: string }) => {
    emitted.push({ message, code: options.code });
  }) as typeof process.emitWarning);
});
afterEach(() => vi.mocked(process.emitWarning).mockRestore());

describe('RateLimitedWarning', () => {
  it('emits the first warning at once, holds back the rest of the interval, then says how many it held back', () => {
    let now = 1_000;
    const warning = new RateLimitedWarning('AUDITWIRE_TEST', () => now);
    warning.emit('first');
    for (let index = 0; index < 50; index++) warning.emit('again');
    now += WARNING_INTERVAL_MS - 1;
    warning.emit('still held');
    now += 1;
    warning.emit('next');
    expect(emitted).toEqual([
      { message: 'first', code: 'AUDITWIRE_TEST' },
      { message: 'next (and 51 more since the last warning)', code: 'AUDITWIRE_TEST' },
    ]);
  });

  it('emits at most one warning per interval, however many failures come (property over random arrival times)', () => {
    for (let run = 0; run < 50; run++) {
      emitted = [];
      let now = 0;
      const warning = new RateLimitedWarning('AUDITWIRE_TEST', () => now);
      const arrivals = Array.from({ length: 200 }, () => Math.floor(Math.random() * 10 * WARNING_INTERVAL_MS)).sort((a, b) => a - b);
      const times: number[] = [];
      for (const at of arrivals) {
        now = at;
        const before = emitted.length;
        warning.emit('failure');
        if (emitted.length > before) times.push(at);
      }
      for (let index = 1; index < times.length; index++) expect((times[index] as number) - (times[index - 1] as number)).toBeGreaterThanOrEqual(WARNING_INTERVAL_MS);
      expect(times[0]).toBe(arrivals[0]);
    }
  });
});
