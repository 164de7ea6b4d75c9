import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { NormalizedEvent } from '../event/normalize.js';
import { canonicalJson } from '../hash/canonical-json.js';
import { compact } from '../internal/compact.js';
import type { Adapter, HttpRequest, PrepareContext, PreparedEvent } from './adapter.js';
import { joinUrl } from './http-helpers.js';
import { LimitChecker, parseCommonOrNative, toPrepared, toPreparedMapped } from './prepare.js';
import { decodeOneEventReply, ONE_EVENT_PER_REQUEST } from './server-hash-reply.js';

// LogZab addTrail, shared/reference/wire/README.md section 3. Mapping rules: spec/EVENT.md section 7.

const LOGZAB_ENDPOINT = 'https://api.logzab.com';

const nonEmpty = z.string().min(1);

/** The addTrail body without `apiKey` (the adapter adds the key from the client options). */
export const LogZabTrailSchema = z.strictObject({
  actor: z.strictObject({
    unique_id: nonEmpty,
    name: nonEmpty,
    group: z.string().optional(),
    ip: z.string().optional(),
    device: z.string().optional(),
    location: z.string().optional(),
  }),
  object: nonEmpty,
  action: nonEmpty,
  timezone: z.string().optional(),
  path: z.string().optional(),
  desc: z.string().optional(),
  tag: z.string().optional(),
});
export type LogZabTrail = z.infer<typeof LogZabTrailSchema>;

export interface LogZabAdapterOptions {
  /** Base URL; `/v1/addTrail` is appended. @default https://api.logzab.com */
  readonly endpoint?: string | undefined;
  readonly apiKey: string;
}

export function createLogZabAdapter(options: LogZabAdapterOptions): Adapter {
  if (options.apiKey === '') throw new ValidationError([{ path: 'options.apiKey', message: 'must not be empty' }]);
  const url = joinUrl(options.endpoint ?? LOGZAB_ENDPOINT, '/v1/addTrail');
  // The key is spliced in front of the already-canonical wire text, so the hashed bytes stay exactly the body
  // minus apiKey (spec/EVENT.md section 9) without serializing twice.
  const keyMember = `{"apiKey":${JSON.stringify(options.apiKey)},`;

  return {
    name: 'logzab',
    // One trail per request: no batch endpoint is documented.
    limits: ONE_EVENT_PER_REQUEST,

    prepare(input: unknown, context: PrepareContext): PreparedEvent {
      if (typeof input === 'object' && input !== null && Object.hasOwn(input, 'apiKey')) {
        throw new ValidationError([{ path: '$.apiKey', message: 'the API key belongs in the client options, not in an event (events are queued and may surface in error reports)' }]);
      }
      const parsed = parseCommonOrNative(input, LogZabTrailSchema, context);
      if (parsed.kind === 'native') return toPrepared(context.newId(), parsed.event);
      return toPreparedMapped(parsed.event.id, toLogZabTrail(parsed.event));
    },

    encode(batch: readonly PreparedEvent[]): HttpRequest {
      const event = batch[0] as PreparedEvent;
      return {
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: keyMember + event.wire.slice(1),
      };
    },

    // Undocumented replies (wire README section 3): any 2xx is acceptance, with an optional {id, hash}.
    decode: decodeOneEventReply,
  };
}

/** Members of the normalized event that have a LogZab slot of their own, so `desc` leaves them out. */
const SLOTTED = new Set(['action', 'ip', 'device', 'location', 'timezone', 'url', 'tags']);

/** Maps a normalized common event to the addTrail body minus `apiKey` (spec/EVENT.md section 7). */
export function toLogZabTrail(event: NormalizedEvent): LogZabTrail {
  const check = new LimitChecker('LogZab');
  event.tags?.forEach((tag, index) => {
    if (tag.includes(',')) check.fail(`$.tags[${index}]`, 'must not contain "," (LogZab tag is a comma-separated list)');
  });
  check.throwIfAny();
  // Sentinel actor where the event has none (spec/EVENT.md 4.2); the name falls back to email, then id.
  const name = event.actor ? (event.actor.name ?? event.actor.email ?? event.actor.id) : 'Anonymous';
  const rest: Record<string, unknown> = {};
  for (const key in event) if (Object.hasOwn(event, key) && !SLOTTED.has(key)) rest[key] = event[key as keyof NormalizedEvent];
  // Members in canonical (sorted) order, so serializing needs no reordered copy.
  return compact({
    action: event.action,
    actor: compact({
      device: event.device,
      group: event.tenant?.id,
      ip: event.ip,
      location: event.location,
      name,
      unique_id: event.actor?.id ?? 'anonymous',
    }),
    desc: canonicalJson(rest),
    object: event.target ? (event.target.name ?? event.target.id) : 'none',
    path: event.url,
    tag: event.tags?.join(','),
    timezone: event.timezone,
  });
}
