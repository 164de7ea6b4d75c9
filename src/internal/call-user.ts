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

/**
 * Emits `name` to each of `emitter`'s listeners through `callUser`: unlike `EventEmitter.emit`, a listener that
 * throws does not stop the others, and one that returns a rejecting promise (an async listener) is caught instead
 * of becoming an unhandled rejection. `failed` hears each failure with the event's name.
 */
export function emitIsolated(
  emitter: { listenerCount(name: string): number; rawListeners(name: string): readonly unknown[] },
  name: string,
  args: unknown[],
  failed: (name: string, thrown: unknown) => void,
): void {
  // Called for every delivered event: without listeners, skip the copy of the (empty) listener list.
  if (emitter.listenerCount(name) === 0) return;
  for (const listener of emitter.rawListeners(name) as Array<(...values: unknown[]) => unknown>) {
    callUser(
      () => listener.apply(emitter, args),
      (thrown) => failed(name, thrown),
    );
  }
}
