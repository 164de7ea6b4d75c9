/**
 * auditwire: typed audit events for Node, hashed as SHA-256 over RFC 8785 canonical JSON so that any language
 * can verify them.
 */
// First, before anything that loads undici: an unsupported Node gets one clear line (src/node-version-guard.ts).
import './node-version-guard.js';

export { canonicalJson } from './hash/canonical-json.js';
export { hashEvent, verifyEventHash } from './hash/event-hash.js';
export { parseIJson } from './json/parse-i-json.js';
export { retracedHash, retracedHashTarget } from './hash/retraced-hash.js';
export type { RetracedHashInput } from './hash/retraced-hash.js';

export {
  AuditEventSchema,
  TenantSchema,
  ActorSchema,
  TargetSchema,
  SEVERITIES,
  OUTCOMES,
  CRUD_OPERATIONS,
  auditEventJsonSchema,
} from './event/schema.js';
export type {
  AuditEvent,
  AuditTenant,
  AuditActor,
  AuditTarget,
  Severity,
  Outcome,
  CrudOperation,
} from './event/schema.js';
export { validateAuditEvent } from './event/validate.js';
export type { ValidAuditEvent } from './event/validate.js';

export {
  AuditsError,
  ValidationError,
  CanonicalizationError,
  JsonSyntaxError,
  DeliveryError,
  AuthenticationError,
  TimeoutError,
  HashMismatchError,
  QueueFullError,
  ClientClosedError,
} from './errors.js';
export type { AuditsErrorCode, ValidationIssue, DeliveryErrorOptions, AuditsErrorOptions } from './errors.js';

export { AuditsClient } from './client/audits-client.js';
export type { CloseOptions } from './client/audits-client.js';
export type { AuditsClientEventMap, AuditsClientStats } from './client/client-events.js';
export type { AuditReceipt } from './delivery/receipt.js';
export type { AuditInput, ExactAuditInput, OnlyKnownMembers } from './client/audit-input.js';
export type { RetryInfo } from './delivery/batch-delivery.js';
export type {
  ClientOptions,
  AdapterName,
  RetryOptions,
  VerifyPolicy,
  WhenQueueFull,
  DeliveryGuarantee,
  SpoolOptions,
} from './options.js';
export type { Logger } from './logger.js';
export type { UnmappedField, UnmappedFieldPolicy, UnmappedFieldReporter } from './adapters/unmapped-fields.js';
export type {
  Adapter,
  AdapterLimits,
  PrepareContext,
  EncodeContext,
  PreparedEvent,
  HttpRequest,
  HttpResponse,
  BatchResult,
  EventResult,
  RequestFailure,
  Credentials,
  ExchangeContext,
} from './adapters/adapter.js';

// The vendors' native event shapes, for events already held in that shape (spec/EVENT.md 4.4).
export { AuditLogEventSchema } from './adapters/auditlog.js';
export type { AuditLogEvent } from './adapters/auditlog.js';
export { RetracedEventSchema } from './adapters/retraced-schema.js';
export type { RetracedEvent } from './adapters/retraced-schema.js';
export { LogZabTrailSchema } from './adapters/logzab.js';
export type { LogZabTrail } from './adapters/logzab.js';
export { FronteggAuditSchema } from './adapters/frontegg.js';
export type { FronteggAudit } from './adapters/frontegg.js';
export type {
  FronteggAuditsQuery,
  FronteggAuditsStatsQuery,
  FronteggAuditsPage,
  FronteggAuditsStats,
  FronteggAuditsMetadata,
  FronteggAuditSortField,
  FronteggQueryValue,
} from './adapters/frontegg-audits-api.js';

// Request context and middleware for Node HTTP servers (Express, Fastify, Koa, node:http).
export { requestContext } from './http/request-context.js';
export type { RequestContext, RequestContextOptions } from './http/request-context.js';
export type { TrustProxy } from './http/trust-proxy.js';
export type { ProxyHeader } from './http/proxy-chain.js';
export { auditRequest } from './http/audit-request.js';
export type { AuditBuilder, AuditMiddleware } from './http/audit-request.js';
export type { AuditSender, AuditErrorHandler, AuditRequestOptions } from './http/audit-when-done.js';
export { auditFastify } from './http/audit-fastify.js';
export type { FastifyAuditHook, FastifyLikeRequest, FastifyLikeReply } from './http/audit-fastify.js';
export { auditKoa } from './http/audit-koa.js';
export type { KoaAuditMiddleware, KoaLikeContext } from './http/audit-koa.js';
export { loginEvent, LOGIN_ACTIONS } from './http/login-event.js';
export type { LoginEventInput, LoginSucceeded, LoginFailed } from './http/login-event.js';

// Ledger: a signed, append-only record of acknowledged events (RFC 6962 tree, C2SP checkpoints).
export { openLedger, Ledger } from './ledger/ledger.js';
export type { LedgerHooks, LedgerStats } from './ledger/ledger.js';
export type { LedgerOptions } from './ledger/ledger-options.js';
export { LedgerRecordSchema } from './ledger/ledger-record.js';
export type { LedgerRecord } from './ledger/ledger-record.js';
export { LedgerDamagedError } from './ledger/ledger-scan.js';
export { generateLedgerKeys } from './ledger/ledger-keys.js';
export type { LedgerKeyPair } from './ledger/ledger-keys.js';
export { parseVerifierKey } from './ledger/note-key.js';
export type { NoteVerifier } from './ledger/note-key.js';
export { verifyLedger } from './ledger/verify-ledger.js';
export type { LedgerProblem, LedgerVerification } from './ledger/verify-ledger.js';
export { proveRecord, ProofUnavailableError } from './ledger/prove-record.js';
export type { RecordProof } from './ledger/prove-record.js';
export { checkRecordProof, ledgerLeafHash, openCheckpoint } from './ledger/check-proof.js';
export type { Checkpoint } from './ledger/checkpoint.js';
export { MerkleFrontier } from './ledger/merkle-frontier.js';
export { verifyInclusion, verifyConsistency } from './ledger/verify-proof.js';
