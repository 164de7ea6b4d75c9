import type { FaultOptions } from './faults.js';

/** The four wire formats the reference server speaks (shared/reference/wire/README.md sections 1-4). */
export type EventFormat = 'auditlog' | 'retraced' | 'logzab' | 'frontegg';

/** One event as the server stored it. */
export interface StoredEvent {
  readonly format: EventFormat;
  /** The id this server assigned (AuditLog.co `id`, Retraced `id`: 32 hex, LogZab `id`, or a UUID for Frontegg). */
  readonly serverId: string;
  /**
   * The event's own id: AuditLog.co `uuid`, Retraced `external_id`, the `id` inside a LogZab `desc` JSON object,
   * Frontegg `auditwireId`; the server id when the event carries none.
   */
  readonly eventId: string;
  /** The event exactly as received (LogZab: the body without `apiKey`, so no credential is kept). */
  readonly body: unknown;
  /** The correct server hash (auditwire hash, or the Retraced formula for Retraced), even when a wrong one was answered. */
  readonly hash: string;
  /** ISO-8601 time of storage. */
  readonly receivedAt: string;
}

/** What `onRequest` is told about each answered request. */
export interface RequestInfo {
  readonly method: string;
  /** The request path, without the query string. */
  readonly path: string;
  readonly status: number;
  /**
   * The format of the events the route accepts; absent for every other route (Frontegg's `/auth/vendor`, the
   * GET routes, 404s), so summing `events` per format counts event requests only.
   */
  readonly format?: EventFormat;
  /** Events stored by this request (a duplicate acknowledged under `deduplicate` is not counted). */
  readonly events: number;
  /** `GET /_auditwire/events`: the events in the page answered. */
  readonly listed?: number;
  /** `DELETE /_auditwire/events`: the events forgotten. */
  readonly cleared?: number;
}

export interface ReferenceServerOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Credentials to require. By default any non-empty credential in the vendor's format is accepted. */
  credentials?: {
    /** Exact AuditLog.co `X-API-KEY` (`consumerId:secret`). */
    auditlog?: string;
    /** The Retraced token (`Authorization: Token token=<token>`). */
    retraced?: string;
    /** The LogZab `apiKey` body member. */
    logzab?: string;
    /** What Frontegg's `POST /auth/vendor` must receive. */
    frontegg?: { clientId: string; secret: string };
  };
  /** Lifetime of the Frontegg tokens this server issues (`expiresIn`), in seconds. @default 3600 */
  tokenTtlSeconds?: number;
  /** Append every stored event to this file as one JSON line (created if missing). */
  file?: string;
  /** Called once per answered request (for `auditwire dev` logging); a throw is ignored. */
  onRequest?: (info: RequestInfo) => void;
  /** Faults to inject on every event-accepting route (changeable later with `setFaults`). */
  faults?: FaultOptions;
  /** Seed of the fault draws, for reproducible runs. @default 1 */
  seed?: number;
  /** Largest request body accepted; more gets 413. @default 10 MiB */
  maxBodyBytes?: number;
  /**
   * Deduplicate by the event's own id, per format (AuditLog.co `uuid`, Retraced `external_id`, the `id` in a
   * LogZab `desc` JSON object, Frontegg `auditwireId`): a repeated id is acknowledged with the server id and hash
   * of the event stored first, and not stored again (counted in `stats.duplicates`). Events without an id of
   * their own are always stored. The vendors themselves do not deduplicate (AuditLog.co, Retraced) or do not say
   * (LogZab, Frontegg): this models an idempotent server, so a test can tell a resend from a lost event.
   * @default false
   */
  deduplicate?: boolean;
}

export interface ReferenceServerStats {
  /** Every request received, whatever the route. */
  requests: number;
  /** Requests answered with an injected error status or dropped. */
  faulted: number;
  /** Requests whose answer was held back by the `slowProbability` fault. */
  slowed: number;
  /** Events acknowledged without being stored again because their id was already stored (`deduplicate`). */
  duplicates: number;
  /** Event ids whose hash was deliberately wrong in an answer that reached the client. */
  readonly wrongHashes: Set<string>;
  /** `Date.now()` when the last successful event answer was written, or 0. */
  lastAnswerAt: number;
  /** Requests to Frontegg's `POST /auth/vendor`. */
  authRequests: number;
}

export interface ReferenceServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Everything stored, in order (duplicates included unless `deduplicate` is set: the vendors do not deduplicate). */
  readonly events: readonly StoredEvent[];
  readonly stats: ReferenceServerStats;
  setFaults(faults: FaultOptions): void;
  /** Invalidates every Frontegg token issued so far (the next request with one gets 401). */
  expireTokens(): void;
  /** Stops listening, drops open connections, and resolves once the JSONL file is fully written and closed. */
  close(): Promise<void>;
}
