import { createHash } from 'node:crypto';

// The Retraced hash formula (shared/reference/wire/README.md section 2, "Retraced hash formula"), written for the
// reference server on its own: it must not share code with the client's src/hash, so that a bug in one cannot
// hide behind the same bug in the other. Checked against the golden vectors and the vendor's npm package.

/** The members the formula reads; everything else in a Retraced event is not hashed (section 2). */
export interface RetracedHashInput {
  readonly action: string;
  readonly target?: { readonly id: string } | undefined;
  readonly actor?: { readonly id: string } | undefined;
  readonly group?: { readonly id: string } | undefined;
  readonly source_ip?: string | undefined;
  readonly is_failure?: boolean | undefined;
  readonly is_anonymous?: boolean | undefined;
  readonly fields?: Readonly<Record<string, string>> | undefined;
  readonly external_id?: string | undefined;
  readonly metadata?: Readonly<Record<string, string>> | undefined;
}

/** Lowercase hex SHA-256 of `retracedHashTarget(event, id)`. */
export function retracedFormulaHash(event: RetracedHashInput, id: string): string {
  return createHash('sha256').update(retracedHashTarget(event, id), 'utf8').digest('hex');
}

/** The exact string the formula hashes. */
export function retracedHashTarget(event: RetracedHashInput, id: string): string {
  const parts = [
    escapeColon(id),
    escapeColon(event.action),
    event.target ? escapeColon(event.target.id) : '',
    event.actor ? escapeColon(event.actor.id) : '',
    event.group ? escapeColon(event.group.id) : '',
    event.source_ip ? escapeColon(event.source_ip) : '',
    event.is_failure ? '1' : '0',
    event.is_anonymous ? '1' : '0',
  ];
  // An absent `fields` contributes ":", a present one (even `{}`) only its pairs: the two hash differently.
  let target = `${parts.join(':')}:${event.fields ? pairs(event.fields) : ':'}`;
  if (event.external_id) target += `:${escapeColon(event.external_id)}`;
  // Likewise a present `metadata`, even `{}`, appends ":" and its pairs; an absent one appends nothing.
  if (event.metadata) target += `:${pairs(event.metadata)}`;
  return target;
}

/** `k=v;` for every key in JavaScript's default sort order (UTF-16 code units of the raw key). */
function pairs(map: Readonly<Record<string, string>>): string {
  return Object.keys(map)
    .sort()
    .map((key) => `${escapePair(key)}=${escapePair(map[key] ?? '')};`)
    .join('');
}

/** E1: "%" first, so the escapes it introduces are not escaped again. */
function escapeColon(text: string): string {
  return text.replaceAll('%', '%25').replaceAll(':', '%3A');
}

/** E2: E1, then the separators of the key=value; list. */
function escapePair(text: string): string {
  return escapeColon(text).replaceAll('=', '%3D').replaceAll(';', '%3B');
}
