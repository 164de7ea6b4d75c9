import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { FORMATS } from './formats.js';
import { startServer } from './http.js';

// The probabilistic slow fault (`slowProbability`, `slowMs`): the events are stored at once and the answer is
// held back, so a client whose timeout is shorter gives up on a batch the server did store.

describe.each(FORMATS)('slow answers on $name', (format) => {
  it('stores at once, answers slowMs late and counts the request', async () => {
    const server = await startServer({ faults: { slowProbability: 1, slowMs: 150 } });
    const started = performance.now();
    const answer = format.send(server);
    let answered = false;
    void answer.then(() => (answered = true));
    // Stored before the answer comes.
    await until(() => server.events.length === 1);
    expect(answered).toBe(false);
    expect((await answer).status).toBe(format.successStatus);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(server.stats.slowed).toBe(1);
    expect(server.stats.faulted).toBe(0);
  });
});

describe('slow answers and clients that give up', () => {
  it('does not count a wrong hash whose answer never reached the client that gave up waiting', async () => {
    // The server's hold runs on a faked setTimeout, so the test moves past it exactly instead of sleeping and
    // hoping the handler has run (the client's AbortSignal.timeout keeps its real clock).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    onTestFinished(() => void vi.useRealTimers());
    const server = await startServer({ faults: { slowProbability: 1, slowMs: 200, wrongHashProbability: 1 } });
    // The client gives up once the server has stored the event (not on a clock: a busy machine may take longer
    // than any fixed timeout to get that far).
    const giveUp = new AbortController();
    const aborted = fetch(`${server.url}/v1/addTrail`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: 'k', actor: { unique_id: 'u', name: 'n' }, object: 'o', action: 'a', desc: '{"id":"evt-s"}' }),
      signal: giveUp.signal,
    });
    await until(() => server.events.length === 1);
    giveUp.abort();
    await expect(aborted).rejects.toThrow();
    expect(server.events.map((event) => event.eventId)).toEqual(['evt-s']);
    // Past the hold: the server found the connection gone and wrote nothing.
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(vi.getTimerCount()).toBe(0);
    expect(server.stats.wrongHashes.size).toBe(0);
    expect(server.stats.lastAnswerAt).toBe(0);
    // And it keeps serving.
    vi.useRealTimers();
    expect((await FORMATS[2]!.send(server)).status).toBe(200);
  });

  it('mixes slow and prompt answers by probability, reproducibly per seed', async () => {
    const run = async (): Promise<boolean[]> => {
      const server = await startServer({ seed: 11, faults: { slowProbability: 0.5, slowMs: 30 } });
      const slow: boolean[] = [];
      for (let i = 0; i < 12; i++) {
        const before = server.stats.slowed;
        await FORMATS[1]!.send(server);
        slow.push(server.stats.slowed > before);
      }
      return slow;
    };
    const first = await run();
    expect(first).toEqual(await run());
    expect(new Set(first)).toEqual(new Set([true, false]));
  });

  it('leaves the fault sequence of a seed unchanged when slowProbability is 0 or absent', async () => {
    const statuses = async (slowProbability: number | undefined): Promise<number[]> => {
      const faults = { statuses: [{ status: 503, probability: 0.5 }], ...(slowProbability === undefined ? {} : { slowProbability }) };
      const server = await startServer({ seed: 3, faults });
      const seen: number[] = [];
      for (let i = 0; i < 16; i++) seen.push((await FORMATS[0]!.send(server)).status);
      return seen;
    };
    expect(await statuses(0)).toEqual(await statuses(undefined));
  });

  it('answers a slow drop-after-store by dropping late (stored, never answered)', async () => {
    const server = await startServer({ faults: { slowProbability: 1, slowMs: 50, dropAfterStoreProbability: 1 } });
    await expect(FORMATS[0]!.send(server)).rejects.toThrow();
    expect(server.events).toHaveLength(1);
    expect(server.stats).toMatchObject({ slowed: 1, faulted: 1 });
  });
});

/** Polls a condition on the event loop (setImmediate), bounded to about a second. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}
