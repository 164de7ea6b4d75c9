import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serverHash, serverId, validateAuditLogElement } from './auditlog-route.js';
import { drawRequestFault, seededRandom, type FaultOptions } from './faults.js';

export interface ReferenceServerOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Credentials to require; by default any well-formed credential is accepted. */
  credentials?: { auditlog?: string };
  /** Faults to inject (changeable later with `setFaults`). */
  faults?: FaultOptions;
  /** Seed of the fault draws, for reproducible runs. @default 1 */
  seed?: number;
  /** Largest request body accepted; more gets 413. @default 10 MiB */
  maxBodyBytes?: number;
}

export interface StoredEvent {
  readonly format: 'auditlog';
  readonly serverId: string;
  /** The event's own id (AuditLog.co `uuid`). */
  readonly eventId: string;
  readonly body: unknown;
  readonly hash: string;
}

export interface ReferenceServerStats {
  requests: number;
  /** Requests answered with an injected error status or dropped. */
  faulted: number;
  /** Event ids whose hash was deliberately wrong in an answer that reached the client. */
  readonly wrongHashes: Set<string>;
  /** `Date.now()` when the last successful answer was written, or 0. */
  lastAnswerAt: number;
}

export interface ReferenceServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Everything stored, in order (duplicates included: the vendors do not deduplicate). */
  readonly events: readonly StoredEvent[];
  readonly stats: ReferenceServerStats;
  setFaults(faults: FaultOptions): void;
  close(): Promise<void>;
}

/** Starts the reference server on loopback and resolves once it listens. */
export async function createReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const events: StoredEvent[] = [];
  const stats: ReferenceServerStats = { requests: 0, faulted: 0, wrongHashes: new Set(), lastAnswerAt: 0 };
  const random = seededRandom(options.seed ?? 1);
  let faults: FaultOptions = options.faults ?? {};
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;

  const server: Server = createServer((request, response) => {
    stats.requests++;
    void handle(request, response).catch(() => response.destroy());
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request, maxBodyBytes);
    if (body === undefined) return json(response, 413, { statusCode: 413, message: 'request body too large' });
    if (faults.delayMs) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
    const path = new URL(request.url ?? '/', 'http://x').pathname.replace(/\/+$/, '').toLowerCase();
    if (request.method === 'POST' && path === '/api/v1/events') return auditLog(request, response, body);
    return json(response, 404, { statusCode: 404, message: `no route for ${request.method} ${path}` });
  }

  function auditLog(request: IncomingMessage, response: ServerResponse, body: string): void {
    const key = request.headers['x-api-key'];
    if (typeof key !== 'string' || key === '') return json(response, 401, { statusCode: 401, message: 'API key details not provided' });
    const colon = key.indexOf(':');
    const wellFormed = colon > 0 && colon < key.length - 1;
    if (!wellFormed || (options.credentials?.auditlog !== undefined && key !== options.credentials.auditlog)) {
      return json(response, 403, { statusCode: 403, message: 'Could not validate your API key' });
    }
    let elements: unknown;
    try {
      elements = JSON.parse(body);
    } catch {
      return json(response, 400, { statusCode: 400, message: 'The request body is not valid JSON', details: {} });
    }
    if (!Array.isArray(elements)) return json(response, 400, { statusCode: 400, message: 'Expected an array of events', details: {} });
    const details = Object.assign({}, ...elements.map((element, index) => validateAuditLogElement(element, index))) as Record<string, string>;
    if (Object.keys(details).length > 0) return json(response, 400, { statusCode: 400, message: 'One or more validation errors occurred', details });

    const fault = drawRequestFault(faults, random);
    if (fault.kind === 'status') {
      stats.faulted++;
      const headers = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      return json(response, fault.status, { statusCode: fault.status, message: 'injected fault' }, headers);
    }
    if (fault.kind === 'drop-before-store') {
      stats.faulted++;
      return void request.socket.destroy();
    }
    // Stored one by one, as the vendor does (no transaction).
    const received = elements.map((element: Record<string, unknown>) => {
      const stored: StoredEvent = { format: 'auditlog', serverId: serverId(), eventId: String(element.uuid), body: element, hash: serverHash(element) };
      events.push(stored);
      return stored;
    });
    if (fault.kind === 'drop-after-store') {
      stats.faulted++;
      return void request.socket.destroy();
    }
    const wrong = new Set<string>();
    const receivedEvents = received.map((stored) => {
      const corrupt = random() < (faults.wrongHashProbability ?? 0);
      if (corrupt) wrong.add(stored.eventId);
      return { id: stored.serverId, uuid: stored.eventId, hash: corrupt ? flipFirstDigit(stored.hash) : stored.hash };
    });
    response.once('finish', () => {
      wrong.forEach((id) => stats.wrongHashes.add(id));
      stats.lastAnswerAt = Date.now();
    });
    json(response, 200, { receivedEvents });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    events,
    stats,
    setFaults(next) {
      faults = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

async function readBody(request: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function flipFirstDigit(hash: string): string {
  return `${hash[0] === '0' ? '1' : '0'}${hash.slice(1)}`;
}
