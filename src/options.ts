import type { Dispatcher } from 'undici';
import type { Adapter } from './adapters/adapter.js';
import type { UnmappedFieldPolicy } from './adapters/unmapped-fields.js';
import type { AuditsError } from './errors.js';
import type { Logger } from './logger.js';
import type { LedgerOptions, ResolvedLedgerOptions } from './ledger/ledger-options.js';

/** The adapters built in, by name (the one list the client and the CLI check names against). */
export const BUILT_IN_ADAPTERS = ['auditlog', 'retraced', 'logzab', 'frontegg'] as const;

/** Adapters built in, by name. */
export type AdapterName = 'auditlog' | 'retraced' | 'logzab' | 'frontegg';

/** What to do when an event does not fit in the queue. */
export type WhenQueueFull = 'reject' | 'wait';

/** How hashes returned by the server are treated. */
export type VerifyPolicy = 'require' | 'when-present' | 'off';

/**
 * What to do after a failure that leaves it unknown whether the server stored the events (a 5xx, a timeout, a
 * connection lost after the request was sent). Neither AuditLog.co nor Retraced deduplicates, so this is the
 * choice between a possible duplicate and a possible loss.
 */
export type DeliveryGuarantee = 'at-least-once' | 'at-most-once';

export interface RetryOptions {
  /** Retries after the first attempt of a request. @default 8 */
  maxRetries?: number;
  /** Base of the exponential backoff: the first retry waits a random time in [0, initialDelayMs]. @default 200 */
  initialDelayMs?: number;
  /** Cap of one backoff wait (full jitter: a random time in [0, min(cap, initial * 2^n)]). @default 10_000 */
  maxDelayMs?: number;
  /** Longest `Retry-After` honoured; a longer one is treated as this. @default 60_000 */
  maxRetryAfterMs?: number;
  /**
   * Total time a batch may spend being retried before its events fail; a wait that would pass it is not begun.
   * `Infinity`: no deadline (`maxRetries` alone bounds the retries). @default 120_000
   */
  deadlineMs?: number;
}

/**
 * An on-disk journal of accepted events, so that events survive a crash of the process (see `ClientOptions.spool`).
 * The directory belongs to one client at a time and to one adapter and endpoint while it holds events.
 */
export interface SpoolOptions {
  /** The journal's directory, created if missing. A second client on it (in any live process) is refused. */
  dir: string;
  /**
   * Group commit: an accepted event waits at most this long before the write and `fdatasync` that make it durable
   * begin; every event accepted meanwhile shares that one fsync. `'persisted'` follows within
   * `commitIntervalMs` + two write-and-fdatasync times (one commit may already be in progress). Events are sent only
   * once durable, so this also delays delivery by up to that much. 0 commits at the next turn of the event loop.
   * @default 5
   */
  commitIntervalMs?: number;
  /**
   * Bytes of unacknowledged events the spool holds at most (queued, in flight, and those kept after a failure that
   * may pass, for the next client). An event that would pass it is refused with `QueueFullError`, whatever
   * `whenQueueFull` says: the room is made by acknowledgements, which may only come at the next start.
   * The files on disk stay under about three times this.
   * @default 64 MiB
   */
  maxBytes?: number;
}

export interface ClientOptions {
  /** Wire format: a built-in adapter's name or an `Adapter` object. Env `AUDITWIRE_ADAPTER`. @default 'frontegg' */
  adapter?: AdapterName | Adapter;
  /**
   * The service's base URL; the adapter appends the vendor's path. Env `AUDITWIRE_ENDPOINT` (Frontegg also
   * `FRONTEGG_API_GATEWAY_URL`). @default the vendor's: `https://app.auditlog.co`, `http://localhost:3000/auditlog`
   * (Retraced's self-hosted default), `https://api.logzab.com`, `https://api.frontegg.com`
   */
  endpoint?: string;
  /**
   * The credential as the vendor issues it: AuditLog.co `consumerId:secret`, Retraced token, LogZab key, Frontegg
   * API key (the secret of `clientId`). Env `AUDITWIRE_API_KEY` (Frontegg also `FRONTEGG_API_KEY`).
   */
  apiKey?: string;
  /** Retraced project id. Env `AUDITWIRE_PROJECT_ID`. */
  projectId?: string;
  /** Frontegg client id; its secret is `apiKey` (or call `init(clientId, apiKey)`). Env `FRONTEGG_CLIENT_ID`. */
  clientId?: string;
  /** The emitting service. @default { id: os.hostname(), version: process.env.npm_package_version ?? 'unknown' } */
  server?: { id?: string; version?: string };

