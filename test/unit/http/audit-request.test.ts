import express from 'express';
import { request, type RequestListener } from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuditsClient,
  AuthenticationError,
  ValidationError,
  auditRequest,
  type AuditEvent,
  type AuditReceipt,
  type AuditsError,
} from '../../../src/index.js';
import { createReferenceServer, type ReferenceServer } from '../../../src/testing.js';
import { fetchFrom, forbidUnhandledRejections, listen, RecordingSender, signal, SPOOF_CASES, SPOOFED, spoofOptions, turns, type Answer, type RequestOptions } from './helpers.js';
import { captureWarnings } from '../../helpers/warnings.js';

// Warnings here are on purpose: captured and asserted, not printed.
const warnings = captureWarnings();

forbidUnhandledRejections();

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Serves `handler` on 127.0.0.1 for this test only and sends one request to it. */
async function serveOnce(handler: RequestListener, options: RequestOptions = {}): Promise<Answer> {
  const server = await listen(handler);
  cleanups.push(() => server.close());
  return fetchFrom(server.url, options);
}

async function referenceServer(options: Parameters<typeof createReferenceServer>[0] = {}): Promise<ReferenceServer> {
  const server = await createReferenceServer(options);
  cleanups.push(() => server.close());
  return server;
}

function retracedClient(endpoint: string, apiKey = 'retraced-token'): AuditsClient {
  const client = new AuditsClient({ adapter: 'retraced', endpoint, projectId: 'project-1', apiKey, flushIntervalMs: 0, server: { id: 'test', version: '1' } });
  cleanups.push(() => client.destroy());
  return client;
}

const READ: AuditEvent = { action: 'page.view', crud: 'r' };

