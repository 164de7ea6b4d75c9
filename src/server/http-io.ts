import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidUtf8Offset } from '../json/utf8.js';

/**
 * Reads the whole body as UTF-8; `undefined` once it passes `limit` bytes (the caller answers 413). Bytes that are
 * not UTF-8 come out as lone surrogates (see `decodeBody`), which every route's JSON check refuses. Past the limit
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
  return size > limit ? undefined : decodeBody(Buffer.concat(chunks));
}

/**
 * UTF-8 to text, each invalid byte turned into the lone surrogate U+DC80..U+DCFF (Python's "surrogateescape"),
 * instead of U+FFFD: a replacement character would be stored and hashed as if the client had sent it, while a lone
 * surrogate cannot come from valid UTF-8, so `parseJson` refuses the body as not I-JSON (RFC 7493 section 2.1).
 */
export function decodeBody(bytes: Buffer): string {
  let bad = invalidUtf8Offset(bytes);
  if (bad === -1) return bytes.toString('utf8');
  const parts: string[] = [];
  let from = 0;
  while (bad !== -1) {
    parts.push(bytes.toString('utf8', from, bad), String.fromCharCode(0xdc00 + (bytes[bad] as number)));
    from = bad + 1;
    bad = invalidUtf8Offset(bytes, from);
  }
  parts.push(bytes.toString('utf8', from));
  return parts.join('');
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