  /** Events per request, clamped to the adapter's cap. @default the adapter's cap (100 for AuditLog.co) */
  maxBatchSize?: number;
  /** Bytes of events per request, clamped to the adapter's cap. @default 512 KiB (AuditLog.co) */
  maxBatchBytes?: number;
  /** How long the first event of a partial batch waits for company before the batch is sent. @default 200 */
  flushIntervalMs?: number;
  /** Events held (queued, not yet sent) at most. @default 10_000 */
  maxQueueSize?: number;
  /** Bytes of events held at most. @default 16 MiB */
  maxQueueBytes?: number;
  /** When the queue is full: reject with `QueueFullError`, or wait for room. Never drop. @default 'reject' */
  whenQueueFull?: WhenQueueFull;
  /**
   * A member of the common event that the adapter's format cannot carry (AuditLog.co: `outcome`, `severity`,
   * `crud`, `fields`, `tags`, `timezone`, an IPv6 `ip`...): `'warn'` once per adapter and member (the logger, else
   * a process warning) and send without it, `'refuse'` the event with a `ValidationError`, or `'ignore'` it.
   * @default 'warn'
   */
  onUnmappedField?: UnmappedFieldPolicy;
  /** Requests in flight at once. @default 4 (16 for LogZab and Frontegg, which carry one event per request) */
  maxConcurrentRequests?: number;
  /** Timeout of one HTTP request, connection to last body byte. @default 10_000 */
  requestTimeoutMs?: number;
  /** Retry policy. */
  retry?: RetryOptions;
  /** Server hash checks. @default 'when-present' */
  verify?: VerifyPolicy;
  /** Retry after an ambiguous failure (possible duplicate) or fail the events (possible loss). @default 'at-least-once' */
  delivery?: DeliveryGuarantee;

  /**
   * undici dispatcher for every request (an Agent, a ProxyAgent, a MockAgent). A dispatcher you pass is yours:
   * `close()` does not close it. Without one the client makes its own keep-alive Agent and closes it on `close()`.
   */
  dispatcher?: Dispatcher;
  /** Receives warnings and debug lines (console- and pino-compatible). Secrets are never passed to it. @default silent */
  logger?: Logger;
  /** Called with every failure, like the `'error'` event. */
  onError?: (error: AuditsError) => void;
  /** Largest response body read; more is discarded. @default 1 MiB */
  maxResponseBytes?: number;
  /** Allow a plain http:// endpoint that is not loopback (credentials then travel unencrypted). @default false */
  allowInsecureHttp?: boolean;
  /**
   * Journal every accepted event to disk before it is sent, and forget it only once the server acknowledged it,
   * so a process killed at any point loses nothing it reported `'persisted'`: the next client on the same `dir`
   * sends it again (with the same id, wire bytes and hash; a deduplicating server stores it once). Requires
   * `delivery: 'at-least-once'`. @default undefined (no spool: accepted events live in memory only)
   */
  spool?: SpoolOptions;
  /**
   * Append every acknowledged event to a signed, append-only ledger in `dir` (an RFC 6962 Merkle tree with C2SP
   * checkpoints; see docs/ledger.md), checkable with `auditwire ledger verify|prove|reconcile`.
   * @default undefined (no ledger)
   */
  ledger?: LedgerOptions;
}

export interface ResolvedOptions {
  readonly adapter: AdapterName | Adapter;
  readonly endpoint: string | undefined;
  readonly apiKey: string | undefined;
  readonly projectId: string | undefined;
  readonly clientId: string | undefined;
  readonly server: { readonly id: string; readonly version: string };
  readonly maxBatchSize: number | undefined;
  readonly maxBatchBytes: number | undefined;
  readonly flushIntervalMs: number;
  readonly maxQueueSize: number;
  readonly maxQueueBytes: number;
  readonly whenQueueFull: WhenQueueFull;
  readonly onUnmappedField: UnmappedFieldPolicy;
  readonly maxConcurrentRequests: number | undefined;
  readonly requestTimeoutMs: number;
  readonly retry: Required<RetryOptions>;
  readonly verify: VerifyPolicy;
  readonly delivery: DeliveryGuarantee;
  readonly dispatcher: Dispatcher | undefined;
  readonly maxResponseBytes: number;
  readonly allowInsecureHttp: boolean;
  readonly spool: ResolvedSpoolOptions | undefined;
  readonly ledger?: ResolvedLedgerOptions | undefined;
}

export interface ResolvedSpoolOptions {
  /** Absolute. */
  readonly dir: string;
  readonly commitIntervalMs: number;
  readonly maxBytes: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  maxRetries: 8,
  initialDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
  deadlineMs: 120_000,
};
