/**
 * Masks credentials in text the library or the CLI emits: error messages and stacks, server bodies that echo the
 * request, log lines. One redactor is built from everything a client holds (its API key, Frontegg's client id and
 * key, and the vendor tokens it was given), so each place that emits text asks it rather than knowing the secrets.
 *
 * A secret is masked in every spelling a server or a log is likely to echo it in: as is, JSON-escaped (once, twice,
 * or ASCII-only with `\uXXXX`), URL-encoded (either hex case, `+` for space), base64 / base64url (a Basic
 * `Authorization` header carries `user:password` so), HTML-escaped, and with its whitespace collapsed (as error
 * summaries do). The secret half of a `consumerId:secret` key is masked on its own too. Text cut short (a body
 * truncated to a limit) is masked when it ends with the start of a secret. Very short values are left alone, since
 * masking them would garble ordinary text.
 */

export type Redact = (text: string) => string;

export const MASK = '***';

/** Shorter values are not masked: three characters appear by chance in ordinary text. */
const MIN_SECRET_LENGTH = 3;
/** The secret half of `consumerId:secret` is masked alone from this length. */
const MIN_SECRET_HALF_LENGTH = 6;
/** A secret's start at the very end of a text (a truncated body) is masked from this many characters. */
const MIN_TRUNCATED_PREFIX = 4;

type Secrets = Iterable<string | undefined>;

/**
 * A redactor over `secrets`: a list fixed now, or a function read at each call (for credentials that arrive later,
 * such as a token). The spellings are rebuilt only when the secrets change.
 */
export function redactor(secrets: Secrets | (() => Secrets)): Redact {
  const read = typeof secrets === 'function' ? secrets : () => secrets;
  let known: readonly string[] | undefined;
  let spellings: readonly string[] = [];
  return (text) => {
    const current = read();
    // Compared value by value (called for every receipt), without copying: the spellings are rebuilt only when a
    // secret changed.
    if (known === undefined || !sameSecrets(known, current)) {
      known = [...current].filter((secret): secret is string => typeof secret === 'string' && secret !== '');
      spellings = spellingsOf(known);
    }
    return mask(text, spellings);
  };
}

/** Whether `secrets`, without its empty and missing entries, is `known`. */
function sameSecrets(known: readonly string[], secrets: Secrets): boolean {
  let index = 0;
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret === '') continue;
    if (secret !== known[index]) return false;
    index++;
  }
  return index === known.length;
}

function mask(text: string, spellings: readonly string[]): string {
  if (spellings.length === 0 || typeof text !== 'string') return text;
  let masked = text;
  for (const spelling of spellings) if (masked.includes(spelling)) masked = masked.split(spelling).join(MASK);
  return maskTruncatedTail(masked, spellings);
}

/** A text cut at a limit may end with the first characters of a secret: those are masked too. */
function maskTruncatedTail(text: string, spellings: readonly string[]): string {
  let longest = 0;
  const tail = text.slice(-MIN_TRUNCATED_PREFIX);
  for (const spelling of spellings) {
    // A text ending with a secret's start ends with some four of its characters: most spellings are ruled out here.
    if (tail.length < MIN_TRUNCATED_PREFIX || !spelling.includes(tail)) continue;
    for (let length = Math.min(spelling.length - 1, text.length); length >= MIN_TRUNCATED_PREFIX && length > longest; length--) {
      if (text.endsWith(spelling.slice(0, length))) {
        longest = length;
        break;
      }
    }
  }
  return longest === 0 ? text : text.slice(0, text.length - longest) + MASK;
}

/** Every spelling of every secret worth masking, longest first (a key is masked whole, not around a masked half). */
function spellingsOf(secrets: readonly string[]): string[] {
  const values = new Set<string>();
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH) values.add(secret);
    const colon = secret.indexOf(':');
    if (colon >= 0 && secret.length - colon - 1 >= MIN_SECRET_HALF_LENGTH) values.add(secret.slice(colon + 1));
  }
  const spellings = new Set<string>();
  for (const value of values) for (const spelling of encodings(value)) if (spelling.length >= MIN_SECRET_LENGTH) spellings.add(spelling);
  return [...spellings].sort((a, b) => b.length - a.length);
}

function encodings(value: string): string[] {
  const json = jsonEscaped(value);
  const url = safeUriComponent(value);
  const base64 = Buffer.from(value, 'utf8').toString('base64');
  return [
    value,
    json,
    jsonEscaped(json),
    asciiJson(value, (hex) => hex),
    asciiJson(value, (hex) => hex.toUpperCase()),
    url,
    url.replace(/%20/g, '+'),
    url.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    base64,
    base64.replace(/=+$/, ''),
    Buffer.from(value, 'utf8').toString('base64url'),
    htmlEscaped(value),
    value.replace(/\s+/g, ' ').trim(),
  ];
}

function jsonEscaped(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/** JSON with every non-ASCII code unit as `\uXXXX` (how Python's json.dumps and many servers write it). */
function asciiJson(value: string, hexCase: (hex: string) => string): string {
  return jsonEscaped(value).replace(/[^\u0020-\u007e]/g, (unit) => `\\u${hexCase(unit.charCodeAt(0).toString(16).padStart(4, '0'))}`);
}

function safeUriComponent(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value; // a lone surrogate has no URL encoding
  }
}

function htmlEscaped(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
