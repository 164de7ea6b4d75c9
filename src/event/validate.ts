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
  if (result.success) return result.data;
  throw new ValidationError(toIssues(result.error));
}

export function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath(issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol')),
    message: issue.code === 'unrecognized_keys' ? `unknown key(s): ${issue.keys.join(', ')}` : issue.message,
  }));
}

export type { AuditEvent };
