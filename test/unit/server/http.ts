import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { afterEach } from 'vitest';
import { createReferenceServer, type ReferenceServer, type ReferenceServerOptions } from '../../../src/testing.js';

// Shared by the reference-server tests: a server per test (closed afterwards) and plain fetch over loopback,
// so nothing from the client (src/client, src/adapters, src/hash) takes part.

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body when it is JSON, otherwise undefined. */
  readonly json: unknown;
}

const servers: ReferenceServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Starts a server that is closed after the current test. */
export async function startServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const server = await createReferenceServer(options);
  servers.push(server);
  return server;
}

/** Sends `body` as JSON (or `raw` text as is) and reads the whole answer. */
export async function send(
  url: string,
  init: { method?: string; body?: unknown; raw?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const hasBody = init.body !== undefined || init.raw !== undefined;
  const response = await fetch(url, {
    method: init.method ?? (hasBody ? 'POST' : 'GET'),
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(hasBody ? { body: init.raw ?? JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('application/json') ? (JSON.parse(text) as unknown) : undefined;
  return { status: response.status, headers: response.headers, text, json };
}

/** The auditwire hash computed independently here: canonicalize + node:crypto. */
export function expectedHash(value: unknown): string {
  return createHash('sha256').update(canonicalize(value) ?? '', 'utf8').digest('hex');
}

/** Reads a member of a JSON answer in a test, where the shape has just been asserted. */
export function field<T>(json: unknown, key: string): T {
  return (json as Record<string, T>)[key] as T;
}
