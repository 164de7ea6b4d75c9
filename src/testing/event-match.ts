/**
 * A partial event: every member given must be present and equal (objects compared recursively, so only the members
 * named matter; arrays element by element and with the same length; everything else with `Object.is`). A member
 * given as `undefined` must be absent.
 */
export type DeepPartial<T> = T extends readonly (infer Item)[]
  ? readonly DeepPartial<Item>[]
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> | undefined }
    : T;

/** Whether `actual` contains `partial` (see `DeepPartial`). */
export function matchesPartial(actual: unknown, partial: unknown): boolean {
  if (Array.isArray(partial)) {
    return Array.isArray(actual) && actual.length === partial.length && partial.every((item, index) => matchesPartial(actual[index], item));
  }
  if (isPlainObject(partial)) {
    if (!isPlainObject(actual)) return false;
    // Own members only, so a partial `{ toString: ... }` never matches the prototype's.
    return Object.keys(partial).every((key) =>
      partial[key] === undefined ? !Object.hasOwn(actual, key) || actual[key] === undefined : Object.hasOwn(actual, key) && matchesPartial(actual[key], partial[key]),
    );
  }
  return Object.is(actual, partial);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
