import type { ProgressStream } from './command-io.js';

export interface ProgressState {
  /** Events with an outcome (sent or failed). */
  readonly done: number;
  readonly sent: number;
  readonly failed: number;
  /** Every event of the input, once it is known (the input has been read to its end). */
  readonly total?: number | undefined;
  /** Estimated share done, from the bytes read of an input of known size: fills the bar before `total` is known. */
  readonly estimate?: number | undefined;
}

const REDRAW_MS = 100;
const BAR_WIDTH = 24;

/**
 * A one-line progress display redrawn in place with `\r`, at most every 100 ms. Hand-written: it is a few lines, and
 * a dependency for it would cost every user who never runs the CLI. Draw it only on a terminal.
 */
export class ProgressBar {
  readonly #stream: ProgressStream;
  readonly #now: () => number;
  readonly #startedAt: number;
  #state: ProgressState = { done: 0, sent: 0, failed: 0 };
  #lastDrawAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #finished = false;

  constructor(stream: ProgressStream, now: () => number = Date.now) {
    this.#stream = stream;
    this.#now = now;
    this.#startedAt = now();
  }

  update(state: ProgressState): void {
    if (this.#finished) return;
    this.#state = state;
    const wait = this.#lastDrawAt + REDRAW_MS - this.#now();
    if (wait <= 0) {
      this.#draw();
    } else if (this.#timer === undefined) {
      // A trailing redraw, so the last numbers show even when no further update comes for a while.
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#draw();
      }, wait);
      this.#timer.unref();
    }
  }

  /** Erases the bar, leaving the line free for the summary. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#lastDrawAt !== Number.NEGATIVE_INFINITY) this.#stream.write('\r\u001b[2K');
  }

  #draw(): void {
    if (this.#finished) return;
    this.#lastDrawAt = this.#now();
    const line = formatProgress(this.#state, (this.#lastDrawAt - this.#startedAt) / 1000);
    const width = this.#stream.columns;
    // A line wider than the terminal wraps, and `\r` would then redraw only its last part.
    const fitted = width !== undefined && width > 1 && line.length >= width ? line.slice(0, width - 1) : line;
    this.#stream.write(`\r\u001b[2K${fitted}`);
  }
}

/** e.g. `[##########--------------]  42% 4200/10000  sent 4190  failed 10  1234 ev/s`. */
function formatProgress(state: ProgressState, seconds: number): string {
  const fraction = state.total !== undefined ? (state.total === 0 ? 1 : state.done / state.total) : state.estimate;
  const rate = seconds > 0 ? Math.round(state.done / seconds) : 0;
  const counts = state.total !== undefined ? `${state.done}/${state.total}` : `${state.done}`;
  const tail = `${counts}  sent ${state.sent}  failed ${state.failed}  ${rate} ev/s`;
  if (fraction === undefined) return tail;
  const clamped = Math.min(1, Math.max(0, fraction));
  const filled = Math.round(clamped * BAR_WIDTH);
  const percent = `${Math.floor(clamped * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${percent} ${tail}`;
}
