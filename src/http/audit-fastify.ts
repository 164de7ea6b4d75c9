import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditEvent } from '../event/schema.js';
import { auditSettings } from './audit-request.js';
import { auditWhenDone, type AuditRequestOptions, type AuditSender } from './audit-when-done.js';

/**
 * The part of a Fastify request the hook uses (typed structurally, so auditwire does not depend on Fastify).
 * @example
 * ```ts
 * auditFastify(client, (request: FastifyRequest) => ({ action: 'http.request', crud: 'r', url: request.url }));
 * ```
 */
export interface FastifyLikeRequest {
  readonly raw: IncomingMessage;
}

/**
 * The part of a Fastify reply the hook uses.
 * @example
 * ```ts
 * auditFastify(client, (_request, reply: FastifyReply) => ({ action: 'http.request', crud: 'r', fields: { status: String(reply.statusCode) } }));
 * ```
 */
export interface FastifyLikeReply {
  readonly raw: ServerResponse;
}

/**
 * A Fastify `onRequest` hook in callback style.
 * @example
 * ```ts
 * fastify.addHook('onRequest', auditFastify(client, () => ({ action: 'http.request', crud: 'r' })));
 * ```
 */
export type FastifyAuditHook<Request extends FastifyLikeRequest, Reply extends FastifyLikeReply> = (
  request: Request,
  reply: Reply,
  done: () => void,
) => void;

/**
 * `auditRequest` as a Fastify `onRequest` hook: the builder gets Fastify's own `request` and `reply` (with your
 * decorations, e.g. `request.user`), and runs once `reply.raw` has finished, with the same rules as
 * `auditRequest` (context from `request.raw`, `outcome: 'failure'` for status >= 400, never delaying or throwing).
 *
 * Why `onRequest` and not `onResponse`: the context is read while the socket is surely open, and a request
 * whose client disconnects early (which never reaches `onResponse`) is audited too.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { auditFastify, loginEvent } from 'auditwire';
 *
 * const fastify = Fastify();
 * // Every route:
 * fastify.addHook('onRequest', auditFastify(client, (request, reply) => ({ action: 'http.request', crud: 'r' })));
 * // One route:
 * fastify.post('/login', { onRequest: auditFastify(client, (request: FastifyRequest) => request.loginAudit) }, login);
 * ```
 */
export function auditFastify<Request extends FastifyLikeRequest = FastifyLikeRequest, Reply extends FastifyLikeReply = FastifyLikeReply>(
  client: AuditSender,
  build: (request: Request, reply: Reply) => AuditEvent | undefined,
  options: AuditRequestOptions = {},
): FastifyAuditHook<Request, Reply> {
  const settings = auditSettings(options);
  return (request, reply, done) => {
    auditWhenDone(client, request.raw, reply.raw, () => build(request, reply), settings);
    done();
  };
}
