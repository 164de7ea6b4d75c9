import type { AdapterLimits, BatchResult, HttpResponse } from './adapter.js';
import { failureFromResponse } from './response-failure.js';

/** The one-event-per-request formats (no batch endpoint): small bodies, so more requests in flight. */
export const ONE_EVENT_PER_REQUEST: AdapterLimits = { maxBatchSize: 1, maxBatchBytes: 512 * 1024, defaultConcurrentRequests: 16 };

/** The reply of a one-event-per-request format: any 2xx is acceptance (see `readServerHash`), anything else fails. */
export function decodeOneEventReply(response: HttpResponse): BatchResult {
  if (response.status >= 200 && response.status <= 299) return readServerHash(response);
  return { kind: 'request-failed', error: failureFromResponse(response) };
}

/**
 * The success reply of a one-event-per-request format (LogZab, Frontegg): the vendors document no body (Frontegg
 * answers 202 empty), while an auditwire-compatible server answers `{"id"?, "hash"?}` (wire README "Server hash").
 * Anything else in a 2xx body is ignored: the event was accepted either way.
 */
function readServerHash(response: HttpResponse): BatchResult {
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
