import type { Readable } from 'node:stream';

/** A stream a progress bar can be drawn on (process.stderr, or a fake terminal in tests). */
export interface ProgressStream {
  readonly isTTY?: boolean | undefined;
  /** Terminal width, to keep the bar on one line (a wrapped line cannot be redrawn with `\r`). */
  readonly columns?: number | undefined;
  write(text: string): unknown;
}

/**
 * Everything a long-running command touches outside its arguments, injected so tests run it in-process: output
 * lines, standard input, the terminal for the progress bar, and the interrupt (SIGINT/SIGTERM) as an AbortSignal.
 */
export interface CommandIo {
  /** One line on standard output (no trailing newline). */
  readonly out: (line: string) => void;
  /** One line on standard error (no trailing newline). */
  readonly err: (line: string) => void;
  /** Aborts on Ctrl-C / SIGTERM. */
  readonly signal?: AbortSignal | undefined;
  /** Read for the FILE "-" (refused when it is a terminal). @default process.stdin */
  readonly stdin?: (Readable & { readonly isTTY?: boolean | undefined }) | undefined;
  /** Where the progress bar is drawn, if it is a terminal. @default none */
  readonly progress?: ProgressStream | undefined;
  /** Base directory for relative paths and the stdin failures file. @default process.cwd() */
  readonly cwd?: string | undefined;
  /** `send`: how often a progress line is printed when `progress` is not a terminal. @default 5000 */
  readonly progressIntervalMs?: number | undefined;
  /** `send`: after an interrupt, how long events in flight may still take before they fail as unsent. @default 3000 */
  readonly interruptGraceMs?: number | undefined;
}
