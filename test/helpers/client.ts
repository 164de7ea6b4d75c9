import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import nock from 'nock';
import { afterEach, beforeEach, vi } from 'vitest';
import { AuditsClient, type AuditInput, type ClientOptions } from '../../src/index.js';

/** The mocked AuditLog.co base URL and the vendor's path (shared/reference/wire/README.md section 1). */
export const ENDPOINT = 'http://127.0.0.1:4318';
export const EVENTS_PATH = '/api/v1/events';
export const API_KEY = 'consumer:secret';
export const SERVER = { id: 'billing-api', version: '1.2.3' } as const;

/** One request as the mocked server saw it. */
export interface CapturedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The body parsed: the AuditLog.co events array. */
  readonly events: ReadonlyArray<Record<string, unknown>>;
}

/** What a responder answers: `[status, body?, headers?]`, as nock's full reply function expects. */
export type Reply = readonly [number] | readonly [number, unknown] | readonly [number, unknown, Record<string, string>];
export type Responder = (request: CapturedRequest) => Reply | Promise<Reply>;

/** Independent SHA-256 over the RFC 8785 form (the `canonicalize` package, not the code under test). */
export function hashOfElement(element: unknown): string {
  const text = canonicalize(element);
  if (text === undefined) throw new Error('element has no canonical JSON form');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export interface AcceptOptions {
  /** 'match': the correct hash per element; 'none': no hash member; a function: whatever it returns. */
  readonly hash?: 'match' | 'none' | ((element: Record<string, unknown>, index: number) => string);
  /** Spell the list as the vendor's docs do (`ReceivedEvents`). */
  readonly pascalCase?: boolean;
}

/** A 200 that acknowledges every element of the request, in order, with server ids `srv-<uuid>`. */
export function accept(options: AcceptOptions = {}): Responder {
  return (request) => {
    const received = request.events.map((element, index) => {
      const entry: Record<string, unknown> = { id: `srv-${String(element.uuid)}`, uuid: element.uuid };
      const hash = options.hash ?? 'match';
      if (hash === 'match') entry.hash = hashOfElement(element);
      else if (typeof hash === 'function') entry.hash = hash(element, index);
      return entry;
    });
    return [200, options.pascalCase === true ? { ReceivedEvents: received } : { receivedEvents: received }];
  };
}

/** A fixed status with an optional JSON body and headers. */
export function status(code: number, body?: unknown, headers?: Record<string, string>): Responder {
  return () => (headers === undefined ? [code, body ?? ''] : [code, body ?? '', headers]);
}

/** The error a reset connection surfaces as (`socket hang up`, code ECONNRESET). */
export function connectionReset(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

/** A deferred a test resolves by hand, to hold a request unanswered. */
export function deferred(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

/**
 * A mocked AuditLog.co events endpoint on nock. Each `reply` registers one single-use interceptor (consumed in
 * order); `always` registers a persistent one. Every request that reaches an interceptor is recorded.
 *
 * nock 15 calls a reply function with one argument, the fetch `Request`; a two-argument function is taken as
 * callback style (`(request, callback)`), so the README's `(uri, requestBody)` form never answers.
 */
export class MockAuditLog {
  readonly requests: CapturedRequest[] = [];

  reply(responder: Responder, times = 1): this {
    nock(ENDPOINT)
      .post(EVENTS_PATH)
      .times(times)
      .reply(async (request: Request) => responder(await this.#capture(request)));
    return this;
  }

  always(responder: Responder): this {
    nock(ENDPOINT)
      .persist()
      .post(EVENTS_PATH)
      .reply(async (request: Request) => responder(await this.#capture(request)));
    return this;
  }

  /**
   * A network failure (nock `replyWithError`: the socket errors) for the next `times` requests. It must be an
   * Error instance: with nock 15.0.6 and undici, a plain object such as `{ code: 'ECONNRESET' }` never reaches
   * the client as an error, and the request hangs until its timeout.
   */
  failWith(error: Error, times = 1): this {
    const scope = nock(ENDPOINT);
    scope.on('request', (request: Request, _interceptor: unknown, body: string) => {
      this.requests.push({ method: request.method, url: request.url, headers: Object.fromEntries(request.headers), body, events: parseEvents(body) });
    });
    scope.post(EVENTS_PATH).times(times).replyWithError(error);
    return this;
  }

  /** The event uuids of every request, in order. */
  get uuids(): string[][] {
    return this.requests.map((request) => request.events.map((event) => String(event.uuid)));
  }

  async #capture(request: Request): Promise<CapturedRequest> {
    const body = await request.text();
    const events = parseEvents(body);
    const captured: CapturedRequest = {
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers),
      body,
      events,
    };
    this.requests.push(captured);
    return captured;
  }
}

function parseEvents(body: string): Array<Record<string, unknown>> {
  try {
    const parsed: unknown = JSON.parse(body);
    return Array.isArray(parsed) ? (parsed as Array<Record<string, unknown>>) : [];
  } catch {
    return [];
  }
}

const clients = new Set<AuditsClient>();

/**
 * An AuditLog.co client aimed at the mock: no batching delay beyond one macrotask, no backoff wait, a fixed
 * `server`. `destroyClients()` (in afterEach) tears down whatever a test left open.
 */
export function newClient(options: ClientOptions = {}): AuditsClient {
  const client = new AuditsClient({
    adapter: 'auditlog',
    endpoint: ENDPOINT,
    apiKey: API_KEY,
    server: SERVER,
    flushIntervalMs: 0,
    requestTimeoutMs: 2_000,
    // The auditlog adapter's warnings about dropped members are tested in test/unit/adapters/unmapped-fields.test.ts.
    onUnmappedField: 'ignore',
    ...options,
    retry: { initialDelayMs: 0, maxDelayMs: 0, ...options.retry },
  });
  clients.add(client);
  return client;
}

export async function destroyClients(): Promise<void> {
  const open = [...clients];
  clients.clear();
  await Promise.all(open.map((client) => client.destroy()));
}

/**
 * Fakes only the timers the client waits on (and Date, which the deadline and Retry-After dates read), leaving
 * setImmediate and process.nextTick real so nock and undici still move bytes. Undo with `vi.useRealTimers()`.
 */
export function useFakeTimers(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
}

/** Blocks real network access for a test file; pair with `resetNock()` in afterEach. */
export function blockNetwork(): void {
  nock.disableNetConnect();
}

export async function resetNock(): Promise<void> {
  await destroyClients();
  nock.cleanAll();
  nock.enableNetConnect();
}

/** The settled state of a promise right now (after pending microtasks), without awaiting it to the end. */
export async function stateOf(promise: Promise<unknown>): Promise<'pending' | 'fulfilled' | 'rejected'> {
  const marker = Symbol('pending');
  const result = await Promise.race([
    promise.then(
      () => 'fulfilled' as const,
      () => 'rejected' as const,
    ),
    new Promise<typeof marker>((resolve) => setImmediate(() => resolve(marker))),
  ]);
  return result === marker ? 'pending' : result;
}

/** What a promise rejected with; fails when it fulfilled. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it fulfilled');
}

/**
 * Registers the per-test setup every client test file shares: network blocked, a fresh mock AuditLog.co, and
 * afterwards real timers, env stubs undone, clients destroyed and nock reset. `use` receives each test's mock.
 */
export function useMockAuditLog(use: (server: MockAuditLog) => void): void {
  beforeEach(() => {
    blockNetwork();
    use(new MockAuditLog());
  });
  afterEach(async () => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
    await resetNock();
  });
}

/** Any value, as a JavaScript caller (or an `as` cast) could pass it: for tests of run-time validation. */
export function untyped(value: unknown): AuditInput {
  return value as AuditInput;
}
