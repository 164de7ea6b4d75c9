import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { auditFastify, auditRequest, loginEvent, ValidationError, type AuditEvent } from '../../../src/index.js';
import { fetchFrom, forbidUnhandledRejections, RecordingSender, signal, SPOOF_CASES, SPOOFED, spoofOptions, type RequestOptions } from './helpers.js';

forbidUnhandledRejections();

declare module 'fastify' {
  interface FastifyRequest {
    loginAudit: AuditEvent | undefined;
  }
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/** Starts `app` on 127.0.0.1 and a free port, sends one request, and closes it after the test. */
async function serveOnce(app: FastifyInstance, options: RequestOptions = {}): Promise<{ status: number; body: string }> {
  apps.push(app);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return fetchFrom(url, options);
}

const READ: AuditEvent = { action: 'page.view', crud: 'r' };

describe('auditFastify', () => {
  it.each(SPOOF_CASES)('with $name records $expected for a spoofed X-Forwarded-For', async (spoof) => {
    const sender = new RecordingSender();
    const app = Fastify();
    app.addHook('onRequest', auditFastify(sender, () => READ, spoofOptions(spoof)));
    app.get('/', async () => 'ok');
    expect((await serveOnce(app, { headers: SPOOFED })).body).toBe('ok');
    expect((await sender.event()).ip).toBe(spoof.expected);
  });

  it("is independent of Fastify's own trustProxy (which would believe the header)", async () => {
    const sender = new RecordingSender();
    const app = Fastify({ trustProxy: true });
    app.addHook('onRequest', auditFastify(sender, (request: FastifyRequest) => ({ ...READ, fields: { fastifyIp: request.ip } })));
    app.get('/', async () => 'ok');
    await serveOnce(app, { headers: SPOOFED });
    const event = await sender.event();
    expect(event.fields?.fastifyIp).toBe('6.6.6.6');
    expect(event.ip).toBe('127.0.0.1');
  });

  it('builds a login event from what the route decided, with the failure of a 401, as a route-level hook', async () => {
    const sender = new RecordingSender();
    const app = Fastify();
    app.decorateRequest('loginAudit', undefined);
    app.post<{ Body: { username: string } }>(
      '/login',
      { onRequest: auditFastify(sender, (request: FastifyRequest) => request.loginAudit) },
      async (request, reply) => {
        request.loginAudit = loginEvent({ outcome: 'failure', reason: 'unknown_user', req: request.raw });
        return reply.code(401).send({ ok: false });
      },
    );
    const answer = await serveOnce(app, { method: 'POST', path: '/login?next=/billing', headers: { 'content-type': 'application/json' }, body: '{"username":"nobody"}' });
    expect(answer.status).toBe(401);
    const event = await sender.event();
    expect(event).toEqual({
      action: 'user.login.failed',
      crud: 'c',
      outcome: 'failure',
      anonymous: true,
      fields: { reason: 'unknown_user' },
      ip: '127.0.0.1',
      url: '/login', // loginEvent leaves the query out; its url wins over the hook's
    });
    expect(event.actor).toBeUndefined();
  });

  it('records outcome failure for a 500 from a throwing handler', async () => {
    const sender = new RecordingSender();
    const app = Fastify();
    app.addHook('onRequest', auditFastify(sender, () => READ));
    app.get('/broken', async () => {
      throw new Error('handler bug');
    });
    expect((await serveOnce(app, { path: '/broken' })).status).toBe(500);
    expect((await sender.event()).outcome).toBe('failure');
  });

  it('reports a throwing builder to onError and answers the request normally', async () => {
    const reported = signal<unknown>();
    const app = Fastify();
    app.addHook(
      'onRequest',
      auditFastify(
        new RecordingSender(),
        () => {
          throw new Error('builder bug');
        },
        { onError: (error) => reported.resolve(error) },
      ),
    );
    app.get('/', async () => 'fine');
    expect(await serveOnce(app)).toEqual({ status: 200, body: 'fine' });
    expect(await reported.promise).toBeInstanceOf(ValidationError);
  });

  it('also works as the documented one-liner over auditRequest with request.raw and reply.raw', async () => {
    const sender = new RecordingSender();
    const audit = auditRequest(sender, () => READ);
    const app = Fastify();
    app.addHook('onRequest', (request, reply, done) => audit(request.raw, reply.raw, done));
    app.get('/', async (_request, reply) => reply.code(404).send('none'));
    expect((await serveOnce(app, { headers: SPOOFED })).status).toBe(404);
    expect(await sender.event()).toEqual({ ...READ, ip: '127.0.0.1', url: '/', outcome: 'failure' });
  });
});
