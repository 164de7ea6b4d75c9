import { z } from 'zod';
import { dateTimeValue } from '../json/date-value.js';

/**
 * The common, adapter-neutral audit event: the single source of truth for its shape. The TypeScript types and
 * spec/event.schema.json are derived from these schemas; adapters map the validated event to each vendor's wire
 * format (spec/EVENT.md). Objects are strict: an unknown key (a typo such as `acton`) is an error, not silently
 * dropped from an audit record.
 */

// Every string must be valid Unicode: a lone surrogate has no I-JSON form, and catching it here reports it at the
// event's own path (and even in fields an adapter does not send).
const wellFormed = (value: string): boolean => value.isWellFormed();
const LONE_SURROGATE = 'contains a lone surrogate (not valid Unicode)';
const text = z.string().refine(wellFormed, LONE_SURROGATE);
const requiredText = z.string().min(1, 'must not be empty').refine(wellFormed, LONE_SURROGATE);

export const SEVERITIES = ['Info', 'Medium', 'High', 'Critical', 'Error'] as const;
export const OUTCOMES = ['success', 'failure'] as const;
export const CRUD_OPERATIONS = ['c', 'r', 'u', 'd'] as const;

/** The customer account the event belongs to: AuditLog.co `client`, Retraced `group`, Frontegg `tenantId`. */
export const TenantSchema = z
  .strictObject({
    id: requiredText.meta({ description: 'Stable id of the tenant (customer account).' }),
    name: text.optional().meta({ description: 'Display name of the tenant.' }),
  })
  .meta({ description: 'The customer account the event belongs to.' });

/** Who did it. */
export const ActorSchema = z
  .strictObject({
    id: requiredText.meta({ description: 'Stable id of the user or service that acted.' }),
    name: text.optional(),
    email: text.optional(),
  })
  .meta({ description: 'Who did it.' });

/** What it was done to. */
export const TargetSchema = z
  .strictObject({
    id: requiredText.meta({ description: 'Stable id of the object acted on.' }),
    type: text.optional().meta({ description: 'Kind of object, e.g. `user`, `api_key`.' }),
    name: text.optional(),
    url: text.optional(),
  })
  .meta({ description: 'What it was done to.' });

const isoDateTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with a time zone' });
const ipv4 = z.ipv4();
/**
 * A Date of any subclass (`TZDate` too), judged by its own time value rather than by `getTime()` or `toISOString()`,
 * which a subclass may override: an invalid Date, or something that only looks like one (a Proxy), is refused.
 */
const dateValue = z.custom<Date>((value) => typeof value === 'object' && value !== null && Number.isFinite(dateTimeValue(value)));
// A number (`Date.now()`) or another type would otherwise get zod's bare "Invalid input" for the union.
const TimeSchema = z.union([isoDateTime, dateValue], {
  error: (issue) =>
    typeof issue.input === 'number'
      ? 'must be an ISO-8601 date-time string with a time zone (e.g. 2024-05-01T12:00:00Z) or a Date, not a number: pass new Date(ms) or new Date(ms).toISOString()'
      : 'must be an ISO-8601 date-time string with a time zone (e.g. 2024-05-01T12:00:00Z) or a valid Date',
});

export const AuditEventSchema = z
  .strictObject({
    id: z
      .string()
      .min(1, 'must not be empty')
      .max(80, 'must be at most 80 characters (the smallest vendor limit, AuditLog.co uuid)')
      .refine(wellFormed, LONE_SURROGATE)
      .optional()
      .meta({ description: 'Idempotency id. Generated (a UUID) when absent and kept across retries.' }),
    action: requiredText.meta({ description: 'What happened, e.g. `user.login`.' }),
    time: TimeSchema.optional().meta({ description: 'When it happened (ISO-8601 with offset, or a Date). Defaults to now.' }),
    tenant: TenantSchema.optional(),
    actor: ActorSchema.optional(),
    target: TargetSchema.optional(),
    outcome: z.enum(OUTCOMES).optional().meta({ description: 'Defaults to `success`. Retraced `is_failure`.' }),
    anonymous: z.boolean().optional().meta({ description: 'The actor is unknown (e.g. a failed login for an unknown user). Retraced `is_anonymous`.' }),
    crud: z.enum(CRUD_OPERATIONS).optional().meta({ description: 'Create, read, update or delete.' }),
    severity: z.enum(SEVERITIES).optional().meta({ description: 'Defaults to `Info`.' }),
    description: text.optional().meta({ description: 'Human-readable description.' }),
    url: text.optional().meta({ description: 'Page or API path where it happened.' }),
    ip: z.union([ipv4, z.ipv6()], { message: 'must be an IPv4 or IPv6 address' }).optional(),
    userAgent: text.optional(),
    location: text.optional(),
    device: text.optional(),
    timezone: text.optional().meta({ description: 'IANA time-zone name of the actor, e.g. `Europe/Berlin`.' }),
    fields: z.record(text, text).optional().meta({ description: 'Custom data: string keys to string values.' }),
    tags: z.array(text).optional(),
  })
  .meta({ title: 'AuditEvent', description: 'An auditwire audit event (the common model every adapter maps from).' });

/**
 * The patterns zod itself tests for `time` strings and IPv4 `ip`s, read from the schemas above (not copied), for the
 * fast accept path in fast-validate.ts; undefined if a zod version keeps them elsewhere (then that path declines).
 */
export const ZOD_PATTERNS: { readonly isoDateTime: RegExp | undefined; readonly ipv4: RegExp | undefined } = {
  isoDateTime: isoDateTime._zod.def.pattern,
  ipv4: ipv4._zod.def.pattern,
};

/** What `sendAudit` accepts. */
export type AuditEvent = z.input<typeof AuditEventSchema>;
export type AuditTenant = z.input<typeof TenantSchema>;
export type AuditActor = z.input<typeof ActorSchema>;
export type AuditTarget = z.input<typeof TargetSchema>;
export type Severity = (typeof SEVERITIES)[number];
export type Outcome = (typeof OUTCOMES)[number];
export type CrudOperation = (typeof CRUD_OPERATIONS)[number];

/**
 * JSON Schema (draft 2020-12) of the event as it travels in JSON: `time` is a date-time string there.
 * Generated from `AuditEventSchema`, so the two cannot drift; spec/event.schema.json is this, committed.
 */
export function auditEventJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(AuditEventSchema, {
    io: 'input',
    // A Date travels as its ISO string, which the string branch already describes.
    unrepresentable: (ctx) => (ctx.zodSchema === dateValue ? {} : 'throw'),
    override: (ctx) => {
      if (ctx.zodSchema !== TimeSchema) return;
      const [stringBranch] = (ctx.jsonSchema.anyOf ?? []) as Array<Record<string, unknown>>;
      delete ctx.jsonSchema.anyOf;
      Object.assign(ctx.jsonSchema, stringBranch);
    },
  });
  return { $id: 'urn:auditwire:schema:audit-event:v1', ...schema } as Record<string, unknown>;
}
