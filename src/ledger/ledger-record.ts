import { z } from 'zod';
import { canonicalJson } from '../hash/canonical-json.js';
import { checksumLine, lineBody } from './checksum-line.js';

/**
 * One acknowledged event as the ledger keeps it. Its RFC 8785 canonical JSON is the Merkle leaf (spec/LEDGER.md
 * "Record"), so the schema is strict: an extra member would change the leaf without anyone having meant it.
 */
export const LedgerRecordSchema = z.strictObject({
  /** The event's idempotency id. */
  id: z.string().min(1),
  /** The hash auditwire computed before sending (the Retraced formula for Retraced), lowercase hex. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The id the vendor assigned, where it returned one. */
  serverId: z.string().optional(),
  /** The hash the vendor returned, where it returned one. */
  serverHash: z.string().optional(),
  /** The vendor returned a hash and it matched `hash`. */
  verified: z.boolean(),
  /** The adapter that delivered it. */
  adapter: z.string().min(1),
  /** The event's own time (ISO-8601), as sent. */
  time: z.string().min(1),
  /** When the vendor's acknowledgement arrived (ISO-8601, UTC). */
  ackedAt: z.string().min(1),
});

export type LedgerRecord = z.infer<typeof LedgerRecordSchema>;

/** A record's line in `records.log`: its canonical JSON, framed with a checksum. */
export function recordLine(json: string): string {
  return checksumLine(json);
}

export function canonicalRecord(record: LedgerRecord): string {
  return canonicalJson(record);
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
  const parsed = LedgerRecordSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: `not a ledger record (${parsed.error.issues[0]?.path.join('.') ?? '$'}: ${parsed.error.issues[0]?.message ?? 'invalid'})` };
  // The leaf is these exact bytes, so they must be the one canonical form every verifier would rebuild.
  if (canonicalJson(parsed.data) !== json) return { ok: false, reason: 'not in canonical JSON form' };
  return { ok: true, json, record: parsed.data };
}
