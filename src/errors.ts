/**
 * The auditwire error tree. Every failure a user can see is an `AuditsError` with a stable `code` to match on
 * (as undici documents matching on `code`), `retryable` telling whether trying again could help, and `cause`
 * where a lower-level error is wrapped. Messages never contain credentials.
 */

/** Stable codes, one per error class. Match on these rather than on messages. */
export type AuditsErrorCode =
  | 'VALIDATION'
  | 'CANONICALIZATION'
  | 'JSON_SYNTAX'
  | 'DELIVERY'
  | 'HASH_MISMATCH'
  | 'QUEUE_FULL'
  | 'CLIENT_CLOSED'
  | 'TIMEOUT'
  | 'AUTHENTICATION';

export interface AuditsErrorOptions {
  cause?: unknown;
}

/**
 * The names of an error's classes, under a registry symbol shared by every copy of auditwire in a process: the ESM
 * and CommonJS builds loaded side by side, or the CommonJS `auditwire/testing` bundle beside `auditwire`. Each copy
 * has its own classes, so plain `instanceof` would fail across them.
 */
const CLASS_NAMES = Symbol.for('auditwire.errorClassNames');

/** Base class of every error auditwire throws or rejects with. */
export abstract class AuditsError extends Error {
  abstract readonly code: AuditsErrorCode;
  /** Whether the same operation could succeed if tried again later. */
  readonly retryable: boolean = false;

  constructor(message: string, options?: AuditsErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }

  /** `error instanceof ValidationError` holds for a ValidationError from any copy of auditwire in the process. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const names = typeof value === 'object' && value !== null ? (value as { [CLASS_NAMES]?: unknown })[CLASS_NAMES] : undefined;
    return Array.isArray(names) && names.includes(this.name);
  }
}

const classNamesByPrototype = new WeakMap<object, readonly string[]>();

/**
 * The names of an error's classes, for `instanceof` across copies of auditwire: a getter on the prototype, computed
 * once per class (a refusal under overload makes one error per refused event, and an own property on each instance
 * made each one about a third dearer to make). Defined outside the class so that it is no part of the public type.
 */
Object.defineProperty(AuditsError.prototype, CLASS_NAMES, {
  get(this: object): readonly string[] {
    const prototype = Object.getPrototypeOf(this) as object;
    let names = classNamesByPrototype.get(prototype);
    if (names === undefined) {
      names = classNames((prototype as { constructor: unknown }).constructor);
      classNamesByPrototype.set(prototype, names);
    }
    return names;
  },
});

function classNames(target: unknown): string[] {
  const names: string[] = [];
  for (let current = target; typeof current === 'function' && current !== Error; current = Object.getPrototypeOf(current)) {
    names.push((current as { name: string }).name);
  }
  return names;
}

/** One problem found in an input, located by a JSON path such as `$.actor.id`. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** The input is not acceptable; nothing was queued or sent. Never retryable. */
export class ValidationError extends AuditsError {
  readonly code: AuditsErrorCode = 'VALIDATION';
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], options?: AuditsErrorOptions) {
    super(formatIssues(issues), options);
    this.issues = issues;
  }
}

/**
 * The value cannot be expressed as I-JSON (RFC 7493), so it has no RFC 8785 canonical form: NaN, Infinity,
 * BigInt, a lone surrogate, a cycle, a function, symbol or undefined where a value is required, and the like.
 * `path` names where, e.g. `$.fields.count`.
 */
export class CanonicalizationError extends ValidationError {
  override readonly code: AuditsErrorCode = 'CANONICALIZATION';
  readonly path: string;

  constructor(path: string, reason: string, options?: AuditsErrorOptions) {
    super([{ path, message: reason }], options);
    this.path = path;
  }
}

/** Text that is not JSON at all (RFC 8259), as opposed to JSON that is not I-JSON (`CanonicalizationError`). */
export class JsonSyntaxError extends ValidationError {
  override readonly code: AuditsErrorCode = 'JSON_SYNTAX';

  constructor(reason: string, options?: AuditsErrorOptions) {
    super([{ path: '$', message: `not valid JSON: ${reason}` }], options);
  }
}

export interface DeliveryErrorOptions extends AuditsErrorOptions {
  status?: number | undefined;
  retryable?: boolean | undefined;
  /** The server's response body (truncated), for diagnosis. */
  body?: string | undefined;
  /** How long the server asked the client to wait (`Retry-After`), in milliseconds. */
  retryAfterMs?: number | undefined;
}

/** The service did not accept the event(s): an HTTP error status, a network failure, or an unreadable reply. */
export class DeliveryError extends AuditsError {
  readonly code: AuditsErrorCode = 'DELIVERY';
  readonly status: number | undefined;
  override readonly retryable: boolean;
  readonly body: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: DeliveryErrorOptions = {}) {
    super(message, options);
    this.status = options.status;
    this.retryable = options.retryable ?? false;
    this.body = options.body;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The credentials were refused (HTTP 401 / 403). Retrying with the same credentials will not help. */
export class AuthenticationError extends DeliveryError {
  override readonly code: AuditsErrorCode = 'AUTHENTICATION';

  constructor(message: string, options: Omit<DeliveryErrorOptions, 'retryable'> = {}) {
    super(message, { ...options, retryable: false });
  }
}

/** A request or the whole delivery deadline ran out. */
export class TimeoutError extends AuditsError {
  readonly code: AuditsErrorCode = 'TIMEOUT';
  override readonly retryable: boolean = true;
}

/**
 * The server stored the event but returned a hash that differs from the one computed locally (or, with
 * `verify: 'require'`, returned none: `remote` is then undefined). Never retried: the server already has the
 * event, and resending would store it twice.
 */
export class HashMismatchError extends AuditsError {
  readonly code: AuditsErrorCode = 'HASH_MISMATCH';
  readonly local: string;
  readonly remote: string | undefined;
  readonly eventId: string;

  constructor(eventId: string, local: string, remote: string | undefined) {
    super(
      remote === undefined
        ? `event ${eventId} was stored but the server returned no hash to verify (verify: 'require'); local ${local}`
        : `hash mismatch for event ${eventId}: local ${local}, server ${remote}`,
    );
    this.eventId = eventId;
    this.local = local;
    this.remote = remote;
  }
}

/** The bounded queue has no room; the event was not accepted (never dropped silently). */
export class QueueFullError extends AuditsError {
  readonly code: AuditsErrorCode = 'QUEUE_FULL';
  override readonly retryable: boolean = true;
}

/** The client was closed; it accepts no new events. */
export class ClientClosedError extends AuditsError {
  readonly code: AuditsErrorCode = 'CLIENT_CLOSED';
}

function formatIssues(issues: readonly ValidationIssue[]): string {
  if (issues.length === 0) return 'invalid input';
  const shown = issues.slice(0, 5).map((issue) => `${issue.path}: ${issue.message}`);
  const more = issues.length > shown.length ? ` (and ${issues.length - shown.length} more)` : '';
  return shown.join('; ') + more;
}
