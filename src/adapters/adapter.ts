import type { ValidationError } from '../errors.js';
import type { UnmappedFieldReporter } from './unmapped-fields.js';

/**
 * An adapter turns events into one vendor's wire format and that vendor's responses into per-event results
 * (OpenTelemetry's "exporter" role). It knows nothing of queues, timers or retries, and does no I/O itself: the
 * transport moves the bytes it describes.
 */
export interface Adapter {
  /** Shown in receipts and logs, e.g. `auditlog`. */
  readonly name: string;
  /** The most a single request may carry; the client's batch options are clamped to these. */
  readonly limits: AdapterLimits;
  /** The adapter fetches short-lived credentials (a token) that a 401 may call for renewing once. */
  readonly renewsCredentials?: boolean;
  /**
   * Takes credentials given after construction (Frontegg's `init(clientId, apiKey)`) and proves them with the
   * vendor now, so bad credentials fail the `init()` call rather than the first send. Absent on adapters whose
   * credentials are fixed options.
   */
  authenticate?(credentials: Credentials, context: ExchangeContext): Promise<void>;
  /**
   * The credentials the adapter holds beyond the client's options (Frontegg: those given to `init()`, and the vendor
   * tokens it was issued), so the client can mask them from everything it emits.
   */
  secrets?(): readonly string[];
  /** Releases what the adapter holds between requests (a token-renewal timer). Called once when the client closes. */
  close?(): void;
  /**
   * Validates one input (the common model, or the vendor's native shape) and maps it to its wire form,
   * synchronously. Throws `ValidationError` for input the vendor would refuse, so one bad event never costs a
   * whole batch.
   */
  prepare(input: unknown, context: PrepareContext): PreparedEvent;
  /** The HTTP request that delivers `batch` (never empty, within `limits`). May be async to fetch a token. */
  encode(batch: readonly PreparedEvent[], context: EncodeContext): HttpRequest | Promise<HttpRequest>;
  /** Reads the response to a request made from `encode(batch)`. */
  decode(response: HttpResponse, batch: readonly PreparedEvent[]): BatchResult;
}

export interface AdapterLimits {
  readonly maxBatchSize: number;
  readonly maxBatchBytes: number;
  /**
   * Requests in flight when the user sets no `maxConcurrentRequests`. Formats that carry one event per request
   * need more parallel requests for the same throughput. @default 4
   */
  readonly defaultConcurrentRequests?: number;
}

/** A client id and its secret, as Frontegg issues them. */
export interface Credentials {
  readonly clientId: string;
  readonly apiKey: string;
}

/** Lets an adapter make a side request (a token exchange) through the client's transport and timeouts. */
export interface ExchangeContext {
  readonly signal: AbortSignal;
  readonly exchange: (request: HttpRequest, signal: AbortSignal) => Promise<HttpResponse>;
}

export interface PrepareContext {
  /** The emitting service, for formats that carry it. */
  readonly server: { readonly id: string; readonly version: string };
  /** A fresh idempotency id, for events that bring none. */
  readonly newId: () => string;
  /** The current time, for events that bring none. */
  readonly now: () => Date;
  /**
   * Told the members of a common event the wire format cannot carry (see `onUnmappedField`); may throw the
   * `ValidationError` that refuses the event. Absent: nobody listens.
   */
  readonly unmapped?: UnmappedFieldReporter | undefined;
}

export interface EncodeContext extends ExchangeContext {
  /**
   * The previous attempt's request when the server refused it with 401, so a token-based adapter replaces exactly
   * the token that request carried (and not one another sender already renewed).
   */
  readonly rejected: HttpRequest | undefined;
}

/** One validated, mapped, hashed event, ready to batch. Immutable: the user's object is never read again. */
export interface PreparedEvent {
  /** The idempotency id, kept across retries. */
  readonly id: string;
  /** The wire form of the event as canonical JSON: both what is sent and what is hashed. */
  readonly wire: string;
  /** Local auditwire hash of `wire` (formats whose server hash is computed otherwise override it in decode). */
  readonly hash: string;
  /** UTF-8 size of `wire`, for batch and queue byte limits. */
  readonly bytes: number;
  /** The event's own time as `wire` carries it, when known at prepare time (the ledger reads `wire` otherwise). */
  readonly time?: string | undefined;
  /**
   * For formats whose server hash covers an id the server assigns (Retraced): the part of the hash input that
   * follows that id, computed before sending so the reply only costs one SHA-256. Absent on events replayed from a
   * spool or an outbox, and not kept for events queued behind 10,000 others (memory in an outage): those recompute
   * it from `wire`.
   */
  readonly hashTail?: string | undefined;
}

export interface HttpRequest {
  readonly method: 'POST' | 'PUT' | 'GET';
  /** Absolute URL. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body as text, possibly truncated to the transport's cap. */
  readonly body: string;
}

/** What one response says about each event of its batch. */
export type BatchResult =
  /**
   * Every event has its own outcome (success, or refused for its own reasons), keyed by its position in the batch
   * (not its id: two events of a batch may share an id); `resend` lists the positions to send again.
   */
  | { readonly kind: 'per-event'; readonly outcomes: ReadonlyMap<number, EventResult>; readonly resend: readonly number[] }
  /** The request as a whole failed; `retryable` says whether the same request may succeed later. */
  | { readonly kind: 'request-failed'; readonly error: RequestFailure };

export type EventResult =
  | {
      readonly ok: true;
      readonly serverId?: string | undefined;
      readonly serverHash?: string | undefined;
      /** The local hash to compare with `serverHash`, where the formula needs the server's id (Retraced). */
      readonly localHash?: string | undefined;
    }
  | { readonly ok: false; readonly error: ValidationError };

export interface RequestFailure {
  readonly status: number;
  readonly retryable: boolean;
  readonly message: string;
  /** Milliseconds the server asked us to wait (Retry-After), if it did. */
  readonly retryAfterMs?: number | undefined;
  readonly body?: string | undefined;
}
