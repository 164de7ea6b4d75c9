/**
 * auditwire/testing: helpers for tests, development and users' CI.
 */
export { createReferenceServer } from './server/reference-server.js';
export type { EventFormat, ReferenceServer, ReferenceServerOptions, ReferenceServerStats, RequestInfo, StoredEvent } from './server/reference-server.js';
export type { FaultOptions } from './server/faults.js';
