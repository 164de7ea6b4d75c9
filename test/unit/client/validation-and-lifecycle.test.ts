import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import {
  AuditsClient,
  AuditsError,
  AuthenticationError,
  ClientClosedError,
  DeliveryError,
  QueueFullError,
  TimeoutError,
  ValidationError,
  type AuditReceipt,
  type Logger,
} from '../../../src/index.js';
import { accept, deferred, ENDPOINT, MockAuditLog, newClient, rejectionOf, stateOf, status, useFakeTimers, untyped, useMockAuditLog } from '../../helpers/client.js';
import { captureWarnings } from '../../helpers/warnings.js';

// Failures here are on purpose and heard by no listener: their process warnings are captured, not printed.
captureWarnings();

let server: MockAuditLog;

useMockAuditLog((mock) => (server = mock));

/** A responder that answers only once `gate` opens, so its request stays in flight until the test says so. */
function heldUntil(gate: Promise<void>) {
  const answer = accept();
  return async (request: Parameters<typeof answer>[0]) => {
    await gate;
    return answer(request);
  };
}

/** Asserts `promise` is already rejected (no I/O, no timer needed) with a ValidationError, and returns its issues. */
async function validationIssuesOf(promise: Promise<unknown>): Promise<ReadonlyArray<{ path: string; message: string }>> {
  expect(await stateOf(promise)).toBe('rejected');
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(ValidationError);
  expect(error).toBeInstanceOf(AuditsError);
  return (error as ValidationError).issues;
}

describe('sendAudit with invalid input', () => {
  it.each([
    ['a missing action', {}, '$.action'],
    ['an empty action', { action: '' }, '$.action'],
    ['a numeric actor.id', { action: 'user.login', actor: { id: 42 } }, '$.actor.id'],
    ['a numeric fields value', { action: 'user.login', fields: { count: 3 } }, '$.fields.count'],
    ['a NaN fields value', { action: 'user.login', fields: { count: Number.NaN } }, '$.fields.count'],
    ['a time without an offset', { action: 'user.login', time: '2026-01-02T03:04:05' }, '$.time'],
    ['an ip that is not an address', { action: 'user.login', ip: 'localhost' }, '$.ip'],
    ['a lone surrogate in the action', { action: 'user.login\ud800' }, '$.action'],
    ['a lone surrogate in the description', { action: 'user.login', description: 'bad \udc00 text' }, '$.description'],
    ['anonymous false without an actor', { action: 'user.login', anonymous: false }, '$.actor'],
  ])('rejects %s at once with a ValidationError at the path, and sends nothing', async (_name, input, path) => {
    server.always(accept());
    const client = newClient();
    const issues = await validationIssuesOf(client.sendAudit(untyped(input)));
    expect(issues.map((issue) => issue.path)).toContain(path);
    await client.flush();
    expect(server.requests).toHaveLength(0);
    expect(client.stats()).toMatchObject({ accepted: 0, rejected: 1, queued: 0 });
  });

  it('names an unknown key in the message, at the object that holds it', async () => {
    server.always(accept());
    const client = newClient();
    // @ts-expect-error the typo is refused at compile time too; this checks what a JavaScript caller gets
    expect(await validationIssuesOf(client.sendAudit({ action: 'user.login', acton: 'typo' }))).toEqual([
      { path: '$', message: expect.stringContaining('acton') },
    ]);
    // @ts-expect-error as above
    expect(await validationIssuesOf(client.sendAudit({ action: 'user.login', actor: { id: 'u-1', mail: 'x@example.com' } }))).toEqual([
      { path: '$.actor', message: expect.stringContaining('mail') },
    ]);
    await client.flush();
    expect(server.requests).toHaveLength(0);
  });

  it('rejects input that is not an object', async () => {
    const client = newClient();
    for (const input of [null, undefined, 'user.login', 42, []]) {
      const issues = await validationIssuesOf(client.sendAudit(untyped(input)));
      expect(issues[0]?.path).toBe('$');
    }
  });

  it('never throws synchronously', () => {
    const client = newClient();
    expect(() => client.sendAudit(untyped({}))).not.toThrow();
    expect(() => client.sendAudits([untyped({})])).not.toThrow();
  });

  // Regression (found in review): a lone surrogate in a field whose wire name differs from its common-model name is reported at the
  // AuditLog.co wire path, not the common-model path that spec/EVENT.md sections 1 and 4.3 require
  // (e.g. tenant.name -> `$.client.name`). The CanonicalizationError from canonicalJson(wire) in
  // src/adapters/prepare.ts (toPrepared) is passed through unmapped.
  it.each([
    ['tenant.name', { action: 'a.b', tenant: { id: 't-1', name: 'x\ud800' } }, '$.tenant.name'],
    ['tenant.id', { action: 'a.b', tenant: { id: 'x\ud800' } }, '$.tenant.id'],
    ['actor.id', { action: 'a.b', actor: { id: 'x\ud800' } }, '$.actor.id'],
    ['target.name', { action: 'a.b', target: { id: 'd-1', name: 'x\udc00' } }, '$.target.name'],
    ['id', { id: 'x\ud800', action: 'a.b' }, '$.id'],
    ['userAgent', { action: 'a.b', userAgent: 'x\ud800' }, '$.userAgent'],
  ])('reports a lone surrogate in %s at the common-model path', async (_name, input, path) => {
    const client = newClient();
    const issues = await validationIssuesOf(client.sendAudit(untyped(input)));
    expect(issues.map((issue) => issue.path)).toEqual([path]);
  });
});

