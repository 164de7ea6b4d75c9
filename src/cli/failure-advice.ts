import type { FailureRecord } from './failure-log.js';

/**
 * Failures that can succeed if the same event is sent again unchanged: the server was down, slow, overloaded or
 * refused the key (fixed by the flag or variable, not the event), or the run stopped before the event was sent.
 * The rest (an invalid event, a 4xx refusal of its content) fail again until the event is fixed; HASH_MISMATCH is
 * stored already and is reported on its own.
 */
const RETRYABLE_CODES: ReadonlySet<string> = new Set(['DELIVERY', 'TIMEOUT', 'CLIENT_CLOSED', 'QUEUE_FULL', 'AUTHENTICATION', 'NOT_SENT']);
/** 4xx statuses that say "later", not "never" (as the client's own retry policy reads them). */
const RETRYABLE_CLIENT_STATUSES: ReadonlySet<number> = new Set([408, 409, 429]);

export function canRetryAsIs(failure: Pick<FailureRecord, 'code' | 'status'>): boolean {
  if (!RETRYABLE_CODES.has(failure.code)) return false;
  const { status } = failure;
  return status === undefined || status >= 500 || RETRYABLE_CLIENT_STATUSES.has(status) || status === 401 || status === 403;
}

/** Counts failures by what the user can do about them, as they are recorded. */
export class FailureTally {
  retryable = 0;
  /** Codes of failures that must be fixed first, with counts, in order of first appearance. */
  readonly toFix = new Map<string, number>();
  storedTwiceRisk = 0;
  notFound = 0;

  add(failure: FailureRecord): void {
    if (failure.status === 404) this.notFound++;
    if (failure.code === 'HASH_MISMATCH') this.storedTwiceRisk++;
    else if (canRetryAsIs(failure)) this.retryable++;
    else this.toFix.set(failure.code, (this.toFix.get(failure.code) ?? 0) + 1);
  }

  /** The lines that say what to do with the failures file. */
  advice(path: string, errorsPath: string): string[] {
    const lines: string[] = [];
    if (this.retryable > 0) {
      lines.push(`auditwire: ${this.retryable} of them can succeed when sent again as they are: auditwire send ${path} (same options)`);
    }
    const fix = [...this.toFix.values()].reduce((sum, count) => sum + count, 0);
    if (fix > 0) {
      const codes = [...this.toFix.entries()].map(([code, count]) => `${count} ${code}`).join(', ');
      lines.push(`auditwire: ${fix} of them will fail again until the event is fixed (${codes}): ${errorsPath} says what is wrong with each, line for line`);
    }
    if (this.storedTwiceRisk > 0) {
      lines.push(`auditwire: ${this.storedTwiceRisk} of them failed with HASH_MISMATCH: the server stored them, so sending them again stores them twice; investigate before re-sending`);
    }
    return lines;
  }
}
