import type { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../errors.js';
import { formatPath } from '../json/json-path.js';
import { fastParseAuditEvent } from './fast-validate.js';
import { AuditEventSchema, type AuditEvent } from './schema.js';

/** The event after validation: the schema's output type. */
export type ValidAuditEvent = z.output<typeof AuditEventSchema>;

/**
 * Validates `input` against `AuditEventSchema`, synchronously.
 * @throws ValidationError listing every problem with its JSON path (`$.actor.id: must not be empty`).
 */
export function validateAuditEvent(input: unknown): ValidAuditEvent {
  const fast = fastParseAuditEvent(input);
  if (fast !== undefined) return fast;
  const result = AuditEventSchema.safeParse(input);
  if (result.success) return withProtoField(input, result.data);
  throw new ValidationError(toIssues(result.error));
}

/**
 * A `"__proto__"` member is ordinary data on every path (spec/EVENT.md 4.5): canonicalJson keeps it, native shapes
 * keep it, and so does a custom field of that name, which JSON.parse makes an own member. The record schema's output
 * assigns keys one by one and so drops it; it is put back here, after the same check the schema gives every field
 * (a string, valid Unicode). Returns `data`, with the member restored when `input.fields` has one.
 */
export function withProtoField(input: unknown, data: ValidAuditEvent): ValidAuditEvent {
  const fields = (input as { fields?: unknown }).fields;
  if (typeof fields !== 'object' || fields === null || data.fields === undefined) return data;
  const descriptor = Object.getOwnPropertyDescriptor(fields, '__proto__');
  if (descriptor === undefined || descriptor.enumerable !== true) return data;
  const value: unknown = 'value' in descriptor ? descriptor.value : descriptor.get?.call(fields);
  if (typeof value !== 'string' || !value.isWellFormed()) {
    throw new ValidationError([{ path: formatPath(['fields', '__proto__']), message: 'must be a string of valid Unicode' }]);
  }
  Object.defineProperty(data.fields, '__proto__', { value, enumerable: true, writable: true, configurable: true });
  return data;
}

export function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath(issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol')),
    message: issue.code === 'unrecognized_keys' ? `unknown key(s): ${issue.keys.join(', ')}` : issue.message,
  }));
}

export type { AuditEvent };