describe('AuditLog.co limits', () => {
  it('rejects an action over 40 characters at $.action, naming the vendor rule', async () => {
    server.always(accept());
    const client = newClient();
    expect(await validationIssuesOf(client.sendAudit({ action: 'a'.repeat(41) }))).toEqual([
      { path: '$.action', message: expect.stringContaining('at most 40') },
    ]);
    await client.flush();
    expect(server.requests).toHaveLength(0);
  });

  it('accepts an action of exactly 40 characters', async () => {
    server.reply(accept());
    const client = newClient();
    await expect(client.sendAudit({ action: 'a'.repeat(40) })).resolves.toMatchObject({ adapter: 'auditlog' });
  });

  it('reports every limit an event breaks, at the common-model paths', async () => {
    const client = newClient();
    const issues = await validationIssuesOf(
      client.sendAudit({ action: 'a'.repeat(41), description: 'd'.repeat(121), tenant: { id: 't'.repeat(121) }, target: { id: 'x', type: 'y'.repeat(41) } }),
    );
    expect(issues.map((issue) => issue.path).sort()).toEqual(['$.action', '$.description', '$.target.type', '$.tenant.id']);
  });
});

describe('sendAudits', () => {
  it('rejects the whole call with paths prefixed by the index when any event is invalid, and sends nothing', async () => {
    server.always(accept());
    const client = newClient();
    const issues = await validationIssuesOf(client.sendAudits([{ action: 'fine' }, untyped({ action: 'user.login', actor: { id: 7 } })]));
    expect(issues).toEqual([{ path: '$[1].actor.id', message: expect.any(String) }]);
    await client.flush();
    expect(server.requests).toHaveLength(0);
    expect(client.stats().accepted).toBe(0);
  });

  it('resolves with the receipts in order when all are valid', async () => {
    server.reply(accept());
    const client = newClient();
    const receipts = await client.sendAudits([
      { id: 'evt-1', action: 'a.b' },
      { id: 'evt-2', action: 'a.b' },
    ]);
    expect(receipts.map((receipt) => receipt.id)).toEqual(['evt-1', 'evt-2']);
    expect(server.uuids).toEqual([['evt-1', 'evt-2']]);
  });
});

