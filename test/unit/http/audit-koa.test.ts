import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { auditKoa, auditRequest, ValidationError, type AuditEvent } from '../../../src/index.js';
import { fetchFrom, forbidUnhandledRejections, listen, RecordingSender, signal, SPOOF_CASES, SPOOFED, spoofOptions, type Listening, type RequestOptions } from './helpers.js';

forbidUnhandledRejections();

const servers: Listening[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serveOnce(app: Koa, options: RequestOptions = {}): Promise<{ status: number; body: string }> {
  const server = await listen(app.callback());
  servers.push(server);
  return fetchFrom(server.url, options);
}

/** A Koa app whose errors are answered without Koa printing them (they are expected here). */
function quietKoa(): Koa {
  const app = new Koa();
  app.silent = true;
  return app;
}

const READ: AuditEvent = { action: 'page.view', crud: 'r' };

describe('auditKoa', () => {
  it.each(SPOOF_CASES)('with $name records $expected for a spoofed X-Forwarded-For', async (spoof) => {
    const sender = new RecordingSender();
    const app = quietKoa();
    app.use(auditKoa(sender, () => READ, spoofOptions(spoof)));
    app.use((ctx) => {
      ctx.body = 'ok';
    });
    expect((await serveOnce(app, { headers: SPOOFED })).body).toBe('ok');
    expect((await sender.event()).ip).toBe(spoof.expected);
  });

  it("is independent of Koa's own app.proxy (which would believe the header)", async () => {
    const sender = new RecordingSender();
    const app = quietKoa();
    app.proxy = true;
    app.use(auditKoa(sender, (ctx: Koa.Context) => ({ ...READ, fields: { koaIp: ctx.ip } })));
    app.use((ctx) => {
      ctx.body = 'ok';
    });
    await serveOnce(app, { headers: SPOOFED });
    const event = await sender.event();
    expect(event.fields?.koaIp).toBe('6.6.6.6');
    expect(event.ip).toBe('127.0.0.1');
  });

  it('gives the builder the context, with the state downstream middleware left and the final status', async () => {
    const sender = new RecordingSender();
    const app = quietKoa();
    app.use(auditKoa(sender, (ctx: Koa.ParameterizedContext<{ userId?: string }>) => ({ ...READ, actor: { id: ctx.state.userId ?? 'none' }, fields: { status: String(ctx.status) } })));
    app.use((ctx) => {
      ctx.state.userId = 'user-42';
      ctx.status = 403;
      ctx.body = 'forbidden';
    });
    expect((await serveOnce(app, { path: '/admin?x=1' })).status).toBe(403);
    expect(await sender.event()).toEqual({ ...READ, actor: { id: 'user-42' }, fields: { status: '403' }, ip: '127.0.0.1', url: '/admin?x=1', outcome: 'failure' });
  });

  it('records outcome failure for the 500 Koa answers when downstream middleware throws', async () => {
    const sender = new RecordingSender();
    const app = quietKoa();
    app.use(auditKoa(sender, () => READ));
    app.use(() => {
      throw new Error('handler bug');
    });
    expect((await serveOnce(app)).status).toBe(500);
    expect((await sender.event()).outcome).toBe('failure');
  });

  it('reports a throwing builder to onError and answers the request normally', async () => {
    const reported = signal<unknown>();
    const app = quietKoa();
    app.use(
      auditKoa(
        new RecordingSender(),
        () => {
          throw new Error('builder bug');
        },
        { onError: (error) => reported.resolve(error) },
      ),
    );
    app.use((ctx) => {
      ctx.body = 'fine';
    });
    expect(await serveOnce(app)).toEqual({ status: 200, body: 'fine' });
    expect(await reported.promise).toBeInstanceOf(ValidationError);
  });

  it('also works as the documented one-liner over auditRequest with ctx.req and ctx.res', async () => {
    const sender = new RecordingSender();
    const audit = auditRequest(sender, () => READ);
    const app = quietKoa();
    app.use((ctx, next) => {
      audit(ctx.req, ctx.res);
      return next();
    });
    app.use((ctx) => {
      ctx.body = 'ok';
    });
    await serveOnce(app, { headers: SPOOFED });
    expect(await sender.event()).toEqual({ ...READ, ip: '127.0.0.1', url: '/' });
  });
});
