import { randomBytes, randomUUID } from 'node:crypto';
import type { Adapter } from '../adapters/adapter.js';
import { createAuditLogAdapter, type AuditLogEvent } from '../adapters/auditlog.js';
import { createFronteggAdapter, type FronteggAudit } from '../adapters/frontegg.js';
import { createLogZabAdapter, type LogZabTrail } from '../adapters/logzab.js';
import { createRetracedAdapter } from '../adapters/retraced.js';
import type { RetracedEvent } from '../adapters/retraced-schema.js';
import { hashEvent } from '../hash/event-hash.js';
import { retracedHash } from '../hash/retraced-hash.js';
import { BUILT_IN_ADAPTERS, type AdapterName } from '../options.js';
import { RECORDER_ORIGIN } from './in-memory-dispatcher.js';

/** The wire form of one event in each format: what the recorder records (LogZab: the body without `apiKey`). */
export interface WireEvents {
  auditlog: AuditLogEvent;
  retraced: RetracedEvent;
  logzab: LogZabTrail;
  frontegg: FronteggAudit;
}

/**
 * Builds the real adapter of `format` only for its `prepare` (validation, mapping, hashing), so a recorded event is
 * byte for byte what that adapter would send. Its encode/decode are never called, so the placeholder credentials
 * and endpoint never leave the process.
 */
export function preparingAdapter(format: AdapterName): Adapter {
  const endpoint = RECORDER_ORIGIN;
  switch (format) {
    case 'auditlog':
      return createAuditLogAdapter({ endpoint, apiKey: 'recorder:recorder' });
    case 'retraced':
      return createRetracedAdapter({ endpoint, apiKey: 'recorder', projectId: 'recorder' });
    case 'logzab':
      return createLogZabAdapter({ endpoint, apiKey: 'recorder' });
    case 'frontegg':
      return createFronteggAdapter({ endpoint });
  }
}

/** A server id in the vendor's style: Retraced assigns 32 hex digits, the others a UUID. */
export function newServerId(format: AdapterName): string {
  return format === 'retraced' ? randomBytes(16).toString('hex') : randomUUID();
}

/** The hash a server of `format` answers for `event` stored under `serverId` (spec/EVENT.md section 9). */
export function serverHash(format: AdapterName, event: unknown, serverId: string): string {
  return format === 'retraced' ? retracedHash(event as object, serverId) : hashEvent(event);
}

/** Whether `value` names a built-in format (the recorder accepts plain JavaScript callers too). */
export function isFormat(value: unknown): value is AdapterName {
  return (BUILT_IN_ADAPTERS as readonly unknown[]).includes(value);
}
