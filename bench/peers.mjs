// The clients the end-to-end and outage benchmarks drive: auditwire through each adapter, and the SDKs users would
// pick instead, each driven as its own documentation drives it. Every client gets the same events (event `i` is the
// same login of the same user in every SDK's shape, with the benchmark's id `evt-i` somewhere the sink can read it).
//
// A driver is `create(urls, options)` -> `{ burst(n), offer(from, count), counts(), finish(timeoutMs) }`:
// - burst(n): send events 0..n-1 the way the SDK's users do, resolve once the SDK says everything is delivered
//   (or failed) and it is closed/flushed;
// - offer(from, count): hand events over without waiting (the outage benchmark's producer);
// - counts(): { acked, told, queued?, waiting? } where `told` = events whose failure the SDK reported to the caller
//   (a rejected promise, a callback error, a thrown batch): the rest of what the sink never received was lost
//   silently;
// - finish(timeoutMs): close/flush within timeoutMs (the outage benchmark's recovery).

/** Event `i`, SDK-neutral. */
export function baseEvent(i) {
  return {
    id: `evt-${i}`,
    action: 'user.login',
    actorId: `user-${i % 1000}`,
    actorName: 'Jane Smith',
    actorEmail: 'jane.smith@acme.example',
    tenantId: 'acme-corp',
    tenantName: 'Acme Corp',
    targetId: 'session',
    targetType: 'session',
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
    method: 'password',
    mfa: 'totp',
  };
}

/** auditwire's common model (the input every adapter maps from). */
export function auditwireEvent(i) {
  const e = baseEvent(i);
  return {
    id: e.id,
    action: e.action,
    actor: { id: e.actorId, name: e.actorName, email: e.actorEmail },
    tenant: { id: e.tenantId, name: e.tenantName },
    target: { id: e.targetId, type: e.targetType },
    crud: 'c',
    ip: e.ip,
    userAgent: e.userAgent,
    fields: { method: e.method, mfa: e.mfa },
  };
}

/** Retraced's event, as auditwire's retraced adapter would put it on the wire. */
function retracedEvent(i) {
  const e = baseEvent(i);
  return {
    action: e.action,
    crud: 'c',
    created: new Date(),
    group: { id: e.tenantId, name: e.tenantName },
    actor: { id: e.actorId, name: e.actorName, fields: { email: e.actorEmail } },
    target: { id: e.targetId, type: e.targetType },
    source_ip: e.ip,
    external_id: e.id,
    is_failure: false,
    is_anonymous: false,
    fields: { method: e.method, mfa: e.mfa },
    metadata: { severity: 'Info', user_agent: e.userAgent },
  };
}

/** Frontegg's flat audit object (the README's fields plus the same details auditwire's frontegg adapter sends). */
function fronteggAudit(i) {
  const e = baseEvent(i);
  return {
    tenantId: e.tenantId,
    time: new Date().toISOString(),
    user: e.actorEmail,
    resource: e.targetType,
    action: e.action,
    severity: 'Info',
    ip: e.ip,
    eventId: e.id,
    actorId: e.actorId,
    actorName: e.actorName,
    actorEmail: e.actorEmail,
    tenantName: e.tenantName,
    targetId: e.targetId,
    targetType: e.targetType,
    crud: 'c',
    outcome: 'success',
    userAgent: e.userAgent,
    method: e.method,
    mfa: e.mfa,
  };
}

/** The properties Segment's track and PostHog's capture carry. */
function analyticsProperties(e) {
  return {
    eventId: e.id,
    tenantId: e.tenantId,
    tenantName: e.tenantName,
    actorName: e.actorName,
    actorEmail: e.actorEmail,
    targetId: e.targetId,
    targetType: e.targetType,
    crud: 'c',
    outcome: 'success',
    severity: 'Info',
    method: e.method,
    mfa: e.mfa,
  };
}

/** Resolves `promise` with true, or false after `ms` (the timer does not hold the process). */
function within(promise, ms) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  return Promise.race([promise.then(() => true), timeout]).finally(() => clearTimeout(timer));
}

/** Runs `worker(index)` for index 0..count-1 with at most `concurrency` in flight. */
async function pool(count, concurrency, worker) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await worker(next++);
  });
  await Promise.all(lanes);
}

// ---------------------------------------------------------------------------------------------------------------
// auditwire

