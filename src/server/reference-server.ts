import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventStore } from './event-store.js';
import { FaultGate } from './fault-gate.js';
import { sendJson, readBody } from './http-io.js';
import type { Route, RouteContext, ServerState } from './route.js';
import { auditLogRoutes } from './routes/auditlog.js';
import { devRoutes } from './routes/dev.js';
import { exportRoutes } from './routes/export.js';
import { fronteggRoutes } from './routes/frontegg.js';
import { logZabRoutes } from './routes/logzab.js';
import { retracedRoutes } from './routes/retraced.js';
import { TokenStore } from './token-store.js';
import { callUser } from '../internal/call-user.js';
import type { ReferenceServer, ReferenceServerOptions, ReferenceServerStats, RequestInfo } from './types.js';

export type { EventFormat, ReferenceServer, ReferenceServerOptions, ReferenceServerStats, RequestInfo, StoredEvent } from './types.js';

// One node:http server speaking the four wire formats of shared/reference/wire/README.md at their vendors' paths.
// Each route decodes with its own code (src/server/routes), never the client's adapters.

const ROUTES: readonly Route[] = [...auditLogRoutes, ...retracedRoutes, ...logZabRoutes, ...fronteggRoutes, ...devRoutes, ...exportRoutes];

/** Starts the reference server (loopback by default) and resolves once it listens. */
export async function createReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const ttl = options.tokenTtlSeconds;
  if (ttl !== undefined && !(Number.isFinite(ttl) && ttl >= 0)) throw new RangeError(`tokenTtlSeconds must be a finite number >= 0, got ${ttl}`);
  const stats: ReferenceServerStats = { requests: 0, faulted: 0, slowed: 0, duplicates: 0, wrongHashes: new Set(), lastAnswerAt: 0, authRequests: 0 };
  const store = await EventStore.open({ file: options.file, deduplicate: options.deduplicate });
  const state: ServerState = { options, store, faults: new FaultGate(options.faults ?? {}, options.seed ?? 1, stats), tokens: new TokenStore(), stats };
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;

  const server: Server = createServer((request, response) => {
    stats.requests++;
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent || response.destroyed) return void response.destroy();
      sendJson(response, 500, { statusCode: 500, message: `reference server error: ${error instanceof Error ? error.message : String(error)}` });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const path = pathOf(request.url ?? '/');
    const found = match(method, path);
    const report: RouteContext['report'] = { events: 0 };
    response.once('finish', () => notify({ method, path, status: response.statusCode, ...(found?.route.format ? { format: found.route.format } : {}), ...report }));
    const body = await readBody(request, maxBodyBytes);
    // The connection is closed after a 413, as servers do for a body they would not take.
    if (body === undefined) return sendJson(response, 413, { statusCode: 413, message: 'request body too large' }, { connection: 'close' });
    if (found === undefined) return sendJson(response, 404, { statusCode: 404, message: `no route for ${method} ${path}` });
    if (found.route.format !== undefined) await state.faults.delay();
    await found.route.handle({ request, response, body, params: found.params, state, report });
  }

  function notify(info: RequestInfo): void {
    const onRequest = options.onRequest;
    // A logging callback, throwing or rejecting, must not take the server (or the test process) down.
    if (onRequest !== undefined) callUser(() => onRequest(info), () => {});
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = connectableHost(address);
  let closing: Promise<void> | undefined;

  return {
    url: `http://${host}:${address.port}`,
    events: store.events,
    stats,
    setFaults: (faults) => state.faults.set(faults),
    expireTokens: () => state.tokens.expireAll(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => store.close());
      return closing;
    },
  };
}

/**
 * The host a client on this machine connects to: a server bound to every interface (`0.0.0.0`, `::`) is reached
 * through loopback, and `http://0.0.0.0` is no address to connect to (the client refuses plain http to it).
 */
function connectableHost(address: AddressInfo): string {
  if (address.address === '0.0.0.0') return '127.0.0.1';
  if (address.address === '::') return '[::1]';
  return address.family === 'IPv6' ? `[${address.address}]` : address.address;
}

/** The path without query string and trailing slashes (vendors' routers ignore a trailing slash: `/audits/`). */
function pathOf(url: string): string {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  return path.replace(/\/+$/, '') || '/';
}

function match(method: string, path: string): { readonly route: Route; readonly params: readonly string[] } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const found = route.path.exec(path);
    if (found) return { route, params: found.slice(1).map((param) => param ?? '') };
  }
  return undefined;
}
