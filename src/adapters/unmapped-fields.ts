import { ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * What the client does with a member of the common event that the adapter's wire format has no slot for
 * (AuditLog.co has none for `outcome`, `severity`, `crud`, `fields`, `tags`, `timezone`, IPv6 addresses...):
 * `'warn'` sends the event without it and says so once per adapter and member; `'refuse'` rejects the event with a
 * `ValidationError` naming the member and the adapter; `'ignore'` sends it without a word (still counted in
 * `stats().unmapped`).
 */
export type UnmappedFieldPolicy = 'warn' | 'refuse' | 'ignore';

export const UNMAPPED_FIELD_POLICIES: readonly UnmappedFieldPolicy[] = ['warn', 'refuse', 'ignore'];

/** A member of one event that the wire format cannot carry: its JSON path, and what about it cannot travel. */
export interface UnmappedField {
  readonly path: string;
  /** Why, when it is not the member as such (`an IPv6 address: ipAddress is IPv4 only`). */
  readonly detail?: string;
}

/** Told by an adapter, while it maps one event, the members it drops (never empty); may throw to refuse it. */
export type UnmappedFieldReporter = (fields: readonly UnmappedField[]) => void;

export interface UnmappedFieldSettings {
  readonly policy: UnmappedFieldPolicy;
  /** The adapter's name, for the messages. */
  readonly adapter: string;
  /** The user's logger; without one, a process warning (as Node reports its own conditions nobody handles). */
  readonly logger: Logger | undefined;
  /** Called once per event sent with dropped members. */
  readonly counted: () => void;
}

export function createUnmappedFieldReporter(settings: UnmappedFieldSettings): UnmappedFieldReporter {
  const warned = new Set<string>();
  // Adapters pass one shared object per member (auditlog.ts): known by identity, it needs no key built per event.
  const warnedObjects = new WeakSet<UnmappedField>();
  const why = (field: UnmappedField): string => field.detail ?? 'its wire format has no slot for it';
  return (fields) => {
    if (settings.policy === 'refuse') {
      throw new ValidationError(
        fields.map((field) => ({
          path: field.path,
          message: `the ${settings.adapter} adapter would drop it: ${why(field)} (onUnmappedField: 'refuse'; 'warn' sends the event without it)`,
        })),
      );
    }
    settings.counted();
    if (settings.policy === 'ignore') return;
    for (const field of fields) {
      if (warnedObjects.has(field)) continue;
      warnedObjects.add(field);
      const key = `${field.path}\u0000${field.detail ?? ''}`;
      if (warned.has(key)) continue;
      warned.add(key);
      warn(
        settings.logger,
        `auditwire: the ${settings.adapter} adapter drops ${field.path}: ${why(field)}; events are sent without it ` +
          `(said once per member; onUnmappedField: 'refuse' refuses such events, 'ignore' silences this)`,
      );
    }
  };
}

function warn(logger: Logger | undefined, message: string): void {
  if (logger === undefined) {
    process.emitWarning(message, { code: 'AUDITWIRE_UNMAPPED_FIELD' });
    return;
  }
  try {
    logger.warn(message);
  } catch {
    // The user's logger must not change an event's outcome: the warning is lost, the event is not.
  }
}
