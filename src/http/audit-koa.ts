import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditEvent } from '../event/schema.js';
import { auditSettings } from './audit-request.js';
import { auditWhenDone, type AuditRequestOptions, type AuditSender } from './audit-when-done.js';

/**
 * The part of a Koa context the middleware uses (typed structurally, so auditwire does not depend on Koa).
 * @example
 * ```ts
 * auditKoa(client, (ctx: Koa.Context) => ({ action: 'http.request', crud: 'r', actor: { id: ctx.state.user.id } }));
 * ```
 */
export interface KoaLikeContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

/**
 * A Koa middleware.
 * @example
 * ```ts
 * app.use(auditKoa(client, () => ({ action: 'http.request', crud: 'r' })));
 * ```
 */
export type KoaAuditMiddleware<Context extends KoaLikeContext> = (ctx: Context, next: () => Promise<unknown>) => Promise<unknown>;

/**
 * `auditRequest` as Koa middleware: the builder gets the Koa context (so `ctx.state.user` and `ctx.status` are
 * at hand) and runs once `ctx.res` has finished, with the same rules as `auditRequest` (context from `ctx.req`,
 * `outcome: 'failure'` for status >= 400, never delaying or throwing). Put it first, so that a status set by
 * Koa's error handling (500 for a throw) is what it sees.
 *
 * @example
 * ```ts
 * import Koa from 'koa';
 * import { auditKoa } from 'auditwire';
 *
 * const app = new Koa();
 * app.use(auditKoa(client, (ctx: Koa.Context) =>
 *   ctx.path.startsWith('/admin') ? { action: `admin.${ctx.method.toLowerCase()}`, crud: 'u', actor: { id: ctx.state.user.id } } : undefined,
 * ));
 * ```
 */
export function auditKoa<Context extends KoaLikeContext = KoaLikeContext>(
  client: AuditSender,
  build: (ctx: Context) => AuditEvent | undefined,
  options: AuditRequestOptions = {},
): KoaAuditMiddleware<Context> {
  const settings = auditSettings(options);
  return (ctx, next) => {
    auditWhenDone(client, ctx.req, ctx.res, () => build(ctx), settings);
    return next();
  };
}
