import type { IncomingMessage } from 'node:http';
import { ValidationError } from '../errors.js';
import { clientAddress } from './client-address.js';
import type { ProxyHeader } from './proxy-chain.js';
import { compileTrustProxy, type TrustProxy } from './trust-proxy.js';

/**
 * Who sent a request and where to: the request-context members of an `AuditEvent`. Absent members are omitted.
 * @example
 * ```ts
 * const context: RequestContext = requestContext(req); // { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 ...', url: '/login' }
 * await client.sendAudit({ action: 'report.export', crud: 'r', actor: { id: userId }, ...context });
 * ```
 */
export interface RequestContext {
  /** The client's IPv4 or IPv6 address (see `RequestContextOptions.trustProxy`). */
  ip?: string;
  /** The `User-Agent` header, at most 4,096 characters. */
  userAgent?: string;
  /** The path and query as received, e.g. `/login?next=%2Fbilling`. */
  url?: string;
}

/**
 * How `requestContext` (and `auditRequest`, `loginEvent`) read a request.
 * @example
 * ```ts
 * // Behind nginx on the same host, which appends to X-Forwarded-For; login URLs without their query.
 * const options: RequestContextOptions = { trustProxy: 'loopback', includeQuery: false };
 * ```
 */
export interface RequestContextOptions {
  /**
   * Which proxies may be believed about the client address (see `TrustProxy`). Without it the address is the
   * socket's peer and `X-Forwarded-For` is ignored, since any client can write that header.
   * @default false
   */
  trustProxy?: TrustProxy | undefined;
  /**
   * The one header your trusted proxies write the client address into: `X-Forwarded-For`, or RFC 7239
   * `Forwarded` (its `for=` parameter). Only read when `trustProxy` trusts the socket's peer.
   * @default 'x-forwarded-for'
   */
  proxyHeader?: ProxyHeader | undefined;
  /**
   * Keep the query string in `url`. Turn it off where queries carry secrets: one-time login links, OAuth
   * `?code=`, password-reset tokens.
   * @default true
   */
  includeQuery?: boolean | undefined;
}

/**
 * The longest user agent kept: AuditLog.co refuses a longer `browserAgent`, so a client sending a huge header
 * could otherwise make its own audit event undeliverable there. Longer values are cut, not dropped, so the
 * oddity stays visible.
 */
const MAX_USER_AGENT = 4096;

/**
 * Reads the client address, user agent and URL of a Node request, ready to spread into an `AuditEvent`. Works
 * on any `IncomingMessage`: Express's `req`, Fastify's `request.raw`, Koa's `ctx.req`, node:http.
 *
 * - `ip`: the socket's peer, unless `trustProxy` says it is a proxy (then the nearest untrusted hop of
 *   `X-Forwarded-For`). An address that is not valid IPv4/IPv6 (a garbage header entry) is left out rather than
 *   failing the event. IPv4-mapped IPv6 (`::ffff:10.0.0.7`) is kept; `sendAudit` turns it into IPv4.
 * - `userAgent`: the `User-Agent` header, cut to 4,096 characters.
 * - `url`: `req.originalUrl` when present (Express rewrites `req.url` inside routers), else `req.url`. A request
 *   in absolute form (`GET http://host/path`) is reduced to its path and query.
 *
 * Members with no value are omitted, never empty strings.
 *
 * @throws ValidationError when `trustProxy` or `proxyHeader` is malformed (a configuration error).
 * @example
 * ```ts
 * app.post('/login', (req, res) => {
 *   const context = requestContext(req, { trustProxy: 'loopback' }); // { ip, userAgent, url }
 *   void client.sendAudit({ action: 'user.login', actor: { id: user.id }, crud: 'c', ...context });
 *   res.sendStatus(204);
 * });
 * ```
 */
export function requestContext(req: IncomingMessage, options: RequestContextOptions = {}): RequestContext {
  return contextReader(options)(req);
}

/**
 * Compiles the options once, for callers that read many requests (`auditRequest`), so a bad `trustProxy` fails
 * at start-up and each request pays only for the reading.
 */
export function contextReader(options: RequestContextOptions): (req: IncomingMessage) => RequestContext {
  const trust = compileTrustProxy(options.trustProxy);
  const header = options.proxyHeader ?? 'x-forwarded-for';
  if (header !== 'x-forwarded-for' && header !== 'forwarded') {
    throw new ValidationError([{ path: 'options.proxyHeader', message: `must be 'x-forwarded-for' or 'forwarded', got ${JSON.stringify(header)}` }]);
  }
  const includeQuery = options.includeQuery ?? true;
  return (req) => {
    const context: RequestContext = {};
    const ip = clientAddress(req, trust, header);
    if (ip !== undefined) context.ip = ip;
    const userAgent = req.headers['user-agent'];
    if (typeof userAgent === 'string' && userAgent !== '') context.userAgent = userAgent.slice(0, MAX_USER_AGENT);
    const url = requestUrl(req, includeQuery);
    if (url !== undefined && url !== '') context.url = url;
    return context;
  };
}

function requestUrl(req: IncomingMessage & { originalUrl?: unknown }, includeQuery: boolean): string | undefined {
  const raw = typeof req.originalUrl === 'string' ? req.originalUrl : req.url;
  if (raw === undefined || raw === '') return undefined;
  let url = raw;
  if (!raw.startsWith('/') && raw !== '*') {
    // Absolute form is what clients send to proxies; its host is only the client's claim, and keeping the path
    // alone keeps `url` relative, as every other request's is (AuditLog.co would otherwise check its length).
    const parsed = URL.canParse(raw) ? new URL(raw) : undefined;
    if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return undefined;
    url = parsed.pathname + parsed.search;
  }
  return includeQuery ? url : url.split('?', 1)[0];
}
