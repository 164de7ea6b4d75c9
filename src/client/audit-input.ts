import type { AuditLogEvent } from '../adapters/auditlog.js';
import type { FronteggAudit } from '../adapters/frontegg.js';
import type { LogZabTrail } from '../adapters/logzab.js';
import type { RetracedEvent } from '../adapters/retraced-schema.js';
import type { AuditEvent } from '../event/schema.js';

/**
 * What `sendAudit` takes: the common event, or a vendor's native shape for the adapter in use (spec/EVENT.md 4.4).
 * The adapter still validates at run time, since JavaScript callers and `as` casts get past any type.
 */
export type AuditInput = AuditEvent | AuditLogEvent | RetracedEvent | LogZabTrail | FronteggAudit;

/** The keys of every member of a union (`keyof` of a union keeps only the keys all members share). */
type KeysOf<T> = T extends unknown ? keyof T : never;
/** The type of `K` in whichever members of a union declare it. */
type MemberOf<T, K extends PropertyKey> = T extends unknown ? (K extends keyof T ? T[K] : never) : never;

/**
 * `E` with every member that `Shape` does not declare turned into `never`, at every depth: TypeScript's own
 * excess property check stops working on a union that has a member with an index signature (Frontegg's flat
 * audit), so `{ action: 'a', foo: 1 }` would compile against `AuditInput` alone.
 */
export type OnlyKnownMembers<Shape, E> = E extends Date | readonly unknown[]
  ? E
  : E extends object
    ? { [K in keyof E]: K extends KeysOf<Shape> ? OnlyKnownMembers<NonNullable<MemberOf<Shape, K>>, E[K]> : never }
    : E;

/**
 * The check `sendAudit<E>(event: E & ExactAuditInput<E>)` applies: a member that no accepted shape declares
 * (`foo`, or `emial` inside `actor`) fails to compile, the way a misspelt member of a plain object type does.
 * Frontegg's flat audit (it has `tenantId`) keeps its free members, as Frontegg's own SDK types them.
 */
export type ExactAuditInput<E> = E extends { readonly tenantId: unknown }
  ? E
  : E extends AuditEvent & OnlyKnownMembers<AuditEvent, E>
    ? E
    : E extends AuditLogEvent & OnlyKnownMembers<AuditLogEvent, E>
      ? E
      : E extends RetracedEvent & OnlyKnownMembers<RetracedEvent, E>
        ? E
        : E extends LogZabTrail & OnlyKnownMembers<LogZabTrail, E>
          ? E
          : OnlyKnownMembers<ClosestShape<E>, E>;

/** A shape's own keys, those the common event does not have (Retraced `is_anonymous`, AuditLog.co `uuid`...). */
type OwnKeys<Shape> = Exclude<KeysOf<Shape>, keyof AuditEvent>;

/** The shape an event that fits none was meant to be, so the error points at the misspelt member only. */
type ClosestShape<E> = [Extract<keyof E, OwnKeys<RetracedEvent>>] extends [never]
  ? [Extract<keyof E, OwnKeys<AuditLogEvent>>] extends [never]
    ? [Extract<keyof E, OwnKeys<LogZabTrail>>] extends [never]
      ? AuditEvent
      : LogZabTrail
    : AuditLogEvent
  : RetracedEvent;
