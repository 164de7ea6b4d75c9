import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError, TimeoutError } from '../../../src/errors.js';
import { HttpTransport } from '../../../src/transport/http-transport.js';
import { exposedGc, heapAfterGc } from '../../helpers/heap.js';

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.url === '/slow') return; // never answers: the request times out
      if (request.url === '/big') return response.writeHead(200).end('x'.repeat(100_000));
      if (request.url === '/twice') return response.writeHead(429, [['Retry-After', '1'], ['X-Note', 'a'], ['X-Note', 'b']]).end('slow down');
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});



const post = (path = '/') => ({ method: 'POST' as const, url: `${url}${path}`, headers: { 'content-type': 'application/json' }, body: '{}' });

describe('HttpTransport', () => {
  it('keeps the heap flat over many requests on one long-lived client signal', async () => {
    const transport = new HttpTransport({ dispatcher: undefined, requestTimeoutMs: 60_000, maxResponseBytes: 1024 });
    const clientSignal = new AbortController().signal;
    const gc = exposedGc();
    const run = async (count: number): Promise<void> => {
      for (let sent = 0; sent < count; sent += 50) {
        await Promise.all(Array.from({ length: 50 }, () => transport.send(post(), clientSignal)));
      }
    };
    await run(5_000); // warm up sockets, JIT and undici's pools
    const before = await heapAfterGc(gc);
    const requests = 10_000;
    await run(requests);
    const growthPerRequest = ((await heapAfterGc(gc)) - before) / requests;
    await transport.close();
    // AbortSignal.any([clientSignal, AbortSignal.timeout()]) kept ~250-300 bytes a request; flat is ~0.
    expect(growthPerRequest).toBeLessThan(120);
  }, 120_000);

  it('fails a request that outlives requestTimeoutMs with TimeoutError', async () => {
    const transport = new HttpTransport({ dispatcher: undefined, requestTimeoutMs: 50, maxResponseBytes: 1024 });
    await expect(transport.send(post('/slow'), new AbortController().signal)).rejects.toBeInstanceOf(TimeoutError);
    await transport.destroy();
  });

  it('aborts a request in flight when the client signal aborts, and says so', async () => {
    const transport = new HttpTransport({ dispatcher: undefined, requestTimeoutMs: 60_000, maxResponseBytes: 1024 });
    const client = new AbortController();
    const sending = transport.send(post('/slow'), client.signal);
    setImmediate(() => client.abort());
    const error = await sending.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toBe('request aborted: the client was destroyed');
    await transport.destroy();
  });

  it('reads at most maxResponseBytes of a body and still completes the request', async () => {
    const transport = new HttpTransport({ dispatcher: undefined, requestTimeoutMs: 60_000, maxResponseBytes: 1024 });
    const response = await transport.send(post('/big'), new AbortController().signal);
    expect(response.status).toBe(200);
    expect(response.body).toBe('x'.repeat(1024));
    // The connection was released: the next request on it is answered.
    expect((await transport.send(post(), new AbortController().signal)).body).toBe('{}');
    await transport.close();
  });

  it('gives header names in lower case and a repeated header as one comma-joined value', async () => {
    const transport = new HttpTransport({ dispatcher: undefined, requestTimeoutMs: 60_000, maxResponseBytes: 1024 });
    const response = await transport.send(post('/twice'), new AbortController().signal);
    expect(response).toMatchObject({ status: 429, body: 'slow down' });
    expect(response.headers['retry-after']).toBe('1');
    expect(response.headers['x-note']).toBe('a, b');
    await transport.close();
  });

  it('times out a request still waiting for a connection, without waiting for one', async () => {
    // One connection, held by a request that is never answered: the second waits in undici's queue.
    const dispatcher = new Agent({ connections: 1 });
    const transport = new HttpTransport({ dispatcher, requestTimeoutMs: 100, maxResponseBytes: 1024 });
    const signal = new AbortController().signal;
    const holding = transport.send(post('/slow'), signal).catch((error: unknown) => error);
    const queued = transport.send(post(), signal).catch((error: unknown) => error);
    expect(await queued).toBeInstanceOf(TimeoutError);
    expect(await holding).toBeInstanceOf(TimeoutError);
    await dispatcher.destroy();
  });

  it('rejects (never throws) a request to a URL it cannot parse, as a retryable DeliveryError', async () => {
    const transport = new HttpTransport({ dispatcher: undefined, requestTimeoutMs: 20, maxResponseBytes: 1024 });
    const sending = transport.send({ ...post(), url: 'not a url' }, new AbortController().signal);
    const error = await sending.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).retryable).toBe(true);
    await transport.destroy();
  });

  it('does not send at all when the client signal is already aborted', async () => {
    const transport = new HttpTransport({ dispatcher: undefined, requestTimeoutMs: 60_000, maxResponseBytes: 1024 });
    const client = new AbortController();
    client.abort();
    await expect(transport.send(post(), client.signal)).rejects.toThrow('request aborted');
    await transport.destroy();
  });
});
