/** How often a warning of one kind reaches stderr at most: often enough to be seen, rarely enough not to flood. */
export const WARNING_INTERVAL_MS = 60_000;

/**
 * A Node process warning (stderr, unless the app handles `'warning'` or runs with `--no-warnings`) for things
 * nobody listens to, emitted at most once per `WARNING_INTERVAL_MS` per `code`; the next one says how many were
 * held back meanwhile. Node prints its own unhandled conditions the same way.
 */
export class RateLimitedWarning {
  #lastAt = Number.NEGATIVE_INFINITY;
  #heldBack = 0;

  constructor(
    private readonly code: string,
    private readonly now: () => number = () => Date.now(),
  ) {}

  emit(message: string): void {
    const now = this.now();
    if (now - this.#lastAt < WARNING_INTERVAL_MS) {
      this.#heldBack++;
      return;
    }
    const held = this.#heldBack;
    this.#lastAt = now;
    this.#heldBack = 0;
    const suffix = held > 0 ? ` (and ${held} more since the last warning)` : '';
    process.emitWarning(`${message}${suffix}`, { type: 'AuditwireWarning', code: this.code });
  }
}
