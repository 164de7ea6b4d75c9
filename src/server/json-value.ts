/**
 * Deepest nesting of arrays and objects a body may have. JSON.parse itself takes any depth, but the recursive
 * serializers after it do not (`JSON.stringify` of the stored events, for `GET /_auditwire/events` and the JSONL
 * file, overflows the stack at a few thousand levels), so one deep body would break the server for every later
 * reader. A thousand levels is far beyond any audit event.
 */
export const MAX_JSON_DEPTH = 1_000;

/**
 * `JSON.parse` without a throw, so every route can answer bad JSON with its vendor's own status. Refused like a
 * syntax error too: a value nested deeper than `MAX_JSON_DEPTH`, and a lone surrogate (`"\ud800"`) in a string
 * or key, which JSON.parse lets through but which is not I-JSON: it has no UTF-8 form, so no server hash (the
 * canonicalizer throws on it), and a vendor's database refuses it.
 */
export function parseJson(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string } {
  // A lone surrogate in the text itself (not an escape) is an invalid byte of the body (http-io's decodeBody).
  if (!text.isWellFormed()) return { ok: false, error: 'the text is not valid UTF-8 (I-JSON text must be UTF-8)' };
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const problem = notIJson(value, MAX_JSON_DEPTH);
  return problem === undefined ? { ok: true, value } : { ok: false, error: problem };
}

/** What makes a parsed value unacceptable, if anything; iterative, so the check cannot overflow itself. */
function notIJson(root: unknown, limit: number): string | undefined {
  const stack: Array<{ readonly value: unknown; readonly depth: number }> = [{ value: root, depth: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, depth } = next;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return 'a string contains a lone surrogate (not valid Unicode)';
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth + 1 > limit) return `JSON nested deeper than ${limit} levels`;
    if (Array.isArray(value)) {
      for (const child of value) stack.push({ value: child, depth: depth + 1 });
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      if (!key.isWellFormed()) return 'a key contains a lone surrogate (not valid Unicode)';
      stack.push({ value: child, depth: depth + 1 });
    }
  }
  return undefined;
}

/** A JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
