/** The one line a failed command prints on stderr: never a stack trace, never more than one line. */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // JSON.parse quotes the offending input, newlines included: fold them so the error stays on one line.
  return `auditwire: ${message.replace(/\s*[\r\n]+\s*/g, ' ')}`;
}
