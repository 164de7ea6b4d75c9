/**
 * The logging surface auditwire uses: a subset of both `console` and pino, so either can be passed. Messages
 * never contain credentials; the client passes identifiers and counts only.
 */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

/** The levels auditwire logs at. */
export type LogLevel = keyof Logger;

export const silentLogger: Logger = {
  debug() {},
  warn() {},
  error() {},
};