describe('auditRequest on node:http', () => {
  it('sends the built event after the response has finished, completed with the request context', async () => {
    const sender = new RecordingSender();
    let finishedWhenBuilt: boolean | undefined;
    const audit = auditRequest(sender, (_req, res) => {
      finishedWhenBuilt = res.writableFinished;
      return { ...READ, actor: { id: 'user-42' } };
    });
    const answer = await serveOnce((req, res) => {
      audit(req, res);
      res.end('hello');
    }, { path: '/reports/7?tab=usage', headers: { 'user-agent': 'Mozilla/5.0' } });

    expect(answer).toEqual({ status: 200, body: 'hello' });
    expect(await sender.event()).toEqual({ ...READ, actor: { id: 'user-42' }, ip: '127.0.0.1', userAgent: 'Mozilla/5.0', url: '/reports/7?tab=usage' });
    expect(finishedWhenBuilt).toBe(true);
  });

  it('keeps the members the builder set over the request context, and its own outcome', async () => {
    const sender = new RecordingSender();
    const audit = auditRequest(sender, () => ({ ...READ, ip: '198.51.100.1', url: '/custom', userAgent: 'builder', outcome: 'success' }));
    await serveOnce((req, res) => {
      audit(req, res);
      res.writeHead(403).end();
    }, { headers: { 'user-agent': 'real' } });
    expect(await sender.event()).toEqual({ ...READ, ip: '198.51.100.1', url: '/custom', userAgent: 'builder', outcome: 'success' });
  });

  it.each([400, 401, 404, 429, 500, 503])('records outcome failure for status %i', async (status) => {
    const sender = new RecordingSender();
    const audit = auditRequest(sender, () => READ);
    await serveOnce((req, res) => {
      audit(req, res);
      res.writeHead(status).end();
    });
    expect((await sender.event()).outcome).toBe('failure');
  });

  it.each([200, 204, 302, 399])('leaves the outcome to its default (success) for status %i', async (status) => {
    const sender = new RecordingSender();
    const audit = auditRequest(sender, () => READ);
    await serveOnce((req, res) => {
      audit(req, res);
      res.writeHead(status).end();
    });
    expect(Object.hasOwn(await sender.event(), 'outcome')).toBe(false);
  });

  it('audits nothing when the builder returns undefined', async () => {
    const sender = new RecordingSender();
    const built = signal();
    const audit = auditRequest(sender, () => {
      built.resolve();
      return undefined;
    });
    await serveOnce((req, res) => {
      audit(req, res);
      res.end();
    });
    await built.promise;
    await turns();
    expect(sender.events).toEqual([]);
  });

  it('does not hold the response while a send never settles', async () => {
    const sender = new RecordingSender();
    sender.reply = () => new Promise(() => {});
    const audit = auditRequest(sender, () => READ);
    const handler: RequestListener = (req, res) => {
      audit(req, res);
      res.end('done');
    };
    const first = await serveOnce(handler);
    const second = await serveOnce(handler);
    expect([first.body, second.body]).toEqual(['done', 'done']);
    await sender.event(1);
    expect(sender.events).toHaveLength(2);
  });

  it('builds the event only after the handler has answered, however long the handler takes', async () => {
    const sender = new RecordingSender();
    const order: string[] = [];
    const audit = auditRequest(sender, () => {
      order.push('built');
      return READ;
    });
    await serveOnce((req, res) => {
      audit(req, res);
      setImmediate(() => {
        order.push('answered');
        res.end();
      });
    });
    await sender.event();
    expect(order).toEqual(['answered', 'built']);
  });

  it('reports a throwing builder to onError, with the request, and answers the request normally', async () => {
    const sender = new RecordingSender();
    const reported = signal<[unknown, string | undefined]>();
    const boom = new TypeError('res.locals.user is undefined');
    const audit = auditRequest(
      sender,
      () => {
        throw boom;
      },
      { onError: (error, req) => reported.resolve([error, req.url]) },
    );
    const answer = await serveOnce((req, res) => {
      audit(req, res);
      res.end('still fine');
    }, { path: '/settings' });

    expect(answer).toEqual({ status: 200, body: 'still fine' });
    const [error, url] = await reported.promise;
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain('the audit builder threw: res.locals.user is undefined');
    expect((error as Error).cause).toBe(boom);
    expect(url).toBe('/settings');
    expect(sender.events).toEqual([]);
  });

  it('reports a send that throws synchronously or rejects, never as an unhandled rejection', async () => {
    const errors: unknown[] = [];
    const both = signal();
    const onError = (error: unknown): void => {
      errors.push(error);
      if (errors.length === 2) both.resolve();
    };
    const throwing = new RecordingSender();
    throwing.sendAudit = () => {
      throw new Error('sync failure');
    };
    const rejecting = new RecordingSender();
    rejecting.reply = () => Promise.reject(new Error('async failure'));
    const audits = [auditRequest(throwing, () => READ, { onError }), auditRequest(rejecting, () => READ, { onError })];
    const answer = await serveOnce((req, res) => {
      for (const audit of audits) audit(req, res);
      res.end('ok');
    });
    expect(answer.body).toBe('ok');
    await both.promise;
    expect(errors.map((error) => (error as Error).message).sort()).toEqual(['async failure', 'sync failure']);
  });

  it('survives an onError that throws (a process warning, not a crash)', async () => {
    const warned = warnings.next();
    const audit = auditRequest(
      new RecordingSender(),
      () => {
        throw new Error('builder');
      },
      {
        onError: () => {
          throw new Error('onError itself');
        },
      },
    );
    expect((await serveOnce((req, res) => {
      audit(req, res);
      res.end('ok');
    })).body).toBe('ok');
    expect(await warned).toContain('onError itself');
  });

  it('audits a request whose client disconnected before the answer, as a failure the builder can recognize', async () => {
    const sender = new RecordingSender();
    const received = signal();
    const release = signal();
    let finished: boolean | undefined;
    const audit = auditRequest(sender, (_req, res) => {
      finished = res.writableFinished;
      return READ;
    });
    const server = await listen((req, res) => {
      audit(req, res);
      received.resolve();
      void release.promise.then(() => res.end('too late'));
    });
    cleanups.push(() => server.close());

    const outgoing = request(server.url, { agent: false });
    const gone = once(outgoing, 'error'); // the client side of the aborted request
    outgoing.end();
    await received.promise;
    outgoing.destroy();
    await gone;

    expect(await sender.event()).toMatchObject({ ...READ, outcome: 'failure' });
    expect(finished).toBe(false);
    release.resolve();
    await turns();
    expect(sender.events).toHaveLength(1); // once, not again at a later 'finish'
  });

  it('works with or without a next callback', async () => {
    const sender = new RecordingSender();
    const audit = auditRequest(sender, () => READ);
    let nextCalls = 0;
    await serveOnce((req, res) => {
      audit(req, res, () => void nextCalls++);
      audit(req, res);
      res.end();
    });
    await sender.event(1);
    expect(nextCalls).toBe(1);
  });

  it('reads the request context when the middleware runs, before the handler can change req.url', async () => {
    const sender = new RecordingSender();
    const audit = auditRequest(sender, () => READ);
    await serveOnce((req, res) => {
      audit(req, res);
      req.url = '/rewritten';
      res.end();
    }, { path: '/original' });
    expect((await sender.event()).url).toBe('/original');
  });

  it.each(SPOOF_CASES)('with $name records $expected for a spoofed X-Forwarded-For', async (spoof) => {
    const sender = new RecordingSender();
    const audit = auditRequest(sender, () => READ, spoofOptions(spoof));
    await serveOnce((req, res) => {
      audit(req, res);
      res.end();
    }, { headers: SPOOFED });
    expect((await sender.event()).ip).toBe(spoof.expected);
  });

  it('refuses a malformed trustProxy when it is created, not per request', () => {
    expect(() => auditRequest(new RecordingSender(), () => READ, { trustProxy: ['10.0.0.0/99'] })).toThrow(ValidationError);
  });
});

