/** The one line a failed command prints on stderr: never a stack trace, never more than one line. */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `auditwire: ${oneLine(message)}`;
}

/** Folds line breaks (JSON.parse quotes the offending input, newlines included) so a message stays on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}