describe('batching', () => {
  it('splits five events into requests of at most maxBatchSize (2, 2, 1)', async () => {
    server.always(accept());
    const client = newClient({ maxBatchSize: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((n) => client.sendAudit({ id: `evt-${n}`, action: 'a.b' })));
    expect(server.uuids).toEqual([['evt-1', 'evt-2'], ['evt-3', 'evt-4'], ['evt-5']]);
  });

  it('holds a partial batch for flushIntervalMs, then sends everything queued in one request', async () => {
    useFakeTimers();
    server.always(accept());
    const client = newClient({ flushIntervalMs: 1000 });
    const sends = [1, 2, 3].map((n) => client.sendAudit({ id: `evt-${n}`, action: 'a.b' }));
    await vi.advanceTimersByTimeAsync(999);
    expect(client.stats()).toMatchObject({ queued: 3, inFlight: 0 });
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    await Promise.all(sends);
    expect(server.uuids).toEqual([['evt-1', 'evt-2', 'evt-3']]);
  });

  it('sends a partial batch at once when flush() is called', async () => {
    server.always(accept());
    const client = newClient({ flushIntervalMs: 60_000 });
    const sending = client.sendAudit({ action: 'a.b' });
    await client.flush();
    expect(await stateOf(sending)).toBe('fulfilled');
    expect(server.requests).toHaveLength(1);
  });
});

describe('a full queue', () => {
  /** A client with a one-event queue and one request in flight, held unanswered until `gate` opens: evt-1. */
  async function oneRequestHeld(whenQueueFull: 'reject' | 'wait') {
    const gate = deferred();
    server.reply(heldUntil(gate.promise)).always(accept());
    const client = newClient({ maxQueueSize: 1, maxConcurrentRequests: 1, whenQueueFull });
    const reported: unknown[] = [];
    client.on('error', (error) => reported.push(error));
    const first = client.sendAudit({ id: 'evt-1', action: 'a.b' });
    await vi.waitFor(() => expect(server.requests).toHaveLength(1)); // in flight, unanswered
    return { gate, client, reported, first };
  }

  it("rejects with QueueFullError under whenQueueFull 'reject', and delivers what it accepted", async () => {
    const { gate, client, reported, first } = await oneRequestHeld('reject');
    const second = client.sendAudit({ id: 'evt-2', action: 'a.b' }); // fills the queue
    const third = client.sendAudit({ id: 'evt-3', action: 'a.b' });

    expect(await stateOf(third)).toBe('rejected');
    const error = await rejectionOf(third);
    expect(error).toBeInstanceOf(QueueFullError);
    expect((error as QueueFullError).retryable).toBe(true);
    expect(reported).toEqual([error]);
    expect(client.stats()).toMatchObject({ queued: 1, inFlight: 1, rejected: 1 });

    gate.release();
    await expect(first).resolves.toMatchObject({ id: 'evt-1' });
    await expect(second).resolves.toMatchObject({ id: 'evt-2' });
    expect(server.uuids).toEqual([['evt-1'], ['evt-2']]);
  });

  it("refuses under 'reject' before reading the event when the queue is full by count", async () => {
    const { gate, client, first } = await oneRequestHeld('reject');
    const second = client.sendAudit({ id: 'evt-2', action: 'a.b' }); // fills the queue
    let reads = 0;
    const refused = client.sendAudit(untyped({ id: 'evt-3', get action() { return (reads++, 'a.b'); } }));

    await expect(refused).rejects.toBeInstanceOf(QueueFullError);
    expect(reads).toBe(0); // not validated, mapped or hashed: the queue could not take it anyway
    expect(client.stats()).toMatchObject({ queued: 1, rejected: 1 });
    gate.release();
    await expect(Promise.all([first, second])).resolves.toHaveLength(2);
  });

  it("waits for room under whenQueueFull 'wait', and eventually sends every event in order", async () => {
    const { gate, client, first } = await oneRequestHeld('wait');
    const rest = [2, 3, 4].map((n) => client.sendAudit({ id: `evt-${n}`, action: 'a.b' }));
    expect(await stateOf(rest[2] as Promise<AuditReceipt>)).toBe('pending');

    gate.release();
    const receipts = await Promise.all([first, ...rest]);
    expect(receipts.map((receipt) => receipt.id)).toEqual(['evt-1', 'evt-2', 'evt-3', 'evt-4']);
    expect(server.uuids.flat()).toEqual(['evt-1', 'evt-2', 'evt-3', 'evt-4']);
    expect(client.stats()).toMatchObject({ accepted: 4, delivered: 4, rejected: 0 });
  });

  it('rejects an event larger than maxQueueBytes instead of waiting forever', async () => {
    const client = newClient({ maxQueueBytes: 100, whenQueueFull: 'wait' });
    const error = await rejectionOf(client.sendAudit({ action: 'a.b', description: 'x'.repeat(110) }));
    expect(error).toBeInstanceOf(ValidationError);
  });
});

describe('close()', () => {
  it('makes later sendAudit and sendAudits reject with ClientClosedError', async () => {
    const client = newClient();
    await client.close();
    expect(await rejectionOf(client.sendAudit({ action: 'a.b' }))).toBeInstanceOf(ClientClosedError);
    expect(await rejectionOf(client.sendAudits([{ action: 'a.b' }]))).toBeInstanceOf(ClientClosedError);
  });

  it('refuses new events as soon as it is called, before it resolves', async () => {
    server.always(accept());
    const client = newClient();
    void client.sendAudit({ action: 'a.b' });
    const closing = client.close();
    expect(await rejectionOf(client.sendAudit({ action: 'a.b' }))).toBeInstanceOf(ClientClosedError);
    await closing;
  });

  it('resolves only after every accepted event has settled, retries included', async () => {
    server.reply(status(503)).always(accept());
    const client = newClient({ flushIntervalMs: 60_000 });
    const settled: string[] = [];
    const sends = [1, 2, 3].map((n) =>
      client.sendAudit({ id: `evt-${n}`, action: 'a.b' }).then((receipt) => {
        settled.push(receipt.id);
      }),
    );
    await client.close();
    expect(settled.sort()).toEqual(['evt-1', 'evt-2', 'evt-3']);
    await Promise.all(sends);
    expect(server.requests).toHaveLength(2);
  });

  it('is idempotent', async () => {
    const client = newClient();
    const once = client.close();
    expect(client.close()).toBe(once);
    await once;
    await expect(client.close()).resolves.toBeUndefined();
  });

  it('fails what is still queued after timeoutMs with TimeoutError', async () => {
    const gate = deferred();
    server.reply(heldUntil(gate.promise));
    const client = newClient({ maxConcurrentRequests: 1 });
    const first = client.sendAudit({ action: 'a.b' });
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    const queued = client.sendAudit({ action: 'a.b' });
    await client.close({ timeoutMs: 30 });
    expect(await rejectionOf(queued)).toBeInstanceOf(TimeoutError);
    await rejectionOf(first);
    gate.release();
  });

  // Regression (found in review): CloseOptions.timeoutMs and close() promise "events still undelivered after timeoutMs fail with
  // TimeoutError", but an event whose request is in flight when the timeout hits rejects with ClientClosedError
  // ("close() timed out after 30 ms"): #shutdown aborts with a ClientClosedError reason and p-retry rethrows it.
  it('fails an event whose request is still in flight after timeoutMs with TimeoutError', async () => {
    const gate = deferred();
    server.reply(heldUntil(gate.promise));
    const client = newClient();
    const inFlight = client.sendAudit({ action: 'a.b' });
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    await client.close({ timeoutMs: 30 });
    expect(await rejectionOf(inFlight)).toBeInstanceOf(TimeoutError);
    gate.release();
  });
});

describe('destroy()', () => {
  it('rejects in-flight and queued events with ClientClosedError at once', async () => {
    const gate = deferred();
    server.reply(heldUntil(gate.promise));
    const client = newClient({ maxConcurrentRequests: 1 });
    const inFlight = client.sendAudit({ action: 'a.b' });
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    const queued = client.sendAudit({ action: 'a.b' });
    await client.destroy();
    expect(await rejectionOf(inFlight)).toBeInstanceOf(ClientClosedError);
    expect(await rejectionOf(queued)).toBeInstanceOf(ClientClosedError);
    expect(await rejectionOf(client.sendAudit({ action: 'a.b' }))).toBeInstanceOf(ClientClosedError);
    expect(server.requests).toHaveLength(1);
    gate.release();
  });

  it('rejects an event waiting out a backoff with ClientClosedError and makes no further attempt', async () => {
    server.reply(status(503, '', { 'Retry-After': '30' })).always(accept());
    const client = newClient();
    const retried = new Promise<void>((resolve) => client.once('retry', () => resolve()));
    const sending = client.sendAudit({ action: 'a.b' });
    await retried;
    await client.destroy();
    expect(await rejectionOf(sending)).toBeInstanceOf(ClientClosedError);
    expect(server.requests).toHaveLength(1);
  });

  it("rejects an event waiting for queue room under whenQueueFull 'wait' with ClientClosedError", async () => {
    const gate = deferred();
    server.reply(heldUntil(gate.promise));
    const client = newClient({ maxQueueSize: 1, maxConcurrentRequests: 1, whenQueueFull: 'wait' });
    void client.sendAudit({ action: 'a.b' });
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    void client.sendAudit({ action: 'a.b' });
    const waiting = client.sendAudit({ action: 'a.b' });
    await client.destroy();
    expect(await rejectionOf(waiting)).toBeInstanceOf(ClientClosedError);
    gate.release();
  });
});

describe('await using', () => {
  it('closes the client at the end of the block, after its events were delivered', async () => {
    server.always(accept());
    let sending: Promise<AuditReceipt> | undefined;
    let escaped: AuditsClient | undefined;
    {
      await using client = newClient({ flushIntervalMs: 60_000 });
      escaped = client;
      sending = client.sendAudit({ action: 'a.b' });
    }
    expect(await stateOf(sending)).toBe('fulfilled');
    expect(server.requests).toHaveLength(1);
    expect(await rejectionOf(escaped.sendAudit({ action: 'a.b' }))).toBeInstanceOf(ClientClosedError);
  });
});

describe('failures nobody awaits', () => {
  it('never become unhandled rejections', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      server.always(status(400, { statusCode: 400, message: 'Bad Request' }));
      const client = newClient({ maxQueueSize: 2 });
      void client.sendAudit({ action: 'delivery.fails' });
      void client.sendAudits([{ action: 'delivery.fails' }]);
      void client.sendAudit({ action: '' });
      void client.sendAudits([untyped({})]);
      void client.sendAudit({ action: 'queue.full' });
      await client.flush();
      await client.close();
      void client.sendAudit({ action: 'after.close' });
      // unhandledRejection is raised once the microtask queue drains; give it a few turns.
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(server.requests.length).toBeGreaterThan(0);
      expect(client.stats().failed).toBeGreaterThan(0);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});

describe('error reporting', () => {
  it("passes a delivery failure to onError and to 'error' listeners", async () => {
    server.always(status(404, { statusCode: 404, message: 'Not Found' }));
    const onError = vi.fn();
    const client = newClient({ onError });
    const listener = vi.fn();
    client.on('error', listener);
    const error = await rejectionOf(client.sendAudit({ action: 'a.b' }));
    expect(error).toBeInstanceOf(DeliveryError);
    expect(onError).toHaveBeenCalledWith(error);
    expect(listener).toHaveBeenCalledWith(error);
  });

  it("passes invalid input to onError and to 'error' listeners too", async () => {
    const onError = vi.fn();
    const client = newClient({ onError });
    const listener = vi.fn();
    client.on('error', listener);
    const error = await rejectionOf(client.sendAudit(untyped({})));
    expect(onError).toHaveBeenCalledWith(error);
    expect(listener).toHaveBeenCalledWith(error);
  });

  it("throws nothing when a failure happens and no 'error' listener is attached", async () => {
    server.always(status(400, { statusCode: 400, message: 'Bad Request' }));
    const client = newClient();
    expect(client.listenerCount('error')).toBe(0);
    const error = await rejectionOf(client.sendAudit({ action: 'a.b' }));
    expect((error as DeliveryError).status).toBe(400);
    await expect(client.flush()).resolves.toBeUndefined();
    expect(await rejectionOf(client.sendAudit(untyped({})))).toBeInstanceOf(ValidationError);
    expect(client.stats()).toMatchObject({ failed: 1, rejected: 1 });
  });

  it('logs an onError callback that throws instead of letting it escape', async () => {
    server.always(status(400));
    const logger = { debug: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const client = newClient({
      logger,
      onError: () => {
        throw new Error('callback blew up');
      },
    });
    const error = await rejectionOf(client.sendAudit({ action: 'a.b' }));
    expect(error).toBeInstanceOf(DeliveryError);
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('callback blew up'));
  });
});

describe('constructor options', () => {
  function constructionError(options: ConstructorParameters<typeof AuditsClient>[0]): ValidationError {
    let client: AuditsClient | undefined;
    try {
      client = new AuditsClient(options);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return error as ValidationError;
    }
    void client.destroy();
    return expect.fail('expected the constructor to throw');
  }

  it('refuses a plain http:// endpoint that is not loopback without allowInsecureHttp', () => {
    const error = constructionError({ adapter: 'auditlog', endpoint: 'http://example.com', apiKey: 'consumer:secret' });
    expect(error.issues.map((issue) => issue.path)).toEqual(['options.endpoint']);
  });

  it('says that 0.0.0.0 is a listen address and names the loopback endpoint to use instead', () => {
    for (const [endpoint, instead] of [['http://0.0.0.0:4318', 'http://127.0.0.1:4318'], ['http://[::]:4318', 'http://[::1]:4318']] as const) {
      const error = constructionError({ adapter: 'auditlog', endpoint, apiKey: 'consumer:secret' });
      expect(error.issues).toEqual([{ path: 'options.endpoint', message: expect.stringContaining(`listen address, not one to connect to: use ${instead}`) }]);
    }
  });

  it('accepts that endpoint when allowInsecureHttp is set', async () => {
    const client = new AuditsClient({ adapter: 'auditlog', endpoint: 'http://example.com', apiKey: 'consumer:secret', allowInsecureHttp: true });
    expect(client.adapter).toBe('auditlog');
    await client.close();
  });

  it('refuses a missing apiKey', () => {
    vi.stubEnv('AUDITWIRE_API_KEY', '');
    const error = constructionError({ adapter: 'auditlog', endpoint: ENDPOINT });
    expect(error.issues.map((issue) => issue.path)).toEqual(['options.apiKey']);
  });

  it('refuses an apiKey without a colon (AuditLog.co keys are consumerId:secret)', () => {
    const error = constructionError({ adapter: 'auditlog', endpoint: ENDPOINT, apiKey: 'justasecretvalue' });
    expect(error.issues.map((issue) => issue.path)).toEqual(['options.apiKey']);
    expect(error.message).not.toContain('justasecretvalue');
  });

  it('refuses an apiKey containing CR LF (header injection)', () => {
    const error = constructionError({ adapter: 'auditlog', endpoint: ENDPOINT, apiKey: 'consumer:secret\r\nX-Injected: 1' });
    expect(error.issues.map((issue) => issue.path)).toEqual(['options.apiKey']);
    expect(error.message).not.toContain('secret');
  });

  it('lists every problem at once', () => {
    const error = constructionError({ adapter: 'auditlog', endpoint: 'ftp://example.com', apiKey: 'consumer:secret', maxBatchSize: 0, verify: 'sometimes' as 'off' });
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['options.endpoint', 'options.maxBatchSize', 'options.verify']);
  });
});

describe('the apiKey', () => {
  const SECRET = 'Sup3rS3cret-do-not-leak';
  const KEY = `consumer-77:${SECRET}`;

  it('never appears in inspect(client), stats(), failure messages or anything logged', async () => {
    server
      .reply(status(503, { statusCode: 503, message: 'busy' }))
      .reply(accept())
      .reply(status(401, { statusCode: 401, message: 'Unauthorized' }))
      .reply(status(403, { statusCode: 403, message: 'Forbidden' }))
      .reply(status(400, { statusCode: 400, message: 'Bad Request' }));
    const logged: unknown[] = [];
    const record = (...args: unknown[]): void => {
      logged.push(args);
    };
    const logger: Logger = { debug: vi.fn(record), warn: vi.fn(record), error: vi.fn(record) };
    const reported: unknown[] = [];
    const client = newClient({ apiKey: KEY, logger, maxBatchSize: 1, maxConcurrentRequests: 1, onError: (error) => reported.push(error) });
    client.on('retry', (info) => reported.push(info));

    await client.sendAudit({ action: 'a.b' });
    const auth401 = await rejectionOf(client.sendAudit({ action: 'a.b' }));
    const auth403 = await rejectionOf(client.sendAudit({ action: 'a.b' }));
    const bad = await rejectionOf(client.sendAudit({ action: 'a.b' }));
    await rejectionOf(client.sendAudit(untyped({})));
    await client.close();
    await rejectionOf(client.sendAudit({ action: 'a.b' }));

    expect(server.requests[0]?.headers['x-api-key']).toBe(KEY); // the key was really in use
    expect(auth401).toBeInstanceOf(AuthenticationError);
    expect(auth403).toBeInstanceOf(AuthenticationError);
    expect(logger.warn).toHaveBeenCalled();
    const texts = [
      inspect(client, { showHidden: true, depth: Infinity }),
      JSON.stringify(client.stats()),
      ...[auth401, auth403, bad].flatMap((error) => [(error as Error).message, inspect(error, { depth: Infinity }), JSON.stringify(error)]),
      inspect(logged, { depth: Infinity }),
      inspect(reported, { depth: Infinity }),
    ];
    for (const text of texts) expect(text).not.toContain(SECRET);
  });
});
