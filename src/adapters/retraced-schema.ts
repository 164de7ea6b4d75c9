import { z } from 'zod';
import { isRetracedSourceIp } from './retraced-ip.js';

// The Retraced publisher event as the vendor's server validates it: shared/reference/wire/README.md section 2,
// retraced-publisher-openapi.json (CreateEventRequest) and retracedhq/retraced src/handlers/createEvent.ts.
// Native events pass through unchanged (spec/EVENT.md 4.4), so these rules are all the client checks for them.

/** Retraced rejects empty strings anywhere (wire README section 2): omit a value rather than send "". */
const text = z.string().min(1, 'must not be empty (Retraced rejects empty strings; omit the member instead)');

/**
 * `fields` / `metadata`: string -> string, no empty key or value. Hand-written rather than `z.record`, whose output
 * assigns keys one by one and so silently drops a `"__proto__"` key; a native event must reach the server
 * unchanged (spec/EVENT.md 4.4), and the copy defines such a key as plain data.
 */
const stringMap = z
  .custom<Record<string, string>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), {
    message: 'must be an object of string values',
  })
  .transform((value, ctx) => {
    // A plain object (a null-prototype one starts in V8's dictionary mode, which makes JSON.stringify of the whole
    // event take its slow path); a "__proto__" key is defined as data, never a prototype change.
    const copy: Record<string, string> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (key === '') ctx.issues.push({ code: 'custom', input: key, path: [key], message: 'keys must not be empty (Retraced rejects empty strings)' });
      if (typeof item !== 'string') ctx.issues.push({ code: 'custom', input: item, path: [key], message: 'must be a string (Retraced maps are string -> string)' });
      else if (item === '') ctx.issues.push({ code: 'custom', input: item, path: [key], message: 'must not be empty (Retraced rejects empty strings)' });
      if (key === '__proto__') Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
      else copy[key] = item as string;
    }
    return copy;
  });

/** Unknown keys are rejected at the top level and inside group/actor/target; each one's `id` is required. */
const GroupSchema = z.strictObject({ id: text, name: text.optional() });
const ActorSchema = z.strictObject({ id: text, name: text.optional(), href: text.optional(), fields: stringMap.optional() });
const TargetSchema = z.strictObject({ id: text, name: text.optional(), href: text.optional(), type: text.optional(), fields: stringMap.optional() });

export const RetracedEventSchema = z
  .strictObject({
    action: text,
    // Required in practice: without it the server answers 500 (wire README section 2).
    crud: z.enum(['c', 'r', 'u', 'd'], { message: 'must be one of "c", "r", "u", "d" (required by Retraced)' }),
    group: GroupSchema.optional(),
    actor: ActorSchema.optional(),
    target: TargetSchema.optional(),
    source_ip: z
      .string()
      .refine(isRetracedSourceIp, 'must match the Retraced server IPv4/IPv6 pattern (a first octet of 0, and "::1" or "1::", are refused)')
      .optional(),
    description: text.optional(),
    component: text.optional(),
    version: text.optional(),
    external_id: text.optional(),
    is_anonymous: z.boolean().optional(),
    is_failure: z.boolean().optional(),
    // The server only needs a parseable date (an unparseable one answers 500); an explicit offset is required so
    // the instant does not depend on the server's time zone.
    created: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with Z or an offset' }).optional(),
    fields: stringMap.optional(),
    metadata: stringMap.optional(),
  })
  .superRefine((event, ctx) => {
    // "Event is not marked anonymous, and missing required field 'actor'" (createEvent.ts).
    if (event.is_anonymous !== true && event.actor === undefined) {
      ctx.addIssue({ code: 'custom', path: ['actor'], message: 'required unless is_anonymous is true (Retraced)' });
    }
  });

/** A Retraced publisher event (the vendor's typed native shape). */
export type RetracedEvent = z.infer<typeof RetracedEventSchema>;