const AUDITWIRE_ADAPTERS = {
  auditlog: (url) => ({ adapter: 'auditlog', endpoint: url, apiKey: 'consumer:secret' }),
  retraced: (url) => ({ adapter: 'retraced', endpoint: url, apiKey: 'token', projectId: 'bench' }),
  logzab: (url) => ({ adapter: 'logzab', endpoint: url, apiKey: 'key' }),
  frontegg: (url) => ({ adapter: 'frontegg', endpoint: url, clientId: 'bench', apiKey: 'secret' }),
};

/**
 * `lanes`: drive auditwire as the Retraced SDK's caller is driven (peers below): `lanes` callers, each sending `perLane`
 * events (`sendAudit` each) and awaiting their receipts before the next ones, so the caller holds at most
 * lanes x perLane events, as it does with the SDK. Without it, the burst hands over all n events at once.
 */
function auditwireDriver(adapter, lanes) {
  return async ({ referenceUrl }, options = {}) => {
    const { AuditsClient, QueueFullError } = await import('../dist/index.js');
    const client = new AuditsClient({ ...AUDITWIRE_ADAPTERS[adapter](referenceUrl), ...options });
    let acked = 0;
    let told = 0;
    let rejected = 0;
    const ack = () => void acked++;
    const fail = (error) => {
      told++;
      if (error instanceof QueueFullError) rejected++;
    };
    let offered = 0;
    return {
      async burst(n) {
        if (lanes !== undefined) {
          const { count, perLane } = lanes;
          await pool(Math.ceil(n / perLane), count, (chunk) => {
            const from = chunk * perLane;
            const receipts = new Array(Math.min(perLane, n - from));
            for (let k = 0; k < receipts.length; k++) receipts[k] = client.sendAudit(auditwireEvent(from + k)).then(ack, fail);
            return Promise.all(receipts);
          });
        } else {
          const receipts = new Array(n);
          for (let i = 0; i < n; i++) receipts[i] = client.sendAudit(auditwireEvent(i)).then(ack, fail);
          await Promise.all(receipts);
        }
        await client.close();
      },
      offer(from, count) {
        for (let i = from; i < from + count; i++) void client.sendAudit(auditwireEvent(i)).then(ack, fail);
        offered += count;
      },
      counts() {
        const stats = client.stats();
        // Offered but neither accepted nor refused yet: calls waiting for room (`whenQueueFull: 'wait'`).
        return { acked, told, rejected, queued: stats.queued + stats.inFlight, waiting: Math.max(0, offered - stats.accepted - stats.rejected) };
      },
      finish: (timeoutMs) => within(client.close({ timeoutMs }), timeoutMs + 1000),
    };
  };
}

// ---------------------------------------------------------------------------------------------------------------
// @retracedhq/retraced: `reportEvents` takes up to 50 events (the server's bulk limit) and has no queue or retry.
// The burst keeps 4 calls in flight, the concurrency auditwire's retraced adapter uses by default, so both put the
// same requests on the wire and the difference is the SDKs' own cost.

const RETRACED_CHUNK = 50;
const RETRACED_IN_FLIGHT = 4;

async function retracedDriver({ referenceUrl }) {
  const { Client } = await import('@retracedhq/retraced');
  const client = new Client({ endpoint: referenceUrl, apiKey: 'token', projectId: 'bench' });
  let acked = 0;
  let told = 0;
  const report = async (from, count) => {
    const events = Array.from({ length: count }, (_, k) => retracedEvent(from + k));
    try {
      const ids = await client.reportEvents(events);
      acked += ids.length;
    } catch {
      told += count; // reportEvents throws: the whole chunk is the caller's to retry
    }
  };
  return {
    async burst(n) {
      await pool(Math.ceil(n / RETRACED_CHUNK), RETRACED_IN_FLIGHT, (chunk) =>
        report(chunk * RETRACED_CHUNK, Math.min(RETRACED_CHUNK, n - chunk * RETRACED_CHUNK)),
      );
    },
    offer(from, count) {
      for (let start = from; start < from + count; start += RETRACED_CHUNK) void report(start, Math.min(RETRACED_CHUNK, from + count - start));
    },
    counts: () => ({ acked, told }),
    finish: async () => true, // nothing is held: there is nothing to deliver later
  };
}

// ---------------------------------------------------------------------------------------------------------------
// @frontegg/client: `init(clientId, key)` then one `sendAudit` (one HTTP request) per audit, no batching, no queue,
// no retry. The burst keeps 16 calls in flight, as auditwire's frontegg adapter does by default: all 20,000 at once
// would open one socket per audit (axios on Node's global agent has no socket limit), which measures the agent, not
// the SDK. The SDK reads its gateway from FRONTEGG_API_GATEWAY_URL when first loaded (client-process.mjs sets it).

