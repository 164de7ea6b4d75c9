import { afterEach, beforeEach, vi } from 'vitest';

/** Process warnings a test file expects, captured instead of printed. */
export interface CapturedWarnings {
  /** Each warning's message, in order (emptied after every test). */
  readonly messages: string[];
  /** Resolves with the next warning's message (one already captured in this test counts). */
  next(): Promise<string>;
}

/**
 * For a test file whose tests make auditwire emit process warnings on purpose (a failure nobody listens to, user
 * code that throws): captures them, so they can be asserted and `npm test` prints none. Node prints a warning from
 * its own 'warning' listener, so the warning is taken at `process.emitWarning` and never emitted.
 */
export function captureWarnings(): CapturedWarnings {
  const messages: string[] = [];
  const waiters: Array<(message: string) => void> = [];
  let consumed = 0;
  beforeEach(() => {
    vi.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error) => {
      const message = typeof warning === 'string' ? warning : warning.message;
      messages.push(message);
      const waiter = waiters.shift();
      if (waiter !== undefined) {
        consumed++;
        waiter(message);
      }
    });
  });
  afterEach(() => {
    vi.mocked(process.emitWarning).mockRestore();
    messages.length = 0;
    waiters.length = 0;
    consumed = 0;
  });
  return {
    messages,
    next: () => {
      if (consumed < messages.length) return Promise.resolve(messages[consumed++] as string);
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}
