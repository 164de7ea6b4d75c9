import { CanonicalizationError, JsonSyntaxError } from '../errors.js';
import { appendPath } from './json-path.js';

/**
 * Parses JSON text and rejects what I-JSON (RFC 7493) forbids but `JSON.parse` lets through silently: duplicate
 * object keys (JSON.parse keeps the last one, other parsers the first, so the two would hash different data).
 * Numbers that overflow a double and lone surrogates are left for `canonicalJson` to reject with their path, so
 * `canonicalJson(parseIJson(text))` is the full check a JSON text needs before it is hashed.
 * @throws JsonSyntaxError for text that is not JSON; CanonicalizationError for a duplicate key.
 */
export function parseIJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new JsonSyntaxError(error instanceof Error ? error.message : String(error));
  }
  if (text.includes('{')) assertNoDuplicateKeys(text);
  return value;
}

interface Container {
  readonly keys: Set<string> | undefined; // undefined for arrays
  readonly path: string;
  index: number;
  pendingKey: string | undefined;
}

/**
 * One pass over text already known to be valid JSON: tracks each object's keys (decoded, so `"a"` and `"\u0061"`
 * collide) and each container's path for the error message.
 */
function assertNoDuplicateKeys(text: string): void {
  const stack: Container[] = [];
  let lastString: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      const end = endOfString(text, i);
      lastString = JSON.parse(text.slice(i, end + 1)) as string;
      i = end;
      continue;
    }
    const top = stack[stack.length - 1];
    if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      const path = top === undefined ? '$' : childPath(top);
      stack.push({ keys: ch === 0x7b ? new Set() : undefined, path, index: 0, pendingKey: undefined });
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop();
    } else if (ch === 0x3a /* : */ && top?.keys !== undefined && lastString !== undefined) {
      if (top.keys.has(lastString)) {
        throw new CanonicalizationError(appendPath(top.path, lastString), 'duplicate object key (not I-JSON)');
      }
      top.keys.add(lastString);
      top.pendingKey = lastString;
    } else if (ch === 0x2c /* , */ && top !== undefined) {
      top.index++;
    }
  }
}

function childPath(container: Container): string {
  return container.keys === undefined
    ? appendPath(container.path, container.index)
    : appendPath(container.path, container.pendingKey ?? '');
}

function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x5c /* \ */) i++;
    else if (ch === 0x22) return i;
  }
  return text.length - 1;
}
