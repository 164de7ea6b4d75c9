import { ValidationError, type ValidationIssue } from '../errors.js';

/** How a relay claims and delivers rows. Every duration is in milliseconds. */
export interface RelayOptions {
  /**
   * Rows per claim (one claim feeds the client's batcher, which splits it into the adapter's requests). Large
   * claims are what keep PostgreSQL's cost per event low: each claim and each settle is one statement, planned once,
   * whatever its size (bench/profile-notes.md: 100-row claims, 4 in flight, cost PostgreSQL about twice the CPU per
   * event). @default 400
   */
  batchSize?: number;
  /**
   * Claims in flight at once in this relay: a second one keeps rows moving while a claim waits on a slow or
   * retried request. More add little and cost PostgreSQL more: every claim reads past the rows the others hold.
   * @default 2
   */
  concurrency?: number;
  /**
   * How long a claim holds its rows without a heartbeat. A relay that dies leaves its rows claimable after at
   * most this long. @default 15_000
   */
  leaseMs?: number;
  /** How often held leases are extended; must be below `leaseMs`. @default leaseMs / 3 */
  heartbeatMs?: number;
  /**
   * How often an idle relay looks for due rows without a NOTIFY: the fallback for executors that cannot LISTEN,
   * lost notifications, and rows whose backoff has passed. @default 1_000
   */
  pollIntervalMs?: number;
  /** Wake on NOTIFY where the driver can LISTEN (node-postgres Pool/Client, postgres.js). @default true */
  listen?: boolean;
  /** Claims after which a row that keeps failing transiently goes dead. @default 25 */
  maxAttempts?: number;
  /** First per-row backoff after a transient failure (doubling, with jitter, up to `maxBackoffMs`). @default 1_000 */
  initialBackoffMs?: number;
  /** Longest per-row backoff. @default 300_000 */
  maxBackoffMs?: number;
}

export type ResolvedRelayOptions = Required<RelayOptions>;

/** Fills the defaults and checks every value; all problems in one `ValidationError`. */
export function resolveRelayOptions(options: RelayOptions = {}): ResolvedRelayOptions {
  const issues: ValidationIssue[] = [];
  const int = (name: keyof RelayOptions, value: number | undefined, fallback: number, min: number, max = 2 ** 31 - 1): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < min || value > max) issues.push({ path: `relay.${name}`, message: `must be an integer from ${min} to ${max}` });
    return value;
  };
  const leaseMs = int('leaseMs', options.leaseMs, 15_000, 100);
  const resolved: ResolvedRelayOptions = {
    batchSize: int('batchSize', options.batchSize, 400, 1, 10_000),
    concurrency: int('concurrency', options.concurrency, 2, 1, 64),
    leaseMs,
    heartbeatMs: int('heartbeatMs', options.heartbeatMs, Math.max(1, Math.floor(leaseMs / 3)), 1),
    pollIntervalMs: int('pollIntervalMs', options.pollIntervalMs, 1_000, 10),
    listen: options.listen ?? true,
    maxAttempts: int('maxAttempts', options.maxAttempts, 25, 1),
    initialBackoffMs: int('initialBackoffMs', options.initialBackoffMs, 1_000, 0),
    maxBackoffMs: int('maxBackoffMs', options.maxBackoffMs, 300_000, 0),
  };
  if (typeof resolved.listen !== 'boolean') issues.push({ path: 'relay.listen', message: 'must be a boolean' });
  if (resolved.heartbeatMs >= resolved.leaseMs) issues.push({ path: 'relay.heartbeatMs', message: 'must be below leaseMs, or leases lapse while rows are in flight' });
  if (resolved.maxBackoffMs < resolved.initialBackoffMs) issues.push({ path: 'relay.maxBackoffMs', message: 'must be at least initialBackoffMs' });
  if (issues.length > 0) throw new ValidationError(issues);
  return resolved;
}
