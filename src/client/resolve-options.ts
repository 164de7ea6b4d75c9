import { hostname } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { UNMAPPED_FIELD_POLICIES } from '../adapters/unmapped-fields.js';
import { ValidationError, type ValidationIssue } from '../errors.js';
import { BUILT_IN_ADAPTERS, DEFAULT_RETRY, type ClientOptions, type ResolvedOptions, type ResolvedSpoolOptions } from '../options.js';
import { isLoopbackHost } from '../internal/loopback.js';
import { durationIssues, type DurationRule } from '../internal/duration.js';
import { resolveLedgerOptions } from '../ledger/ledger-options.js';

const ADAPTER_NAMES: ReadonlySet<string> = new Set(BUILT_IN_ADAPTERS);

/**
 * Fills defaults (documented on `ClientOptions`) and the environment fallbacks, and checks every value, so a
 * misconfigured client fails at construction with all its problems listed, not at the first send.
 */
export function resolveOptions(options: ClientOptions, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  const issues: ValidationIssue[] = [];
  const adapter = options.adapter ?? envAdapter(env.AUDITWIRE_ADAPTER, issues) ?? 'frontegg';
  const count = (name: string, value: number | undefined, fallback: number, min = 1): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < min) issues.push({ path: `options.${name}`, message: `must be an integer >= ${min}` });
    return value;
  };
  // Every option in milliseconds goes through the one duration rule (see internal/duration.ts).
  const duration = (name: string, value: number | undefined, fallback: number, rule: DurationRule = {}): number => {
    if (value === undefined) return fallback;
    issues.push(...durationIssues(`options.${name}`, value, rule));
    return value;
  };
  const retry = options.retry ?? {};
  const resolved: ResolvedOptions = {
    adapter,
    endpoint:
      options.endpoint ?? nonEmpty(env.AUDITWIRE_ENDPOINT) ?? (adapter === 'frontegg' ? nonEmpty(env.FRONTEGG_API_GATEWAY_URL) : undefined),
    apiKey: options.apiKey ?? nonEmpty(env.AUDITWIRE_API_KEY) ?? (adapter === 'frontegg' ? nonEmpty(env.FRONTEGG_API_KEY) : undefined),
    projectId: options.projectId ?? nonEmpty(env.AUDITWIRE_PROJECT_ID),
    clientId: options.clientId ?? nonEmpty(env.FRONTEGG_CLIENT_ID),
    server: {
      id: options.server?.id ?? hostname(),
      version: options.server?.version ?? nonEmpty(env.npm_package_version) ?? 'unknown',
    },
    maxBatchSize: options.maxBatchSize === undefined ? undefined : count('maxBatchSize', options.maxBatchSize, 1),
    maxBatchBytes: options.maxBatchBytes === undefined ? undefined : count('maxBatchBytes', options.maxBatchBytes, 1),
    flushIntervalMs: duration('flushIntervalMs', options.flushIntervalMs, 200),
    maxQueueSize: count('maxQueueSize', options.maxQueueSize, 10_000),
    maxQueueBytes: count('maxQueueBytes', options.maxQueueBytes, 16 * 1024 * 1024),
    whenQueueFull: options.whenQueueFull ?? 'reject',
    onUnmappedField: options.onUnmappedField ?? 'warn',
    maxConcurrentRequests:
      options.maxConcurrentRequests === undefined ? undefined : count('maxConcurrentRequests', options.maxConcurrentRequests, 1),
    requestTimeoutMs: duration('requestTimeoutMs', options.requestTimeoutMs, 10_000, { min: 1 }),
    retry: {
      maxRetries: count('retry.maxRetries', retry.maxRetries, DEFAULT_RETRY.maxRetries, 0),
      initialDelayMs: duration('retry.initialDelayMs', retry.initialDelayMs, DEFAULT_RETRY.initialDelayMs),
      maxDelayMs: duration('retry.maxDelayMs', retry.maxDelayMs, DEFAULT_RETRY.maxDelayMs),
      maxRetryAfterMs: duration('retry.maxRetryAfterMs', retry.maxRetryAfterMs, DEFAULT_RETRY.maxRetryAfterMs),
      // Infinity: no deadline, maxRetries alone bounds the retries.
      deadlineMs: duration('retry.deadlineMs', retry.deadlineMs, DEFAULT_RETRY.deadlineMs, { min: 1, unlimited: true }),
    },
    verify: options.verify ?? 'when-present',
    delivery: options.delivery ?? 'at-least-once',
    dispatcher: options.dispatcher,
    maxResponseBytes: count('maxResponseBytes', options.maxResponseBytes, 1024 * 1024),
    allowInsecureHttp: options.allowInsecureHttp ?? false,
    spool: options.spool === undefined ? undefined : resolveSpool(options.spool, count, duration, issues),
    ledger: options.ledger === undefined ? undefined : resolveLedgerOptions(options.ledger, 'options.ledger', issues),
  };
  oneOf(issues, 'whenQueueFull', resolved.whenQueueFull, ['reject', 'wait']);
  oneOf(issues, 'onUnmappedField', resolved.onUnmappedField, UNMAPPED_FIELD_POLICIES);
  oneOf(issues, 'verify', resolved.verify, ['require', 'when-present', 'off']);
  oneOf(issues, 'delivery', resolved.delivery, ['at-least-once', 'at-most-once']);
  if (typeof adapter === 'string' && !ADAPTER_NAMES.has(adapter)) {
    issues.push({ path: 'options.adapter', message: `unknown adapter "${adapter}" (auditlog, retraced, logzab, frontegg, or an Adapter object)` });
  }
  if (resolved.spool !== undefined && resolved.delivery !== 'at-least-once') {
    // A restarted client cannot know whether a journaled event left before the crash, so it sends it again.
    issues.push({ path: 'options.spool', message: "replays events whose delivery is unknown, so it needs delivery: 'at-least-once'" });
  }
  if (resolved.endpoint !== undefined) checkEndpoint(resolved.endpoint, resolved.allowInsecureHttp, issues);
  // The server option is copied into every mapped event, so it gets the checks the event schema gives strings.
  for (const [name, value] of Object.entries(resolved.server)) {
    if (value === '' || !value.isWellFormed()) issues.push({ path: `options.server.${name}`, message: 'must be a non-empty, valid Unicode string' });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return resolved;
}

