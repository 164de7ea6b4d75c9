import { ValidationError, type ValidationIssue } from '../errors.js';

/**
 * The longest delay setTimeout honours. Node clamps anything larger (and NaN, negatives) to 1 ms with only a
 * warning, so a duration option above it would turn "wait a long time" into "give up at once".
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface DurationRule {
  /** The smallest value allowed. @default 0 */
  readonly min?: number;
  /** Whether `Infinity` is allowed, meaning "no limit" (never a timer). @default false */
  readonly unlimited?: boolean;
}

/** Every way `value` fails to be a duration in milliseconds under `rule`, as issues at `path` (none when valid). */
export function durationIssues(path: string, value: unknown, rule: DurationRule = {}): ValidationIssue[] {
  const min = rule.min ?? 0;
  const range = `a whole number of milliseconds from ${min} to ${MAX_TIMER_MS}${rule.unlimited === true ? ', or Infinity for no limit' : ''}`;
  if (typeof value !== 'number') return [{ path, message: `must be ${range}` }];
  if (value === Number.POSITIVE_INFINITY && rule.unlimited === true) return [];
  if (!Number.isInteger(value) || value < min || value > MAX_TIMER_MS) return [{ path, message: `must be ${range} (got ${String(value)})` }];
  return [];
}

/** `value` if it is a valid duration under `rule`, else throws a `ValidationError` naming `path`. */
export function checkDuration(path: string, value: unknown, rule: DurationRule = {}): number {
  const issues = durationIssues(path, value, rule);
  if (issues.length > 0) throw new ValidationError(issues);
  return value as number;
}

/**
 * An unref'd timer that calls `fn` after `ms`, or none at all for `Infinity` (no limit). `ms` must have passed
 * `checkDuration`, so it is never clamped. Returns the function that cancels it.
 */
export function unrefTimer(ms: number, fn: () => void): () => void {
  if (ms === Number.POSITIVE_INFINITY) return () => {};
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
}
