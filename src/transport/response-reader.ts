import type { Dispatcher } from 'undici';
import type { HttpResponse } from '../adapters/adapter.js';

type Finish = (error: Error | undefined, response: HttpResponse | undefined) => void;

/**
 * An undici dispatch handler that reads one response into an `HttpResponse`: the status, the headers (one string
 * per name) and at most `limit` bytes of the body as text; the rest of the body is read and discarded, so the
 * socket is released for the next request. `finish` is called exactly once: with the response, or with the error
 * that ended the request (a network error, or the reason given to `abort`).
 */
export class ResponseReader implements Dispatcher.DispatchHandler {
  readonly #limit: number;
  readonly #finish: Finish;
  #controller: Dispatcher.DispatchController | undefined;
  /** Set once `finish` was called; later callbacks from undici are ignored. */
  #done = false;
  /** Why the request was aborted before undici started it: it is aborted as soon as it starts. */
  #reason: Error | undefined;
  #status = 0;
  #headers: Record<string, string | undefined> = {};
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(limit: number, finish: Finish) {
    this.#limit = limit;
    this.#finish = finish;
  }

  /** Ends the request now (the caller's promise settles at once, also while undici still has it queued). */
  abort(reason: Error): void {
    if (this.#done) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.#end(reason, undefined);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#reason !== undefined) controller.abort(this.#reason);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    // Informational (1xx) responses precede the real one.
    if (statusCode < 200) return;
    this.#status = statusCode;
    this.#headers = flattenHeaders(headers);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const size = this.#size;
    if (size < this.#limit) this.#chunks.push(size + chunk.length <= this.#limit ? chunk : chunk.subarray(0, this.#limit - size));
    this.#size = size + chunk.length;
  }

  onResponseEnd(): void {
    const chunks = this.#chunks;
    const body = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
    this.#end(undefined, { status: this.#status, headers: this.#headers, body });
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    this.#end(error, undefined);
  }

  #end(error: Error | undefined, response: HttpResponse | undefined): void {
    if (this.#done) return;
    this.#done = true;
    this.#chunks = [];
    this.#finish(error, response);
  }
}

/** undici names headers in lower case already; a repeated header becomes one comma-joined value. */
function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  let flat: Record<string, string | undefined> | undefined;
  for (const name in headers) {
    const value = headers[name];
    if (!Array.isArray(value)) continue;
    flat ??= { ...(headers as Record<string, string | undefined>) };
    flat[name] = value.join(', ');
  }
  return flat ?? (headers as Record<string, string | undefined>);
}
