const MASK = '***';

/**
 * Masks secrets in text bound for the terminal or the errors file. The client keeps credentials out of its own
 * errors; this also covers what it cannot control, such as a server that echoes the key back in an error body.
 * The secret half of a `consumerId:secret` key is masked on its own too. Very short values are left alone, since
 * masking them would garble ordinary text.
 */
export function redactor(secrets: ReadonlyArray<string | undefined>): (text: string) => string {
  const values = new Set<string>();
  for (const secret of secrets) {
    if (secret === undefined) continue;
    if (secret.length >= 3) values.add(secret);
    const colon = secret.indexOf(':');
    if (colon >= 0 && secret.length - colon - 1 >= 6) values.add(secret.slice(colon + 1));
  }
  // Longest first, so a key is masked whole rather than leaving its prefix beside a masked secret half.
  const ordered = [...values].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (text) => text;
  return (text) => ordered.reduce((masked, secret) => masked.split(secret).join(MASK), text);
}