const FRONTEGG_IN_FLIGHT = 16;

async function fronteggDriver() {
  const { AuditsClient } = await import('@frontegg/client');
  const audits = new AuditsClient();
  let initError;
  try {
    await audits.init('bench', 'secret');
  } catch (error) {
    initError = error; // the outage: the token exchange fails; every sendAudit then retries it and throws
  }
  let acked = 0;
  let told = 0;
  const send = (i) =>
    audits.sendAudit(fronteggAudit(i)).then(
      () => void acked++,
      () => void told++,
    );
  return {
    initError,
    async burst(n) {
      await pool(n, FRONTEGG_IN_FLIGHT, send);
      await audits.authenticator?.shutdown?.(); // its token-refresh timer would hold the process open
    },
    offer(from, count) {
      for (let i = from; i < from + count; i++) void send(i);
    },
    counts: () => ({ acked, told }),
    async finish() {
      await audits.authenticator?.shutdown?.();
      return true;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// @segment/analytics-node: `track` per event (fire and forget, a callback per event), `closeAndFlush()` at the end.
// Defaults: 15 events per batch, each full batch sent at once (no limit on requests in flight), no queue bound.

export const SEGMENT_WRITE_KEY = 'bench-write-key';

async function segmentDriver({ peerUrl }, options = {}) {
  const { Analytics } = await import('@segment/analytics-node');
  const analytics = new Analytics({ writeKey: SEGMENT_WRITE_KEY, host: peerUrl, ...options });
  let acked = 0;
  let told = 0;
  analytics.on('error', () => {}); // reported through the callbacks below
  const callback = (error) => void (error ? told++ : acked++);
  let offered = 0;
  const track = (i) => {
    offered++;
    const e = baseEvent(i);
    analytics.track(
      { userId: e.actorId, event: e.action, timestamp: new Date(), context: { ip: e.ip, userAgent: e.userAgent, groupId: e.tenantId }, properties: analyticsProperties(e) },
      callback,
    );
  };
  return {
    async burst(n) {
      for (let i = 0; i < n; i++) track(i);
      await analytics.closeAndFlush();
    },
    offer(from, count) {
      for (let i = from; i < from + count; i++) track(i);
    },
    // Held: tracked, callback not run yet (every batch sits in its own send/retry loop; there is no queue bound).
    counts: () => ({ acked, told, queued: offered - acked - told }),
    finish: (timeoutMs) => within(analytics.closeAndFlush({ timeout: timeoutMs }), timeoutMs + 1000),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// posthog-node: `capture` per event, `shutdown()` at the end. Defaults: flushAt 20, 100 events per request, one
// flush at a time, gzip bodies, and a queue of 10,000 events (posthog-node's default) that drops its oldest event
// when full (a log line in debug mode only). `options` can raise `maxQueueSize` (the second PostHog row).

export const POSTHOG_API_KEY = 'phc_bench';

async function posthogDriver({ peerUrl }, options = {}) {
  const { PostHog } = await import('posthog-node');
  const client = new PostHog(POSTHOG_API_KEY, { host: peerUrl, ...options });
  let flushErrors = 0;
  client.on('error', () => void flushErrors++);
  let captured = 0;
  const capture = (i) => {
    const e = baseEvent(i);
    client.capture({ distinctId: e.actorId, event: e.action, timestamp: new Date(), properties: { ...analyticsProperties(e), $ip: e.ip, $raw_user_agent: e.userAgent } });
    captured++;
  };
  const queued = () => {
    try {
      return client.getPersistedProperty('queue')?.length ?? 0;
    } catch {
      return undefined;
    }
  };
  return {
    async burst(n) {
      for (let i = 0; i < n; i++) capture(i);
      await client.shutdown();
    },
    offer(from, count) {
      for (let i = from; i < from + count; i++) capture(i);
    },
    // capture() returns nothing and takes no callback: no event's failure reaches the caller.
    counts: () => ({ acked: undefined, told: 0, queued: queued(), flushErrors, captured }),
    finish: (timeoutMs) => within(client.shutdown(timeoutMs), timeoutMs + 1000),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Floors on the Retraced wire: the least any client can do per event, driven as the Retraced SDK is (4 calls of 50
// in flight). `JSON.stringify` of each event into one bulk body, undici's `Pool.request` (as auditwire sends), and
// `JSON.parse` of the answer: no validation, no queue, no retry, no receipt per event. The second floor adds what
// checking what the server stored costs at the least: one SHA-256 of each event's text (standing in for auditwire's
// canonical hash) and Retraced's hash of the server id and the event's fields, compared with the server's. No real
// client can cost less than these on this wire; they bound what the CPU ratios against the SDK can be.

/** Retraced's two escaping passes on a map value (`%`, `:`, then `=`, `;`), as its hash formula applies them. */
const escapeRetraced = (text) => text.replace(/%/g, '%25').replace(/:/g, '%3A').replace(/=/g, '%3D').replace(/;/g, '%3B');

function retracedFloorDriver({ checkHashes }) {
  return async ({ referenceUrl }) => {
    const [{ Pool }, { hash }] = await Promise.all([import('undici'), import('node:crypto')]);
    const url = new URL(referenceUrl);
    const connections = new Pool(url.origin, { connections: RETRACED_IN_FLIGHT });
    const path = `${url.pathname.replace(/\/$/, '')}/publisher/v1/project/bench/event/bulk`;
    let acked = 0;
    let told = 0;
    const report = async (from, count) => {
      // The time as a string, written once per call: the cheapest spelling (a Date makes JSON.stringify call toJSON).
      const created = new Date().toISOString();
      const events = Array.from({ length: count }, (_, k) => ({ ...retracedEvent(from + k), created }));
      const texts = events.map((event) => JSON.stringify(event));
      if (checkHashes) for (const text of texts) hash('sha256', text, 'hex');
      try {
        const { statusCode, body } = await connections.request({ method: 'POST', path, headers: { 'content-type': 'application/json', authorization: 'token=token' }, body: `{"events":[${texts.join(',')}]}` });
        const answer = await body.json();
        if (statusCode >= 300 || !Array.isArray(answer)) throw new Error(`status ${statusCode}`);
        if (checkHashes) {
          for (let k = 0; k < answer.length; k++) {
            const e = events[k];
            const target = `${answer[k].id}:${e.action}:${e.target.id}:${e.actor.id}:${e.group.id}:${e.source_ip}:0:0:method=${e.fields.method};mfa=${e.fields.mfa};:${e.external_id}:severity=${e.metadata.severity};user_agent=${escapeRetraced(e.metadata.user_agent)};`;
            if (hash('sha256', target, 'hex') !== answer[k].hash) told++;
          }
        }
        acked += answer.length;
      } catch {
        told += count;
      }
    };
    return {
      async burst(n) {
        await pool(Math.ceil(n / RETRACED_CHUNK), RETRACED_IN_FLIGHT, (chunk) =>
          report(chunk * RETRACED_CHUNK, Math.min(RETRACED_CHUNK, n - chunk * RETRACED_CHUNK)),
        );
        await connections.close();
      },
      offer(from, count) {
        for (let start = from; start < from + count; start += RETRACED_CHUNK) void report(start, Math.min(RETRACED_CHUNK, from + count - start));
      },
      counts: () => ({ acked, told }),
      finish: async () => true,
    };
  };
}

/** Every client, by the name the tables use. `peer` marks the SDKs that are not auditwire. */
export const CLIENTS = {
  'auditwire auditlog': { create: auditwireDriver('auditlog') },
  'auditwire retraced': { create: auditwireDriver('retraced') },
  'auditwire logzab': { create: auditwireDriver('logzab') },
  'auditwire frontegg': { create: auditwireDriver('frontegg') },
  // As the Retraced SDK is driven: 4 lanes of 50 events (RETRACED_IN_FLIGHT x RETRACED_CHUNK), below.
  'auditwire retraced, 4 x 50 outstanding': { create: auditwireDriver('retraced', { count: RETRACED_IN_FLIGHT, perLane: RETRACED_CHUNK }) },
  'auditwire auditlog, 4 x 50 outstanding': { create: auditwireDriver('auditlog', { count: RETRACED_IN_FLIGHT, perLane: RETRACED_CHUNK }) },
  '@retracedhq/retraced': { create: retracedDriver, peer: true },
  'floor: Retraced wire': { create: retracedFloorDriver({ checkHashes: false }) },
  'floor: Retraced wire, hashes checked': { create: retracedFloorDriver({ checkHashes: true }) },
  '@frontegg/client': { create: fronteggDriver, peer: true },
  '@segment/analytics-node': { create: segmentDriver, peer: true },
  'posthog-node': { create: posthogDriver, peer: true },
};
