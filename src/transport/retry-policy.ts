/**
 * When to retry and how long to wait: pure functions, shared by every adapter and the delivery loop.
 * The statuses follow the common practice of the Anthropic and AWS SDKs: 408, 429 and the transient 5xx.
 */

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/** The longest wait a `Retry-After` can ask for here (setTimeout's limit); the delivery loop caps it further. */
export const MAX_RETRY_AFTER_MS = 2 ** 31 - 1;

/**
 * Milliseconds a `Retry-After` header asks for. RFC 9110 section 10.2.3 allows exactly two forms: delay-seconds
 * (`1*DIGIT`) or an HTTP-date (section 5.6.7: IMF-fixdate, or the obsolete RFC 850 and asctime forms). Anything else
 * (`-5`, `1.5`, a doubled header joined as `2, 2`, garbage) is undefined, so the caller falls back to its own backoff:
 * `Date.parse` would read `-5` or `2, 2` as dates in 2001 and turn them into waits of 0 ms. Never negative, at most
 * `MAX_RETRY_AFTER_MS`.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^[0-9]+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const date = parseHttpDate(text);
  return date === undefined ? undefined : Math.min(Math.max(0, date - nowMs), MAX_RETRY_AFTER_MS);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '([0-9]{2}):([0-9]{2}):([0-9]{2})';
/** `Sun, 06 Nov 1994 08:49:37 GMT` */
const IMF_FIXDATE = new RegExp(`^${DAY}, ([0-9]{2}) ${MONTH} ([0-9]{4}) ${TIME} GMT$`);
/** `Sunday, 06-Nov-94 08:49:37 GMT` */
const RFC850_DATE = new RegExp(`^${LONG_DAY}, ([0-9]{2})-${MONTH}-([0-9]{2}) ${TIME} GMT$`);
/** `Sun Nov  6 08:49:37 1994` */
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ([0-9 ][0-9]) ${TIME} ([0-9]{4})$`);

/** Epoch milliseconds of an RFC 9110 HTTP-date, or undefined for any other text (or an impossible date). */
export function parseHttpDate(text: string): number | undefined {
  let parts: [day: string, month: string, year: number, hour: string, minute: string, second: string];
  let match = IMF_FIXDATE.exec(text);
  if (match !== null) {
    parts = [match[1]!, match[2]!, Number(match[3]), match[4]!, match[5]!, match[6]!];
  } else if ((match = RFC850_DATE.exec(text)) !== null) {
    // RFC 9110 5.6.7: a two-digit year more than 50 years in the future means the past century.
    const twoDigit = Number(match[3]);
    const currentYear = new Date().getUTCFullYear();
    let year = Math.floor(currentYear / 100) * 100 + twoDigit;
    if (year > currentYear + 50) year -= 100;
    parts = [match[1]!, match[2]!, year, match[4]!, match[5]!, match[6]!];
  } else if ((match = ASCTIME_DATE.exec(text)) !== null) {
    parts = [match[2]!.trim(), match[1]!, Number(match[6]), match[3]!, match[4]!, match[5]!];
  } else {
    return undefined;
  }
  const [day, month, year, hour, minute, second] = parts;
  const monthIndex = MONTHS.indexOf(month);
  const values = [Number(day), Number(hour), Number(minute), Number(second)] as const;
  const ms = Date.UTC(year, monthIndex, values[0], values[1], values[2], values[3]);
  const check = new Date(ms);
  // Refuses 31 Feb, 25:00 and the like, which Date.UTC would silently roll over.
  if (check.getUTCDate() !== values[0] || check.getUTCHours() !== values[1] || check.getUTCMinutes() !== values[2] || check.getUTCSeconds() !== values[3]) {
    return undefined;
  }
  return ms;
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