describe('auditRequest with an AuditsClient and the reference server', () => {
  it('stores the event with the socket address despite a spoofed header, and the failure of a 401, verified', async () => {
    const reference = await referenceServer();
    const client = retracedClient(reference.url);
    const delivered = once(client, 'delivered') as Promise<[AuditReceipt]>;
    const app = express();
    app.post(
      '/login',
      auditRequest(client, (_req: express.Request, res: express.Response) => ({ action: 'user.login.failed', crud: 'c', anonymous: true, fields: { status: String(res.statusCode) } })),
      (_req, res) => {
        res.status(401).json({ error: 'invalid credentials' });
      },
    );
    const answer = await serveOnce(app, { method: 'POST', path: '/login', headers: { ...SPOOFED, 'user-agent': 'test-agent' } });
    expect(answer.status).toBe(401);

    const [receipt] = await delivered;
    expect(receipt.verified).toBe(true);
    const stored = reference.events.find((event) => event.eventId === receipt.id);
    expect(stored?.body).toMatchObject({
      action: 'user.login.failed',
      source_ip: '127.0.0.1',
      is_failure: true,
      is_anonymous: true,
      fields: { status: '401' },
      metadata: { url: '/login', user_agent: 'test-agent' },
    });
  });

  it('reports an invalid event to the client and to onError; the request is answered and nothing is stored', async () => {
    const reference = await referenceServer();
    const client = retracedClient(reference.url);
    const clientSaw = once(client, 'error') as Promise<[AuditsError]>;
    const reported = signal<unknown>();
    const audit = auditRequest(client, () => ({ action: 'user.login' }), { onError: (error) => reported.resolve(error) }); // Retraced needs crud
    const answer = await serveOnce((req, res) => {
      audit(req, res);
      res.end('ok');
    });
    expect(answer.body).toBe('ok');
    const error = await reported.promise;
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toContainEqual(expect.objectContaining({ path: '$.crud' }));
    expect((await clientSaw)[0]).toBe(error);
    await client.flush();
    expect(reference.events).toEqual([]);
  });

  it('reports a failed delivery (refused credentials) to onError without touching the request', async () => {
    const reference = await referenceServer({ credentials: { retraced: 'the-right-token' } });
    const client = retracedClient(reference.url, 'a-wrong-token');
    client.on('error', () => {}); // observed below through onError
    const reported = signal<unknown>();
    const audit = auditRequest(client, () => READ, { onError: (error) => reported.resolve(error) });
    const answer = await serveOnce((req, res) => {
      audit(req, res);
      res.end('ok');
    });
    expect(answer).toEqual({ status: 200, body: 'ok' });
    expect(await reported.promise).toBeInstanceOf(AuthenticationError);
  });

  it("reports a throwing builder to the client's 'error' listeners when there is no onError", async () => {
    const reference = await referenceServer();
    const client = retracedClient(reference.url);
    const clientSaw = once(client, 'error') as Promise<[AuditsError]>;
    const audit = auditRequest(client, () => {
      throw new Error('no user on this request');
    });
    await serveOnce((req, res) => {
      audit(req, res);
      res.end();
    });
    const [error] = await clientSaw;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain('no user on this request');
  });

  it("emits a process warning for a throwing builder when nobody listens (never a throw, never silence)", async () => {
    const reference = await referenceServer();
    const client = retracedClient(reference.url);
    const warned = warnings.next();
    const audit = auditRequest(client, () => {
      throw new Error('unobserved builder failure');
    });
    expect((await serveOnce((req, res) => {
      audit(req, res);
      res.end('ok');
    })).body).toBe('ok');
    expect(await warned).toContain('unobserved builder failure');
  });
});

