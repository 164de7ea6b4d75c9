import { sendJson } from '../http-io.js';
import type { Route, RouteContext } from '../route.js';

// Development endpoint: lets a user running `auditwire dev` inspect, from another process, what arrived, page by
// page (a long run stores far more than one answer should carry), and start again from nothing with DELETE.
// Not a vendor route, so no auth and no faults.

/** Events per page when the request gives no `limit`. */
export const DEFAULT_PAGE_SIZE = 100;
/** Largest `limit` accepted. */
export const MAX_PAGE_SIZE = 10_000;

export const devRoutes: readonly Route[] = [
  { method: 'GET', path: /^\/_auditwire\/events$/i, handle: listEvents },
  { method: 'DELETE', path: /^\/_auditwire\/events$/i, handle: clearEvents },
];

/** `GET /_auditwire/events?limit=N&cursor=C` -> `{ events, nextCursor, total }`; 400 for a bad limit or cursor. */
function listEvents(context: RouteContext): void {
  const query = new URL(context.request.url ?? '/', 'http://localhost').searchParams;
  const limit = whole(query.get('limit'), DEFAULT_PAGE_SIZE);
  const cursor = whole(query.get('cursor'), 0);
  if (limit === undefined || limit < 1 || limit > MAX_PAGE_SIZE) {
    return sendJson(context.response, 400, { statusCode: 400, message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})` });
  }
  if (cursor === undefined) {
    return sendJson(context.response, 400, { statusCode: 400, message: 'cursor must be the nextCursor of an earlier page' });
  }
  const page = context.state.store.page(cursor, limit);
  context.report.listed = page.events.length;
  sendJson(context.response, 200, page);
}

function clearEvents(context: RouteContext): void {
  const cleared = context.state.store.clear();
  context.report.cleared = cleared;
  sendJson(context.response, 200, { cleared });
}

function whole(text: string | null, fallback: number): number | undefined {
  if (text === null) return fallback;
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}
