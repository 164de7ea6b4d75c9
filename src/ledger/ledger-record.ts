import { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../errors.js';
import { canonicalJson } from '../hash/canonical-json.js';
import { checksumLine, lineBody } from './checksum-line.js';
import { isWellFormedString, templateRecordJson } from './record-json.js';

/** Every string of a record ends up in its canonical JSON, which a lone surrogate cannot be part of. */
const text = () => z.string().check(z.refine(isWellFormedString, 'contains a lone surrogate (not I-JSON, so no canonical JSON)'));

/**
 * One acknowledged event as the ledger keeps it. Its RFC 8785 canonical JSON is the Merkle leaf (spec/LEDGER.md
 * "Record"), so the schema is strict: an extra member would change the leaf without anyone having meant it.
 */
export const LedgerRecordSchema = z.strictObject({
  /** The event's idempotency id. */
  id: text().min(1),
  /** The hash auditwire computed before sending (the Retraced formula for Retraced), lowercase hex. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The id the vendor assigned, where it returned one. */
  serverId: text().optional(),
  /** The hash the vendor returned, where it returned one. */
  serverHash: text().optional(),
  /** The vendor returned a hash and it matched `hash`. */
  verified: z.boolean(),
  /** The adapter that delivered it. */
  adapter: text().min(1),
  /** The event's own time (ISO-8601), as sent. */
  time: text().min(1),
  /** When the vendor's acknowledgement arrived (ISO-8601, UTC). */
  ackedAt: text().min(1),
});

export type LedgerRecord = z.infer<typeof LedgerRecordSchema>;

/** A record's line in `records.log`: its canonical JSON, framed with a checksum. */
export function recordLine(json: string): string {
  return checksumLine(json);
}

/**
 * The leaf bytes of `value` (its RFC 8785 canonical JSON) once it is known to be a ledger record; throws
 * `ValidationError` naming what is wrong otherwise. The template takes every record it is sure of; the schema and
 * the general canonicalizer the rest.
 */
export function canonicalRecord(value: unknown): string {
  const json = templateRecordJson(value);
  if (json !== undefined) return json;
  const parsed = LedgerRecordSchema.safeParse(value);
  if (!parsed.success) {
    throw new ValidationError(parsed.error.issues.map((issue): ValidationIssue => ({ path: `$.${issue.path.join('.')}`, message: issue.message })));
  }
  return canonicalJson(parsed.data);
}

export type ParsedRecordLine =
  | { readonly ok: true; readonly json: string; readonly record: LedgerRecord }
  | { readonly ok: false; readonly reason: string };

/** A line (without its newline) read back: its canonical JSON and record, or what is wrong with it. */
export function parseRecordLine(line: string): ParsedRecordLine {
  const json = lineBody(line);
  if (json === undefined) return { ok: false, reason: 'checksum mismatch (a torn or edited line)' };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  // The common case: a record the template writes back to exactly the bytes read is valid and canonical.
  if (templateRecordJson(value) === json) return { ok: true, json, record: value as LedgerRecord };
  const parsed = LedgerRecordSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: `not a ledger record (${parsed.error.issues[0]?.path.join('.') ?? '$'}: ${parsed.error.issues[0]?.message ?? 'invalid'})` };
  // The leaf is these exact bytes, so they must be the one canonical form every verifier would rebuild.
  if (canonicalJson(parsed.data) !== json) return { ok: false, reason: 'not in canonical JSON form' };
  return { ok: true, json, record: parsed.data };
}
