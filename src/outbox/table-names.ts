import { createHash } from 'node:crypto';

/** The SQL names one outbox uses, quoted once here so no statement builds an identifier from user text. */
export interface TableNames {
  /** `"schema"."table"` */
  readonly table: string;
  /** `"schema"."table_receipts"` */
  readonly receipts: string;
  /** `"schema"."table_notify"` (the trigger function) */
  readonly notifyFunction: string;
  /** Unqualified, quoted names of the claim index and the trigger. */
  readonly claimIndex: string;
  readonly trigger: string;
  /** The NOTIFY channel, an identifier of at most 63 bytes, the same for every process that names the same table. */
  readonly channel: string;
  /** For messages: schema.table as given. */
  readonly display: string;
}

export interface TableOptions {
  /** @default 'auditwire_outbox' */
  readonly table?: string | undefined;
  /** @default 'public' */
  readonly schema?: string | undefined;
}

// PostgreSQL truncates identifiers past 63 bytes; derived names (`_receipts`, `_claim`) need room.
const MAX_NAME_BYTES = 48;

export function tableNames(options: TableOptions = {}): TableNames {
  const table = checkName('table', options.table ?? 'auditwire_outbox');
  const schema = checkName('schema', options.schema ?? 'public');
  const q = (name: string): string => `"${name}"`;
  const channelHash = createHash('sha256').update(`${schema}.${table}`).digest('hex').slice(0, 16);
  return {
    table: `${q(schema)}.${q(table)}`,
    receipts: `${q(schema)}.${q(`${table}_receipts`)}`,
    notifyFunction: `${q(schema)}.${q(`${table}_notify`)}`,
    claimIndex: q(`${table}_claim`),
    trigger: q(`${table}_notify`),
    channel: `auditwire_outbox_${channelHash}`,
    display: `${schema}.${table}`,
  };
}

function checkName(what: string, name: unknown): string {
  // Plain identifiers only: the names also appear inside the literals and dollar-quoted bodies of migrate().
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name.length > MAX_NAME_BYTES) {
    throw new TypeError(`outbox ${what} must be a plain identifier (letters, digits, _; at most ${MAX_NAME_BYTES} characters), got ${JSON.stringify(name)}`);
  }
  return name;
}
