import { canonicalJson } from '../hash/canonical-json.js';
import { isSha256Hex } from '../hash/event-hash.js';
import { retracedHashTarget } from '../hash/retraced-hash.js';
import { sha256Hex } from '../hash/sha256.js';

/** Options of `expectAuditHash` and the `toHaveAuditHash` matcher. */
export interface ExpectAuditHashOptions {
  /**
   * Check the Retraced formula, `retracedHash(event, retracedId)`, instead of the auditwire hash. The Retraced hash
   * covers the id the Retraced server assigned (a receipt's `serverId`), so it is part of what is pinned.
   */
  readonly retracedId?: string | undefined;
}

/** The outcome of comparing an event's hash with an expected one: what both assertion styles report. */
export interface AuditHashComparison {
  readonly pass: boolean;
  /** The hash computed from the event; undefined when the event cannot be hashed. */
  readonly actual: string | undefined;
  /** The hash the caller expected, as given. */
  readonly expected: unknown;
  /** Why it failed, or (for a pass, which `.not` turns into a failure) what matched; several lines. */
  readonly message: string;
}

/** Longest hashed text quoted in a message: enough for any real event, bounded for a runaway one. */
const MAX_QUOTED = 20_000;

/**
 * Compares `hashEvent(event)` (or the Retraced formula) with `expected`, never throwing: an event that cannot be
 * hashed and a malformed expected hash are failures with their own explanation. The message always quotes the
 * exact text that was hashed, because a hash alone never says what changed.
 */
export function compareAuditHash(event: unknown, expected: unknown, options: ExpectAuditHashOptions = {}): AuditHashComparison {
  const retraced = options.retracedId !== undefined;
  const formula = retraced ? `Retraced hash (id ${JSON.stringify(options.retracedId)})` : 'auditwire hash';
  let hashed: string;
  try {
    if (retraced && typeof options.retracedId !== 'string') throw new TypeError(`retracedId must be a string, got ${typeof options.retracedId}`);
    hashed = retraced ? retracedHashTarget(event as object, options.retracedId as string) : canonicalJson(event);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { pass: false, actual: undefined, expected, message: `the event cannot be hashed (${formula}): ${reason}` };
  }
  const actual = sha256Hex(hashed);
  const quoted = `${retraced ? 'Retraced hash target' : 'canonical JSON'} of the event (the exact text hashed):\n  ${quote(hashed)}`;

  if (!isSha256Hex(expected)) {
    return {
      pass: false,
      actual,
      expected,
      message: [
        `the expected ${formula} is not a SHA-256 hex digest (64 hex digits): got ${describe(expected)}`,
        `  the event's hash: ${actual}`,
        quoted,
      ].join('\n'),
    };
  }
  const pass = actual === expected.toLowerCase();
  return {
    pass,
    actual,
    expected,
    message: [
      pass ? `the event has the ${formula} ${actual}` : `${formula} mismatch: the event does not hash to the expected value`,
      `  expected: ${expected}`,
      `  actual:   ${actual}`,
      quoted,
    ].join('\n'),
  };
}

function quote(text: string): string {
  return text.length <= MAX_QUOTED ? text : `${text.slice(0, MAX_QUOTED)}... (${text.length - MAX_QUOTED} more characters)`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value)} (${value.length} characters)`;
  return value === null ? 'null' : typeof value;
}
