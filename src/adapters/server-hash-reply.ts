import type { BatchResult, HttpResponse, PreparedEvent } from './adapter.js';

/**
 * The success reply of a one-event-per-request format (LogZab, Frontegg): the vendors document no body (Frontegg
 * answers 202 empty), while an auditwire-compatible server answers `{"id"?, "hash"?}` (wire README "Server hash").
 * Anything else in a 2xx body is ignored: the event was accepted either way.
 */
export function readServerHash(response: HttpResponse, batch: readonly PreparedEvent[]): BatchResult {
  const reply = parseObject(response.body);
  return {
    kind: 'per-event',
    outcomes: new Map([
      [
        0,
        {
          ok: true,
          serverId: typeof reply.id === 'string' ? reply.id : undefined,
          serverHash: typeof reply.hash === 'string' ? reply.hash : undefined,
        },
      ],
    ]),
    resend: [],
  };
}

function parseObject(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
