import { clearTimeout, setTimeout } from 'node:timers';
import { Agent, request, type Dispatcher } from 'undici';
import { DeliveryError, TimeoutError } from '../errors.js';
import type { HttpRequest, HttpResponse } from '../adapters/adapter.js';

export interface TransportOptions {
  /** Used for every request; when absent the transport owns a keep-alive Agent and closes it in `close()`. */
  readonly dispatcher: Dispatcher | undefined;
  readonly requestTimeoutMs: number;
  readonly maxResponseBytes: number;
}

/**
 * Moves one request's bytes over undici and reads the response, nothing more: no retries, no interpretation of
 * the status. Failures before a status arrives become `DeliveryError` (retryable: the network) or `TimeoutError`.
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

  async send(httpRequest: HttpRequest, signal: AbortSignal): Promise<HttpResponse> {
    // A plain controller, timer and one listener, all released in `finally`: `AbortSignal.any([signal,
    // AbortSignal.timeout()])` per request keeps every combined signal reachable from the long-lived client signal
    // (nodejs/node#54614, #55328), some 250-300 bytes a request for the client's lifetime.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new TimeoutError(`request timed out after ${this.#options.requestTimeoutMs} ms`));
    }, this.#options.requestTimeoutMs);
    // Like AbortSignal.timeout(), the timer alone never keeps the process alive (the request's socket does), and it
    // is node:timers' own, which fake timers installed on globalThis (tests driving batching and backoff) leave alone.
    timer.unref();
    const onClientAbort = (): void => controller.abort(signal.reason);
    if (signal.aborted) onClientAbort();
    else signal.addEventListener('abort', onClientAbort, { once: true });
    try {
      const response = await request(httpRequest.url, {
        method: httpRequest.method,
        headers: httpRequest.headers,
        body: httpRequest.body,
        dispatcher: this.#dispatcher,
        signal: controller.signal,
        // undici's request() follows no redirects (that takes the redirect interceptor), so credentials are never
        // carried to another origin: a 3xx comes back as a plain, non-retryable failure.
      });
      const body = await readCapped(response.body, this.#options.maxResponseBytes);
      return { status: response.statusCode, headers: flattenHeaders(response.headers), body };
    } catch (error) {
      if (timedOut && !signal.aborted) {
        throw new TimeoutError(`request timed out after ${this.#options.requestTimeoutMs} ms`, { cause: error });
      }
      if (signal.aborted) throw new DeliveryError('request aborted: the client was destroyed', { cause: error });
      throw new DeliveryError(`network error: ${describeNetworkError(error)}`, { retryable: true, cause: error });
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onClientAbort);
    }
  }

  /** Closes the Agent this transport created; a dispatcher passed in by the user is left to its owner. */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  async destroy(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.destroy();
  }
}

/** Reads at most `limit` bytes of a body and discards the rest, always consuming it so the socket is released. */
async function readCapped(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    if (size < limit) chunks.push(size + buffer.length <= limit ? buffer : buffer.subarray(0, limit - size));
    size += buffer.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

/** The error's code and message, without anything from the request (headers hold credentials). */
function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code} (${error.message})` : error.message;
}
