import { clearTimeout, setTimeout } from 'node:timers';
import { Agent, type Dispatcher } from 'undici';
import { DeliveryError, TimeoutError } from '../errors.js';
import type { HttpRequest, HttpResponse } from '../adapters/adapter.js';
import { ResponseReader } from './response-reader.js';
import { requestTarget } from './request-target.js';

export interface TransportOptions {
  /** Used for every request; when absent the transport owns a keep-alive Agent and closes it in `close()`. */
  readonly dispatcher: Dispatcher | undefined;
  readonly requestTimeoutMs: number;
  readonly maxResponseBytes: number;
}

/**
 * Moves one request's bytes over undici and reads the response, nothing more: no retries, no interpretation of
 * the status. Failures before a status arrives become `DeliveryError` (retryable: the network) or `TimeoutError`.
 *
 * Requests go through `dispatcher.dispatch` with a handler that collects the body into one string (see
 * ResponseReader): undici's `request()` would build a URL, an async resource and a Readable stream per request,
 * which the one-event-per-request formats pay for every event. Keep-alive, but no HTTP pipelining: the bodies are
 * POSTs that the vendors do not deduplicate (wire README sections 1-2), so a request must not be queued behind
 * another on a connection whose loss would leave both in doubt (RFC 9112 section 9.3.2).
 */
export class HttpTransport {
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #options: TransportOptions;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#ownsDispatcher = options.dispatcher === undefined;
    // A private Agent rather than the global dispatcher, so close() can release exactly its own sockets.
    this.#dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 4_000, connections: 16 });
  }

  send(httpRequest: HttpRequest, signal: AbortSignal): Promise<HttpResponse> {
    const { requestTimeoutMs, maxResponseBytes } = this.#options;
    const { promise, resolve, reject } = Promise.withResolvers<HttpResponse>();
    let timedOut = false;
    const finish = (error: Error | undefined, response: HttpResponse | undefined): void => {
      // A timer, one listener on the client signal and the reader, all released here: `AbortSignal.any([signal,
      // AbortSignal.timeout()])` per request keeps every combined signal reachable from the long-lived client
      // signal (nodejs/node#54614, #55328), some 250-300 bytes a request for the client's lifetime.
      clearTimeout(timer);
      signal.removeEventListener('abort', onClientAbort);
      if (response !== undefined) return resolve(response);
      reject(describeFailure(error, timedOut && !signal.aborted, signal.aborted, requestTimeoutMs));
    };
    const reader = new ResponseReader(maxResponseBytes, finish);
    const timer = setTimeout(() => {
      timedOut = true;
      reader.abort(new TimeoutError(`request timed out after ${requestTimeoutMs} ms`));
    }, requestTimeoutMs);
    // Like AbortSignal.timeout(), the timer alone never keeps the process alive (the request's socket does), and it
    // is node:timers' own, which fake timers installed on globalThis (tests driving batching and backoff) leave alone.
    timer.unref();
    const onClientAbort = (): void => reader.abort(signal.reason as Error);
    if (signal.aborted) {
      onClientAbort();
      return promise;
    }
    signal.addEventListener('abort', onClientAbort, { once: true });
    // undici's dispatch follows no redirects (that takes the redirect interceptor), so credentials are never carried
    // to another origin: a 3xx comes back as a plain, non-retryable failure.
    try {
      const { origin, path } = requestTarget(httpRequest.url);
      this.#dispatcher.dispatch({ origin, path, method: httpRequest.method, headers: httpRequest.headers, body: httpRequest.body }, reader);
    } catch (error) {
      // An unparsable URL, or a user's dispatcher that throws (undici's own report through the handler): this
      // request's failure, settled here so its timer and listener go with it.
      reader.onResponseError(null, error instanceof Error ? error : new Error(String(error)));
    }
    return promise;
  }

  /** Closes the Agent this transport created; a dispatcher passed in by the user is left to its owner. */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  async destroy(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.destroy();
  }
}

function describeFailure(error: unknown, timedOut: boolean, aborted: boolean, timeoutMs: number): Error {
  if (timedOut) return new TimeoutError(`request timed out after ${timeoutMs} ms`, { cause: error });
  if (aborted) return new DeliveryError('request aborted: the client was destroyed', { cause: error });
  return new DeliveryError(`network error: ${describeNetworkError(error)}`, { retryable: true, cause: error });
}

/** The error's code and message, without anything from the request (headers hold credentials). */
function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code} (${error.message})` : error.message;
}
