/**
 * The event's own time for its ledger record (spec/LEDGER.md section 3, `time`), read from its wire form:
 * `time` (AuditLog.co, Frontegg as auditwire maps it), `created` (Retraced), or `time` inside LogZab's `desc` JSON
 * (spec/EVENT.md section 7). A custom adapter's wire without any of them gets the acknowledgement time.
 *
 * Two readings with one precedence: `wireObjectTime` at prepare time, from the object the wire text is serialized
 * from (a property read, where the text would need a parse per acknowledged event), and `wireTextTime` from the
 * text, for whatever the first could not settle. They agree wherever the first answers
 * (test/ledger/event-time.test.ts).
 */

/**
 * The time from the wire object, only where the text will surely say the same: a top-level string `time`, or no
 * `time` and a string `created`. Anything else (a Date the serializer turns into text, LogZab's nested `desc`, a
 * value with `toJSON`) is undefined: `wireTextTime` reads it from the text.
 */
export function wireObjectTime(wire: unknown): string | undefined {
  if (typeof wire !== 'object' || wire === null || 'toJSON' in wire) return undefined;
  const { time, created } = wire as { readonly time?: unknown; readonly created?: unknown };
  if (typeof time === 'string') return time;
  if (time === undefined && typeof created === 'string') return created;
  return undefined;
}

/** The time from the wire text (its canonical JSON), or undefined when it carries none. */
export function wireTextTime(wire: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(wire);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { time, created, desc } = value as Record<string, unknown>;
  if (typeof time === 'string') return time;
  if (typeof created === 'string') return created;
  if (typeof desc === 'string' && desc.startsWith('{')) {
    try {
      const inner = JSON.parse(desc) as Record<string, unknown>;
      if (typeof inner.time === 'string') return inner.time;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
