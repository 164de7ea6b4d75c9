import type { Redact } from './redactor.js';

/** How far the walk goes: an error, its cause chain, AggregateError members, issue lists. Bounded, cycles or not. */
const MAX_DEPTH = 6;
const MAX_OBJECTS = 200;

/**
 * Masks credentials everywhere an error can show them, in place, and returns it: `message`, `stack`, `body`, the
 * issue messages of a `ValidationError`, a `HashMismatchError`'s `remote`, and the same for every error down its
 * `cause` chain (and an `AggregateError`'s `errors`), so `error.message`, `error.stack`, `util.inspect(error)` and
 * `JSON.stringify(error)` are all clean. Accessors are never called (they are user code or V8 internals), except
 * `stack`, which V8 computes and which is replaced by its masked text.
 */
export function redactError<T>(error: T, redact: Redact): T {
  const seen = new Set<object>();
  const visit = (value: unknown, depth: number): void => {
    if (typeof value !== 'object' || value === null || depth > MAX_DEPTH || seen.has(value) || seen.size >= MAX_OBJECTS) return;
    seen.add(value);
    const message: unknown = Object.getOwnPropertyDescriptor(value, 'message')?.value;
    for (const key of Reflect.ownKeys(value)) {
      if (typeof key !== 'string') continue;
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor === undefined) continue;
      if (key === 'stack' && value instanceof Error) {
        maskStack(value, descriptor, message, redact);
      } else if ('value' in descriptor) {
        if (typeof descriptor.value === 'string') rewrite(value, key, descriptor, redact(descriptor.value));
        else visit(descriptor.value, depth + 1);
      }
    }
  };
  visit(error, 0);
  return error;
}

/**
 * V8 writes the message into the stack when the error is made; the masked message replaces it first, so a secret cut
 * short at the end of the message (a truncated body) is masked in the stack as well.
 */
function maskStack(error: Error, descriptor: PropertyDescriptor, originalMessage: unknown, redact: Redact): void {
  const stack = 'value' in descriptor ? descriptor.value : error.stack;
  if (typeof stack !== 'string') return;
  const masked = typeof originalMessage === 'string' && originalMessage !== '' ? stack.split(originalMessage).join(redact(originalMessage)) : stack;
  rewrite(error, 'stack', { enumerable: descriptor.enumerable ?? false }, redact(masked));
}

function rewrite(target: object, key: string, descriptor: PropertyDescriptor, value: string): void {
  if ('value' in descriptor && descriptor.value === value) return;
  try {
    Object.defineProperty(target, key, { value, enumerable: descriptor.enumerable ?? false, configurable: true, writable: true });
  } catch {
    // A frozen foreign object: nothing can be written; its own code chose to keep that text.
  }
}
