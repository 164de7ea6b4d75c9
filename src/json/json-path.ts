/**
 * JSON paths for error messages: `$`, `$.fields.count`, `$[3]`, `$["key with spaces"]`. Keys that are not plain
 * identifiers are written as JSON strings, so every key (even one holding a lone surrogate) prints unambiguously.
 */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function appendPath(path: string, segment: PathSegment): string {
  if (typeof segment === 'number') return `${path}[${segment}]`;
  return IDENTIFIER.test(segment) ? `${path}.${segment}` : `${path}[${JSON.stringify(segment)}]`;
}

export function formatPath(segments: readonly PathSegment[]): string {
  let path = '$';
  for (const segment of segments) path = appendPath(path, segment);
  return path;
}
