/** Longest message a failed command prints: JSON.parse quotes the input, which can be a whole line of a large file. */
const MAX_MESSAGE_CHARS = 500;

/** The one line a failed command prints on stderr: never a stack trace, never more than one line. */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `auditwire: ${oneLine(message)}`;
}

/**
 * Makes text safe to print as one terminal line: line breaks folded to a space (JSON.parse quotes the offending
 * input, newlines included), other control characters, lone surrogates and U+FFFD shown as escapes (binary input
 * must not reach the terminal raw: escape sequences in it would be run by the terminal), and the whole cut to a
 * readable length.
 */
export function oneLine(text: string): string {
  const folded = text.replace(/\s*[\r\n]+\s*/g, ' ').replace(UNPRINTABLE, escapeChar);
  return folded.length <= MAX_MESSAGE_CHARS ? folded : `${folded.slice(0, MAX_MESSAGE_CHARS)}... (${folded.length - MAX_MESSAGE_CHARS} more characters)`;
}

// C0 and C1 controls, DEL, lone surrogates, and U+FFFD (what a lenient decoder made of bytes that were not UTF-8).
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\uFFFD]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function escapeChar(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
