/**
 * A copy of `record` without its undefined members, so optional wire fields are absent rather than
 * present-but-undefined. Copying (rather than `delete` in place) keeps the object in V8's fast shape, which keeps
 * property access and `JSON.stringify` fast on the hot path; member order is preserved.
 */
export function compact<T extends Record<string, unknown>>(record: T): T {
  const out: Record<string, unknown> = {};
  for (const key in record) {
    const value = record[key];
    if (value === undefined) continue;
    // A "__proto__" member (a custom field spread into a Frontegg body) is data, never a prototype change.
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out as T;
}
