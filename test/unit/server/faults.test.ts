import { describe, expect, it } from 'vitest';
import { FORMATS } from './formats.js';
import { send, startServer } from './http.js';

describe.each(FORMATS)('faults on $name', (format) => {
  it('answers an injected status with Retry-After in the vendor error shape and stores nothing', async () => {
    const server = await startServer({ faults: { statuses: [{ status: 503, probability: 1, retryAfterSeconds: 2 }] } });
    const answer = await format.send(server);
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('2');
    expect(answer.json).toBeTypeOf('object');
    expect(server.events).toHaveLength(0);
    expect(server.stats.faulted).toBe(1);
  });

  it('drops the connection before storing', async () => {
    const server = await startServer({ faults: { dropBeforeStoreProbability: 1 } });
    await expect(format.send(server)).rejects.toThrow();
    expect(server.events).toHaveLength(0);
    expect(server.stats.faulted).toBe(1);
  });

  it('drops the connection after storing (the event is kept, the client never hears of it)', async () => {
    const server = await startServer({ faults: { dropAfterStoreProbability: 1 } });
    await expect(format.send(server)).rejects.toThrow();
    expect(server.events.map((event) => event.eventId)).toEqual([format.eventId]);
    expect(server.stats.faulted).toBe(1);
  });

  it('answers a wrong hash, records the event id, and still stores the right hash', async () => {
    const server = await startServer({ faults: { wrongHashProbability: 1 } });
    const answer = await format.send(server);
    expect(answer.status).toBe(format.successStatus);
    const [answered] = format.hashes(answer);
    expect(answered).toMatch(/^[0-9a-f]{64}$/);
    expect(answered).not.toBe(server.events[0]?.hash);
    expect([...server.stats.wrongHashes]).toEqual([format.eventId]);
    expect(server.stats.lastAnswerAt).toBeGreaterThan(0);
  });

  it('answers the right hash when no fault is drawn', async () => {
    const server = await startServer();
    const answer = await format.send(server);
    expect(answer.status).toBe(format.successStatus);
    expect(format.hashes(answer)).toEqual([server.events[0]?.hash]);
    expect(server.stats.wrongHashes.size).toBe(0);
  });
});

describe('fault scope and reproducibility', () => {
  it('leaves /auth/vendor and the GET routes alone', async () => {
    const server = await startServer();
    const [auditlog] = FORMATS;
    await auditlog?.send(server);
    server.setFaults({ statuses: [{ status: 503, probability: 1 }] });
    expect((await send(`${server.url}/auth/vendor`, { body: { clientId: 'c', secret: 's' } })).status).toBe(200);
    expect((await send(`${server.url}/_auditwire/events`)).status).toBe(200);
    expect((await send(`${server.url}/api/v1/events/${server.events[0]?.serverId}`, { headers: { 'x-api-key': 'c:s' } })).status).toBe(200);
    expect((await auditlog?.send(server))?.status).toBe(503);
    expect(server.stats.faulted).toBe(1);
  });

  it('draws the same faults for the same seed', async () => {
    const run = async (): Promise<number[]> => {
      const server = await startServer({ seed: 7, faults: { statuses: [{ status: 503, probability: 0.5 }] } });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await FORMATS[1]!.send(server)).status);
      return statuses;
    };
    const first = await run();
    expect(first).toEqual(await run());
    expect(new Set(first)).toEqual(new Set([201, 503]));
  });

  it('delays the answers of event routes by delayMs', async () => {
    const server = await startServer({ faults: { delayMs: 60 } });
    const started = performance.now();
    expect((await FORMATS[2]!.send(server)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });
});
