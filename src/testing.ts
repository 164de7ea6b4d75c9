/**
 * auditwire/testing: helpers for tests, development and users' CI.
 */
// First, before anything that loads undici: an unsupported Node gets one clear line (src/node-version-guard.ts).
import './node-version-guard.js';

export { createReferenceServer } from './server/reference-server.js';
export type { EventFormat, ReferenceServer, ReferenceServerOptions, ReferenceServerStats, RequestInfo, StoredEvent } from './server/reference-server.js';
export type { FaultOptions } from './server/faults.js';
export type { TamperFault } from './server/tamper.js';

export { expectAuditHash } from './testing/expect-audit-hash.js';
export type { ExpectAuditHashOptions } from './testing/hash-comparison.js';
export { auditMatchers } from './testing/audit-matchers.js';
export type { AuditMatcherContext, AuditMatcherResult, AuditMatchers } from './testing/audit-matchers.js';
export { createAuditRecorder } from './testing/audit-recorder.js';
export type { AuditRecorder, AuditRecorderOptions, EventMatch, EventPredicate, RecordedEvent, RecorderFailure } from './testing/audit-recorder.js';
export type { DeepPartial } from './testing/event-match.js';
export type { WireEvents } from './testing/recorder-formats.js';
