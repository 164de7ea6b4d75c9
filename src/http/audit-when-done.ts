import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuditsClient } from '../client/audits-client.js';
import { AuditsError, ValidationError } from '../errors.js';
import type { AuditEvent } from '../event/schema.js';
import type { RequestContext, RequestContextOptions } from './request-context.js';
import { callUser } from '../internal/call-user.js';

/**
 * What the request helpers need of a client: `AuditsClient` is one. A test double or a wrapper with the same
 * method works too.
 * @example
 * ```ts
 * const sent: AuditEvent[] = [];
 * const recorder: AuditSender = { sendAudit: async (event) => void sent.push(event) };
 * app.use(auditRequest(recorder, () => ({ action: 'page.view', crud: 'r' })));
 * ```
 */
export interface AuditSender {
  sendAudit(event: AuditEvent): Promise<unknown>;
}

/**
 * Called with every failure to audit a request: the builder threw, the event was invalid, the send failed.
 * Never called on the request path, and a throw from it is caught.
 * @example
 * ```ts
 * const onError: AuditErrorHandler = (error, req) => logger.error({ err: error, url: req.url }, 'audit failed');
 * ```
 */
export type AuditErrorHandler = (error: unknown, req: IncomingMessage) => void;

/**
 * Options of `auditRequest`, `auditFastify` and `auditKoa`: how to read the request, and where failures go.
 * @example
 * ```ts
 * app.use(auditRequest(client, build, { trustProxy: 'loopback', onError: (error) => metrics.increment('audit.failed') }));
 * ```
 */
export interface AuditRequestOptions extends RequestContextOptions {
  /**
   * Called with every failure to audit a request, and the request. An `AuditsClient` also reports invalid
   * events and failed sends to its own `'error'` listeners and `onError` option, as for any send.
   *
   * Without it, a builder that throws is reported to the client's `'error'` listeners (as a `ValidationError`
   * whose `cause` is what was thrown), or, with none, as a process warning: never silently, never thrown.
   */
  onError?: AuditErrorHandler | undefined;
}

/** The compiled form of the options: shared by every request a middleware sees. */
export interface AuditSettings {
  readonly context: (req: IncomingMessage) => RequestContext;
  readonly onError: AuditErrorHandler | undefined;
}

/**
 * Sends the event `build` returns once `res` is done, without ever delaying or throwing into the request.
 *
 * "Done" is the first of `'finish'` (the whole response was handed to the OS) and `'close'`. A `'close'` without
 * `'finish'` means the connection went away first (the client aborted, or the server destroyed the socket):
 * that request is audited too, as a failure unless the builder sets an outcome, because the handler may already
 * have acted and skipping it would let a client keep its attempts out of the audit log by disconnecting. The
 * builder sees `res.writableFinished === false` then, and can return `undefined` to skip it.
 *
 * The request context is read now, at the start: by `'close'` the socket's address may be gone, and routers may
 * have rewritten `req.url`.
 */
export function auditWhenDone(
  sender: AuditSender,
  req: IncomingMessage,
  res: ServerResponse,
  build: () => AuditEvent | undefined,
  settings: AuditSettings,
): void {
  let context: RequestContext = {};
  try {
    context = settings.context(req);
  } catch (error) {
    report(sender, settings, req, error, false);
  }
  let done = false;
  const onDone = (): void => {
    if (done) return;
    done = true;
    res.off('finish', onDone);
    res.off('close', onDone);
    send(sender, req, res, build, context, settings);
  };
  if (res.writableFinished || res.destroyed) {
    // Mounted after the response was already sent: the events are past, audit now (but not on this call stack).
    queueMicrotask(onDone);
    return;
  }
  res.once('finish', onDone);
  res.once('close', onDone);
}

function send(
  sender: AuditSender,
  req: IncomingMessage,
  res: ServerResponse,
  build: () => AuditEvent | undefined,
  context: RequestContext,
  settings: AuditSettings,
): void {
  let built: AuditEvent | undefined;
  try {
    built = build();
  } catch (error) {
    report(sender, settings, req, new ValidationError([{ path: '$', message: `the audit builder threw: ${describe(error)}` }], { cause: error }), false);
    return;
  }
  // `null` from JavaScript builders counts as "skip", like undefined.
  if (built === undefined || built === null) return;
  // The builder's own members win, so it can override any context member (or the outcome).
  const event: AuditEvent = typeof built === 'object' ? { ...context, ...built } : built;
  if (typeof event === 'object' && event.outcome === undefined && (res.statusCode >= 400 || !res.writableFinished)) event.outcome = 'failure';
  // An AuditsClient has reported its own rejections (invalid event, failed delivery) already.
  const clientReports = sender instanceof AuditsClient;
  try {
    Promise.resolve(sender.sendAudit(event)).catch((error: unknown) => report(sender, settings, req, error, clientReports));
  } catch (error) {
    report(sender, settings, req, error, false);
  }
}

/** Reports a failure without ever throwing: `onError`, else the client's 'error' listeners, else a warning. */
function report(sender: AuditSender, settings: AuditSettings, req: IncomingMessage, error: unknown, alreadyReported: boolean): void {
  // The reporter itself may fail (a throwing or rejecting onError or 'error' listener): the last resort must not.
  const reporterFailed = (callbackError: unknown): void =>
    process.emitWarning(`auditwire: reporting an audit failure threw: ${describe(callbackError)}`);
  const onError = settings.onError;
  if (onError !== undefined) {
    callUser(() => onError(error, req), reporterFailed);
    return;
  }
  if (alreadyReported) return;
  const failure = error instanceof AuditsError ? error : new ValidationError([{ path: '$', message: describe(error) }], { cause: error });
  const listeners = sender instanceof AuditsClient ? (sender.rawListeners('error') as Array<(error: AuditsError) => unknown>) : [];
  if (listeners.length === 0) process.emitWarning(failure);
  for (const listener of listeners) callUser(() => listener.call(sender, failure), reporterFailed);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
