import type { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../errors.js';
import { formatPath } from '../json/json-path.js';
import { AuditEventSchema, type AuditEvent } from './schema.js';

/** The event after validation: the schema's output type. */
export type ValidAuditEvent = z.output<typeof AuditEventSchema>;

/**
 * Validates `input` against `AuditEventSchema`, synchronously.
 * @throws ValidationError listing every problem with its JSON path (`$.actor.id: must not be empty`).
 */
export function validateAuditEvent(input: unknown): ValidAuditEvent {
  const result = AuditEventSchema.safeParse(input);
  if (result.success) {
    assertNoProtoField(input);
    return result.data;
  }
  throw new ValidationError(toIssues(result.error));
}

/**
 * A `"__proto__"` custom field (possible in parsed JSON) would be silently dropped by the record schema, and an
 * audit record must not lose data quietly: it is refused instead, loudly.
 */
export function assertNoProtoField(input: unknown): void {
  const fields = (input as { fields?: unknown }).fields;
  if (typeof fields === 'object' && fields !== null && Object.hasOwn(fields, '__proto__')) {
    throw new ValidationError([{ path: formatPath(['fields', '__proto__']), message: 'is not accepted as a custom field name (JavaScript objects cannot carry it safely)' }]);
  }
}

export function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath(issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol')),
    message: issue.code === 'unrecognized_keys' ? `unknown key(s): ${issue.keys.join(', ')}` : issue.message,
  }));
}

export type { AuditEvent };
