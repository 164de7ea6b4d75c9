import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Reads the whole body as UTF-8; `undefined` once it passes `limit` bytes (the caller answers 413). Past the limit
 * the rest is still read, and discarded, rather than the stream destroyed: destroying it would reset a connection
 * the client is about to reuse for its next request, so a 413 would surface there as ECONNRESET.
 */
export async function readBody(request: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= limit) chunks.push(buffer);
    else chunks.length = 0;
  }
  return size > limit ? undefined : Buffer.concat(chunks).toString('utf8');
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

export function sendHtml(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  response.end(html);
}

/** The single value of a request header, or `undefined` when it is absent or repeated as an array. */
export function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}
