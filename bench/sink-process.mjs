// The benchmark sink, in its own process: the auditwire reference server (AuditLog.co, Retraced, LogZab and
// Frontegg paths, so auditwire's adapters and Retraced's and Frontegg's own SDKs all land on it) and, on a second
// port, the two fixtures below for Segment (`POST /v1/batch`) and PostHog (`POST /batch/`), which answer 200 `{}`
// and only count. Nothing here is product code.
//
// Started with fork(); argv: [referencePort, peerPort] (0 or absent: any free port). It sends `{ referenceUrl,
// peerUrl }` once both listen, then answers over IPC:
//   'stats'  -> the counts since the last 'stats' (requests per status, events received, distinct event ids), and
//               forgets the events stored meanwhile so that the sink's own memory stays flat across runs
//   'stop'   -> closes both servers and exits
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { createReferenceServer } from '../dist/testing.js';

const [referencePort = 0, peerPort = 0] = process.argv.slice(2).map(Number);

/** Counts for the current window (one client run); replaced on every 'stats'. */
let window = newWindow();
function newWindow() {
  return { requests: 0, statuses: {}, received: 0, ids: new Set(), unknownIds: 0, bytes: 0 };
}
function countRequest(status, bytes) {
  window.requests++;
  window.bytes += bytes;
  window.statuses[status] = (window.statuses[status] ?? 0) + 1;
}
function countEvent(id) {
  window.received++;
  if (typeof id === 'string') window.ids.add(id);
  else window.unknownIds++;
}

const reference = await createReferenceServer({
  port: referencePort,
  onRequest: (info) => countRequest(info.status, 0),
});

/**
 * The benchmark's own event id of a stored event: auditwire's id (AuditLog.co `uuid`, Retraced `external_id`, the
 * `id` in a LogZab `desc`, Frontegg `auditwireId`), or the `eventId` member the peer drivers put in Frontegg's
 * flat audit object (the reference server falls back to its own id there, which would hide duplicates).
 */
function idOf(stored) {
  if (stored.format === 'frontegg') return stored.body?.auditwireId ?? stored.body?.eventId;
  return stored.eventId;
}

// Segment's and PostHog's endpoints: authenticate as the vendors do, count, answer 200 `{}`.
const SEGMENT_WRITE_KEY = 'bench-write-key';
const POSTHOG_API_KEY = 'phc_bench';
const peer = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const raw = Buffer.concat(chunks);
    const path = (request.url ?? '/').split('?')[0].replace(/\/+$/, '');
    const answer = (status, body) => {
      const text = JSON.stringify(body);
      response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      response.end(text);
      countRequest(status, raw.length);
    };
    if (request.method !== 'POST') return answer(404, { error: 'not found' });
    let body;
    try {
      const text = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      body = JSON.parse(text);
    } catch {
      return answer(400, { error: 'invalid body' });
    }
    if (path === '/v1/batch') {
      // Segment: HTTP basic auth with the write key as the user name and no password.
      const expected = `Basic ${Buffer.from(`${SEGMENT_WRITE_KEY}:`).toString('base64')}`;
      if (request.headers.authorization !== expected) return answer(401, { error: 'bad write key' });
      if (!Array.isArray(body?.batch)) return answer(400, { error: 'batch must be an array' });
      for (const event of body.batch) countEvent(event?.properties?.eventId);
      return answer(200, {});
    }
    if (path === '/batch') {
      // PostHog: the project key travels in the body as `api_key`.
      if (body?.api_key !== POSTHOG_API_KEY) return answer(401, { error: 'bad api key' });
      if (!Array.isArray(body.batch)) return answer(400, { error: 'batch must be an array' });
      for (const event of body.batch) countEvent(event?.properties?.eventId);
      return answer(200, {});
    }
    return answer(404, { error: `no route for ${request.method} ${path}` });
  });
});
await new Promise((resolve, reject) => {
  peer.once('error', reject);
  peer.listen(peerPort, '127.0.0.1', resolve);
});

let authSeen = 0;

/** Closes the window: folds in what the reference server stored during it, then forgets those events. */
function takeStats() {
  const stored = reference.events;
  for (const event of stored) countEvent(idOf(event));
  // The store is the server's live array; emptying it keeps the sink's heap (and so its GC pauses) the same for
  // every run. A benchmark-only liberty: product code reads `events` and never writes it.
  if (Array.isArray(stored)) stored.length = 0;
  const { ids, ...counts } = window;
  window = newWindow();
  const authRequests = reference.stats.authRequests - authSeen;
  authSeen = reference.stats.authRequests;
  return { ...counts, distinct: ids.size, authRequests };
}

process.on('message', (message) => {
  if (message === 'stats') process.send({ stats: takeStats() });
  if (message === 'stop') {
    peer.closeAllConnections();
    peer.close();
    void reference.close().then(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ referenceUrl: reference.url, peerUrl: `http://127.0.0.1:${peer.address().port}` });
