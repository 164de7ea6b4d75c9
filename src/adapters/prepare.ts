import type { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../errors.js';
import { normalizeEvent, type NormalizedEvent } from '../event/normalize.js';
import { AuditEventSchema } from '../event/schema.js';
import { fastParseAuditEvent } from '../event/fast-validate.js';
import { toIssues, withProtoField, type ValidAuditEvent } from '../event/validate.js';
import { canonicalJson } from '../hash/canonical-json.js';
import { canonicalJsonOfOwnWire } from '../hash/own-wire-json.js';
import { sha256Hex } from '../hash/sha256.js';
import { wireObjectTime } from '../ledger/event-time.js';
import type { PrepareContext, PreparedEvent } from './adapter.js';

/** Either a common-model event (normalized) or the vendor's own shape (validated, passed through unchanged). */
export type ParsedInput<Native> = { readonly kind: 'common'; readonly event: NormalizedEvent } | { readonly kind: 'native'; readonly event: Native };

const COMMON_KEYS: ReadonlySet<string> = new Set(Object.keys(AuditEventSchema.shape));

/**
 * spec/EVENT.md 4.4: input that validates as the common model is read as such; otherwise, if it validates as the
 * vendor's native shape, it is native; otherwise the error reports the problems of the shape the input was meant
 * to have: the native one when it has a top-level key only the native shape knows (`tenantId`, `external_id`),
 * else the common one (so a typo such as `acton` is reported against the common model).
 */
export function parseCommonOrNative<Native>(input: unknown, nativeSchema: z.ZodType<Native>, context: PrepareContext): ParsedInput<Native> {
  // The common shapes are accepted without zod (fast-validate.ts); zod judges the rest and words every error.
  // A top-level key the common model does not have makes its strict schema fail for sure: a native event (the
  // Frontegg drop-in's `tenantId`) skips that parse, which cost as much as the native one; the common error is
  // computed only if it is the one to report.
  const fast = fastParseAuditEvent(input);
  if (fast !== undefined) return commonEvent(fast, context);
  const common = hasKeyOutside(input, COMMON_KEYS) ? undefined : AuditEventSchema.safeParse(input);
  if (common?.success === true) return commonEvent(withProtoField(input, common.data), context);
  const native = nativeSchema.safeParse(input);
  if (native.success) return { kind: 'native', event: native.data };
  const reported = looksNative(input, nativeSchema) ? native.error : (common ?? AuditEventSchema.safeParse(input)).error;
  // Unreachable: a common parse that succeeded returned above, and one skipped had a key the schema refuses.
  if (reported === undefined) throw new ValidationError([{ path: '$', message: 'is not an audit event' }]);
  throw new ValidationError(toIssues(reported));
}

function commonEvent<Native>(data: ValidAuditEvent, context: PrepareContext): ParsedInput<Native> {
  const event = normalizeEvent(data, context);
  if (data.anonymous === false && event.actor === undefined) {
    throw new ValidationError([{ path: '$.actor', message: 'required when anonymous is false' }]);
  }
  return { kind: 'common', event };
}

function hasKeyOutside(input: unknown, keys: ReadonlySet<string>): boolean {
  if (typeof input !== 'object' || input === null) return false;
  for (const key in input) if (Object.hasOwn(input, key) && !keys.has(key)) return true;
  return false;
}

function looksNative(input: unknown, nativeSchema: z.ZodType): boolean {
  const shape = (nativeSchema as { shape?: unknown }).shape;
  if (typeof input !== 'object' || input === null || typeof shape !== 'object' || shape === null) return false;
  return Object.keys(input).some((key) => !COMMON_KEYS.has(key) && Object.hasOwn(shape, key));
}

/**
 * Serializes the wire form once: the canonical JSON is both the bytes sent and the bytes hashed. A native event
 * (the caller's data, as the vendor schema passed it through) takes `canonicalJson`, safe on any input.
 */
export function toPrepared(id: string, wire: unknown): PreparedEvent {
  // No `time`: the caller's object was read once, by canonicalJson; a second read could meet a getter that answers
  // differently or throws. The ledger reads the time from the wire text instead (src/ledger/event-time.ts).
  return preparedFrom(id, canonicalJson(wire), undefined);
}

/**
 * `toPrepared` for a wire object the adapter's mapping built (fresh plain data in canonical order, which
 * test/unit/adapters/wire-order.test.ts checks for every mapping): serialized without the defensive copy.
 */
export function toPreparedMapped(id: string, wire: object): PreparedEvent {
  return preparedFrom(id, canonicalJsonOfOwnWire(wire), wireObjectTime(wire));
}

function preparedFrom(id: string, text: string, time: string | undefined): PreparedEvent {
  return { id, wire: text, hash: sha256Hex(text), bytes: Buffer.byteLength(text), time };
}

/** Collects vendor-limit violations, then throws them together (one event, every problem). */
export class LimitChecker {
  /** Made at the first problem: most events have none. */
  #issues: ValidationIssue[] | undefined;

  constructor(private readonly vendor: string) {}

  maxLength(path: string, value: string | undefined, max: number, slot: string): void {
    if (value !== undefined && value.length > max) {
      (this.#issues ??= []).push({ path, message: `at most ${max} characters (${this.vendor} ${slot})` });
    }
  }

  fail(path: string, message: string): void {
    (this.#issues ??= []).push({ path, message });
  }

  throwIfAny(): void {
    if (this.#issues !== undefined) throw new ValidationError(this.#issues);
  }
}
