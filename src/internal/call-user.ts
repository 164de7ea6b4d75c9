/**
 * Calls user code (a listener, a logger method, a callback option) so that nothing it does can escape: a throw
 * and a returned promise that rejects both go to `failed`, which must not throw (a throw from it is dropped, as
 * it can only be another user function failing while being told about the first).
 */
export function callUser(call: () => unknown, failed: (error: unknown) => void): void {
  const report = (error: unknown): void => {
    try {
      failed(error);
    } catch {
      // The reporter was user code too; there is nowhere safe left to send this.
    }
  };
  try {
    const result = call();
    if (isThenable(result)) result.then(undefined, report);
  } catch (error) {
    report(error);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}

/** A short description of what user code threw, for a log line or a warning (never its stack). */
export function describeThrown(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return 'a value that cannot be described';
  }
}
