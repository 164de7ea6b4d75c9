import { Agent, request } from 'undici';
import { ledgerPaths } from './ledger-files.js';
import { parseRecordLine } from './ledger-record.js';
import { readLines } from './line-reader.js';
import type { ExportItem } from './reconcile-ledger.js';

export interface AuditLogFetchOptions {
  /** The AuditLog.co base URL (e.g. `https://app.auditlog.co`). */
  readonly endpoint: string;
  /** `consumerId:secret`, sent as `X-API-KEY`; never printed. */
  readonly apiKey: string;
  /** Requests in flight at once. @default 8 */
  readonly concurrency?: number;
}

/**
 * The vendor's stored copy of each AuditLog.co event in the ledger, read back one by one with
 * `GET /api/v1/events/{serverId}` (shared/reference/wire/README.md section 1: the stored event plus `id` and
 * `receptionTime`), as export items for `reconcileLedger`. A 404 yields nothing (the event is missing); another
 * answer is an unreadable item naming the status, never the key. Streams the ledger with a bounded number of
 * requests in flight. Events the vendor holds that the ledger never saw cannot be found this way.
 */
export async function* fetchAuditLogEvents(dir: string, options: AuditLogFetchOptions): AsyncGenerator<ExportItem> {
  const base = options.endpoint.replace(/\/+$/, '');
  const limit = options.concurrency ?? 8;
  // Its own keep-alive pool, closed at the end, so a CLI run ends as soon as the last answer is read.
  const agent = new Agent({ connections: limit });
  const inFlight: Array<Promise<ExportItem | undefined>> = [];
  try {
    for await (const line of readLines(ledgerPaths(dir).records)) {
      const parsed = parseRecordLine(line.text);
      if (!parsed.ok || parsed.record.adapter !== 'auditlog' || parsed.record.serverId === undefined) continue;
      inFlight.push(readBack(agent, base, options.apiKey, parsed.record.serverId));
      if (inFlight.length >= limit) {
        const item = await inFlight.shift();
        if (item !== undefined) yield item;
      }
    }
    for (const pending of inFlight) {
      const item = await pending;
      if (item !== undefined) yield item;
    }
  } finally {
    await Promise.allSettled(inFlight);
    await agent.close();
  }
}

async function readBack(agent: Agent, base: string, apiKey: string, serverId: string): Promise<ExportItem | undefined> {
  const where = `GET /api/v1/events/${serverId}`;
  let stored: unknown;
  try {
    const response = await request(`${base}/api/v1/events/${encodeURIComponent(serverId)}`, {
      dispatcher: agent,
      headers: { 'x-api-key': apiKey, accept: 'application/json' },
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    if (response.statusCode !== 200) {
      // Always consume a body, or the connection is never released.
      await response.body.dump();
      return response.statusCode === 404 ? undefined : { where, ok: false, error: `answered ${response.statusCode}` };
    }
    stored = await response.body.json();
  } catch (error) {
    // undici's messages name the URL at most, never the headers, so the key cannot leak here.
    return { where, ok: false, error: `request failed (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return { where, ok: false, error: 'answered a body that is not an event' };
  // The stored event is what was sent; `id` and `receptionTime` are the vendor's additions.
  const { id, receptionTime, ...body } = stored as Record<string, unknown>;
  void receptionTime;
  return { where, ok: true, value: { format: 'auditlog', serverId: typeof id === 'string' ? id : serverId, eventId: body.uuid, body } };
}