describe('auditRequest in Express', () => {
  it('records outcome failure for an error Express turns into a 500, and reads originalUrl in a router', async () => {
    const sender = new RecordingSender();
    const app = express();
    const router = express.Router();
    // The builder runs after Express has restored req.url and req.baseUrl: what it needs, the handler leaves on res.locals.
    router.use(auditRequest(sender, (_req: express.Request, res: express.Response) => ({ ...READ, fields: { route: String(res.locals.route) } })));
    router.get('/broken', (_req, res) => {
      res.locals.route = 'broken';
      throw new Error('handler bug');
    });
    app.use('/api', router);
    app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).send('sorry');
    });
    const answer = await serveOnce(app, { path: '/api/broken?x=1' });
    expect(answer.status).toBe(500);
    expect(await sender.event()).toEqual({ ...READ, fields: { route: 'broken' }, ip: '127.0.0.1', url: '/api/broken?x=1', outcome: 'failure' });
  });

  it.each(SPOOF_CASES)('with $name records $expected for a spoofed X-Forwarded-For', async (spoof) => {
    const sender = new RecordingSender();
    const app = express();
    app.use(auditRequest(sender, () => READ, spoofOptions(spoof)));
    app.get('/', (_req, res) => {
      res.send('ok');
    });
    expect((await serveOnce(app, { headers: SPOOFED })).body).toBe('ok');
    expect((await sender.event()).ip).toBe(spoof.expected);
  });

  it("is independent of Express's own trust proxy setting (which would believe the header)", async () => {
    const sender = new RecordingSender();
    const app = express();
    app.set('trust proxy', true);
    app.use(auditRequest(sender, (req: express.Request) => ({ ...READ, fields: { expressIp: req.ip ?? '' } })));
    app.get('/', (_req, res) => {
      res.send('ok');
    });
    await serveOnce(app, { headers: SPOOFED });
    const event = await sender.event();
    expect(event.fields?.expressIp).toBe('6.6.6.6');
    expect(event.ip).toBe('127.0.0.1');
  });
});
