import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditEvent } from '../event/schema.js';
import { auditWhenDone, type AuditRequestOptions, type AuditSender, type AuditSettings } from './audit-when-done.js';
import { contextReader } from './request-context.js';

/**
 * Builds the audit event of a finished request, or returns `undefined` to audit nothing. Called once, after the
 * response has finished (so `res.statusCode` is final and whatever your handler stored, e.g. on `res.locals`, is
 * there), or when the connection closed before that (`res.writableFinished` is then `false`). By then Express has
 * restored `req.url` and `req.baseUrl`: keep what you need on `res.locals`.
 * @example
 * ```ts
 * const build: AuditBuilder<express.Request, express.Response> = (req, res) =>
 *   res.locals.auditAction === undefined ? undefined : { action: res.locals.auditAction, crud: 'u', actor: { id: res.locals.user.id } };
 * ```
 */
export type AuditBuilder<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse> = (
  req: Req,
  res: Res,
) => AuditEvent | undefined;

/**
 * Express/Connect middleware. `next` is optional, so it can be called from a plain node:http handler too, and it
 * is always called without an error (auditing never fails a request), so Fastify's `done` fits as well.
 * @example
 * ```ts
 * const audit: AuditMiddleware = auditRequest(client, () => ({ action: 'http.request', crud: 'r' }));
 * app.use(audit);                                                             // Express
 * http.createServer((req, res) => { audit(req, res); handle(req, res); });   // node:http
 * ```
 */
export type AuditMiddleware<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse> = (
  req: Req,
  res: Res,
  next?: () => void,
) => void;

/**
 * Middleware that audits each request once its response has finished. It never delays the response and never
 * throws into the request: the builder runs after the response is sent, and a builder that throws, an invalid
 * event or a failed send is reported (the `onError` option; an `AuditsClient` also reports the last two to its
 * own `'error'`/`onError`), never an unhandled rejection.
 *
 * The event the builder returns is completed with:
 * - `ip`, `userAgent`, `url` from `requestContext(req, options)`, each unless the builder set it
 *   (`X-Forwarded-For` only with `trustProxy`);
 * - `outcome: 'failure'` when the status is >= 400 or the connection closed before the response finished,
 *   unless the builder set an outcome.
 *
 * A request whose connection closes before the response finished is audited too (the handler may have acted;
 * skipping it would let a client keep attempts out of the log by disconnecting); the builder can tell it by
 * `res.writableFinished === false`.
 *
 * Fastify and Koa: see `auditFastify` and `auditKoa`, or call the middleware yourself with the raw objects:
 * `fastify.addHook('onRequest', (request, reply, done) => audit(request.raw, reply.raw, done))`,
 * `app.use((ctx, next) => { audit(ctx.req, ctx.res); return next(); })`.
 *
 * @throws ValidationError at creation when `trustProxy` or `proxyHeader` is malformed (never per request).
 * @example
 * ```ts
 * import express from 'express';
 * import { AuditsClient, auditRequest } from 'auditwire';
 *
 * const client = new AuditsClient({ adapter: 'retraced', endpoint, projectId, apiKey });
 * const app = express();
 * app.delete(
 *   '/api-keys/:id',
 *   auditRequest(client, (req: express.Request, res: express.Response) => ({
 *     action: 'api_key.delete',
 *     crud: 'd',
 *     actor: { id: res.locals.user.id },
 *     target: { id: req.params.id as string, type: 'api_key' },
 *   }), { trustProxy: 'loopback' }),
 *   deleteApiKey,
 * );
 *
 * // Plain node:http: call it first in the handler.
 * const audit = auditRequest(client, (req, res) => ({ action: 'http.request', crud: 'r', fields: { status: String(res.statusCode) } }));
 * http.createServer((req, res) => { audit(req, res); res.end('ok'); });
 * ```
 */
export function auditRequest<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse>(
  client: AuditSender,
  build: AuditBuilder<Req, Res>,
  options: AuditRequestOptions = {},
): AuditMiddleware<Req, Res> {
  const settings = auditSettings(options);
  return (req, res, next) => {
    auditWhenDone(client, req, res, () => build(req, res), settings);
    next?.();
  };
}

/** Compiles the options once per middleware. */
export function auditSettings(options: AuditRequestOptions): AuditSettings {
  return { context: contextReader(options), onError: options.onError };
}
