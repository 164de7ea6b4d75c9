import type { AuditLogEvent } from '../adapters/auditlog.js';
import type { FronteggAudit } from '../adapters/frontegg.js';
import type { LogZabTrail } from '../adapters/logzab.js';
import type { RetracedEvent } from '../adapters/retraced-schema.js';
import type { AuditEvent } from '../event/schema.js';

/**
 * What `sendAudit` takes: the common event, or a vendor's native shape for the adapter in use (spec/EVENT.md 4.4).
 * The type catches a mistyped member at compile time; the adapter still validates at run time, since JavaScript
 * callers and `as` casts get past any type.
 */
export type AuditInput = AuditEvent | AuditLogEvent | RetracedEvent | LogZabTrail | FronteggAudit;