function resolveSpool(
  spool: NonNullable<ClientOptions['spool']>,
  count: (name: string, value: number | undefined, fallback: number, min?: number) => number,
  duration: (name: string, value: number | undefined, fallback: number) => number,
  issues: ValidationIssue[],
): ResolvedSpoolOptions {
  const dir: unknown = spool.dir;
  if (typeof dir !== 'string' || dir.trim() === '') issues.push({ path: 'options.spool.dir', message: 'must be a non-empty path' });
  return {
    dir: typeof dir === 'string' ? resolvePath(dir) : '',
    commitIntervalMs: duration('spool.commitIntervalMs', spool.commitIntervalMs, 5),
    maxBytes: count('spool.maxBytes', spool.maxBytes, 64 * 1024 * 1024),
  };
}

function envAdapter(value: string | undefined, issues: ValidationIssue[]): ResolvedOptions['adapter'] | undefined {
  const name = nonEmpty(value);
  if (name !== undefined && !ADAPTER_NAMES.has(name)) {
    issues.push({ path: 'env.AUDITWIRE_ADAPTER', message: `unknown adapter "${name}"` });
  }
  return name as ResolvedOptions['adapter'] | undefined;
}

/**
 * What a server bound to every interface prints (`listening on 0.0.0.0:4318`) is no address to connect to: the
 * refusal names the loopback URL that reaches such a server on this machine.
 */
function wildcardHint(url: URL): string {
  if (url.hostname !== '0.0.0.0' && url.hostname !== '[::]') return '';
  const loopback = new URL(url.href);
  loopback.hostname = url.hostname === '0.0.0.0' ? '127.0.0.1' : '[::1]';
  return `${url.hostname} is a listen address, not one to connect to: use ${loopback.origin} for a server on this machine. `;
}

/** Plain http:// sends credentials in the clear; it is accepted only to loopback unless the user opts in. */
function checkEndpoint(endpoint: string, allowInsecureHttp: boolean, issues: ValidationIssue[]): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    issues.push({ path: 'options.endpoint', message: 'must be an absolute http(s) URL' });
    return;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    issues.push({ path: 'options.endpoint', message: 'must use http: or https:' });
  } else if (url.protocol === 'http:' && !allowInsecureHttp && !isLoopbackHost(url.hostname)) {
    const refusal = 'plain http:// is refused except to loopback (credentials would travel in the clear); use https:// or set allowInsecureHttp';
    issues.push({ path: 'options.endpoint', message: `${wildcardHint(url)}${refusal}` });
  }
  if (url.username !== '' || url.password !== '') {
    issues.push({ path: 'options.endpoint', message: 'must not embed credentials; use apiKey' });
  }
}

function oneOf(issues: ValidationIssue[], name: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value)) issues.push({ path: `options.${name}`, message: `must be one of ${allowed.join(', ')}` });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
