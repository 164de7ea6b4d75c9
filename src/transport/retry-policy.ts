/**
 * When to retry and how long to wait: pure functions, shared by every adapter and the delivery loop.
 * The statuses follow the common practice of the Anthropic and AWS SDKs: 408, 429 and the transient 5xx.
 */

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * Milliseconds a `Retry-After` header asks for: delay-seconds or an HTTP date (RFC 9110 10.2.3). Undefined when
 * absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * "Full jitter" backoff (as the AWS architecture blog and SDK v3 recommend): a uniformly random wait in
 * [0, min(maxDelayMs, initialDelayMs * 2^retry)], which spreads retries of many clients instead of synchronizing
 * them. `retry` counts from 0.
 */
export function fullJitterDelay(retry: number, initialDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(retry, 30));
  return Math.floor(random() * ceiling);
}
