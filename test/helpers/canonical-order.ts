/** A deep copy whose object members are in canonical (UTF-16 code unit) order, "__proto__" kept as data. */
export function inCanonicalOrder(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(inCanonicalOrder);
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = inCanonicalOrder((value as Record<string, unknown>)[key]);
    Object.defineProperty(sorted, key, { value: member, enumerable: true, writable: true, configurable: true });
  }
  return sorted;
}
