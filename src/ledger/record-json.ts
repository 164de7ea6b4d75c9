/**
 * The canonical JSON of a ledger record without the general canonicalizer: every record has the same eight
 * members, so an object literal that names them in RFC 8785 order (UTF-16 code-unit order: ackedAt, adapter, hash,
 * id, serverHash, serverId, time, verified) and the native `JSON.stringify` give the JCS bytes directly. RFC 8785
 * section 3.2.2.2 defines string serialization as `JSON.stringify`'s, and `JSON.stringify` drops the optional
 * members that are undefined, as JCS (which has no undefined) must.
 *
 * This is the hot path of both the writer (one call per acknowledged event) and `ledger verify` (one per line), so
 * it only answers when it is sure: a plain (or null-prototype) object whose enumerable keys are all record members, with every member
 * of the type and form `LedgerRecordSchema` asks for and every string well-formed. Anything else gets undefined,
 * and the caller takes the schema and `canonicalJson`, which give the reason. test/ledger/record-json.test.ts
 * proves it agrees with both on every record shape and the spec vectors.
 */
export function templateRecordJson(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  for (const key in value) if (!MEMBERS.has(key)) return undefined;
  // Each member read once: what is checked is what is written.
  const { ackedAt, adapter, hash, id, serverHash, serverId, time, verified } = value as Record<string, unknown>;
  if (
    !isText(ackedAt) ||
    !isText(adapter) ||
    typeof hash !== 'string' ||
    hash.length !== 64 ||
    NOT_LOWER_HEX.test(hash) ||
    !isText(id) ||
    !(serverHash === undefined || isWellFormedString(serverHash)) ||
    !(serverId === undefined || isWellFormedString(serverId)) ||
    !isText(time) ||
    typeof verified !== 'boolean'
  ) {
    return undefined;
  }
  return JSON.stringify({ ackedAt, adapter, hash, id, serverHash, serverId, time, verified });
}

const MEMBERS: ReadonlySet<string> = new Set(['ackedAt', 'adapter', 'hash', 'id', 'serverHash', 'serverId', 'time', 'verified']);
/** The schema's /^[0-9a-f]{64}$/ as a length check and a search for one wrong character: half the cost. */
const NOT_LOWER_HEX = /[^0-9a-f]/;

/** A non-empty well-formed string, as the schema's required text members are. */
function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.isWellFormed();
}

/** A lone surrogate has no UTF-8 form, so no canonical JSON (RFC 8785 takes I-JSON, RFC 7493 section 2.1). */
export function isWellFormedString(value: unknown): value is string {
  return typeof value === 'string' && value.isWellFormed();
}
