import { createServer, request, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect } from 'vitest';
import type { AuditEvent, AuditSender, TrustProxy } from '../../../src/index.js';

/** A node:http server on 127.0.0.1 and a free port; `close()` drops its connections and waits. */
export interface Listening {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export async function listen(handler: RequestListener): Promise<Listening> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Answer {
  readonly status: number;
  readonly body: string;
}

export interface RequestOptions {
  readonly method?: string;
  /** The request target as sent, e.g. `/login?x=1` or an absolute `http://host/path`. */
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** One request on its own connection (`agent: false`), so nothing is left open between tests. */
export function fetchFrom(base: string, options: RequestOptions = {}): Promise<Answer> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers: options.headers, agent: false },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

/**
 * A stand-in client (the `AuditSender` interface) that records every event it is given. `reply` decides what
 * `sendAudit` returns, e.g. a promise that never settles.
 */
export class RecordingSender implements AuditSender {
  readonly events: AuditEvent[] = [];
  reply: (event: AuditEvent) => Promise<unknown> = () => Promise.resolve({ verified: true });
  readonly #waiters: Array<{ index: number; resolve: (event: AuditEvent) => void }> = [];

  sendAudit(event: AuditEvent): Promise<unknown> {
    this.events.push(event);
    for (const waiter of this.#waiters.filter((entry) => entry.index < this.events.length)) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(this.events[waiter.index] as AuditEvent);
    }
    return this.reply(event);
  }

  /** The `index`-th event sent, once it has been. */
  event(index = 0): Promise<AuditEvent> {
    const sent = this.events[index];
    if (sent !== undefined) return Promise.resolve(sent);
    return new Promise((resolve) => this.#waiters.push({ index, resolve }));
  }
}

/** A promise with its resolve function, to wait for a callback. */
export function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  const { promise, resolve } = Promise.withResolvers<T>();
  return { promise, resolve };
}

/** Lets pending I/O callbacks and Node's unhandled-rejection check run (two full turns of the event loop). */
export async function turns(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Fails the test if any promise rejection goes unhandled while it runs. */
export function forbidUnhandledRejections(): void {
  const seen: unknown[] = [];
  const onRejection = (reason: unknown): void => void seen.push(reason);
  beforeEach(() => {
    seen.length = 0;
    process.on('unhandledRejection', onRejection);
  });
  afterEach(async () => {
    await turns();
    process.off('unhandledRejection', onRejection);
    expect(seen).toEqual([]);
  });
}

/** The header a spoofing client sends: it claims to be 6.6.6.6, relayed by 203.0.113.9. */
export const SPOOFED: Readonly<Record<string, string>> = { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' };

/**
 * Each trustProxy form, with the address a request from 127.0.0.1 carrying `SPOOFED` must be recorded with.
 * Where the form does not trust the peer, the header changes nothing; where it does, only the hops it trusts are
 * skipped, so the client's own left-most claim (6.6.6.6) is never believed. (`true`, which believes it by
 * definition, is tested on its own in request-context.test.ts.)
 */
export interface SpoofCase {
  readonly name: string;
  readonly trustProxy: TrustProxy | undefined;
  readonly expected: string;
}

export const SPOOF_CASES: readonly SpoofCase[] = [
  { name: 'no trustProxy', trustProxy: undefined, expected: '127.0.0.1' },
  { name: 'false', trustProxy: false, expected: '127.0.0.1' },
  { name: 'a hop count of 0', trustProxy: 0, expected: '127.0.0.1' },
  { name: 'a list without the peer', trustProxy: ['10.0.0.0/8', '2001:db8::/32'], expected: '127.0.0.1' },
  { name: 'a comma-separated string without the peer', trustProxy: '10.0.0.0/8, 192.168.0.0/16', expected: '127.0.0.1' },
  { name: 'a function refusing the peer', trustProxy: (address: string) => address === '10.9.9.9', expected: '127.0.0.1' },
  { name: 'a hop count of 1', trustProxy: 1, expected: '203.0.113.9' },
  { name: 'a list with the peer (loopback preset)', trustProxy: ['loopback'], expected: '203.0.113.9' },
  { name: 'a function trusting only the peer', trustProxy: (address: string, hop: number) => hop === 0 && address === '127.0.0.1', expected: '203.0.113.9' },
];

/** The options for a case: `trustProxy` left out entirely when the case has none. */
export function spoofOptions({ trustProxy }: SpoofCase): { trustProxy?: TrustProxy } {
  return trustProxy === undefined ? {} : { trustProxy };
}
