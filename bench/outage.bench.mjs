// Memory during a full outage: the sink is not listening (connection refused) while each client is offered events
// faster than a bounded queue can hold them; RSS is sampled every 100 ms. Then the sink starts on the same ports and
// the client is closed/flushed: what it still held is delivered (or not) — the recovery.
import { freePorts, mib, runClient, startSink } from './lib.mjs';

const SECONDS = 5;
const TICK_MS = 100;
const PER_TICK = 2_000; // 20,000 events/s offered, fire and forget: 100,000 in the outage, ten times the queue bound
const FINISH_TIMEOUT_MS = 20_000;

/** [label, client (peers.mjs), options]. */
const CASES = [
  ['auditwire auditlog, `reject`', 'auditwire auditlog', { maxQueueSize: 10_000, whenQueueFull: 'reject' }],
  ['auditwire auditlog, `wait`', 'auditwire auditlog', { maxQueueSize: 10_000, whenQueueFull: 'wait' }],
  ['@retracedhq/retraced', '@retracedhq/retraced', {}],
  ['@frontegg/client', '@frontegg/client', {}],
  ['@segment/analytics-node', '@segment/analytics-node', {}],
  ['posthog-node', 'posthog-node', {}],
];

/** RSS at `ms` into the outage (the sample nearest to that time). */
function rssAt(samples, ms) {
  let best = samples[0];
  for (const sample of samples) if (Math.abs(sample[0] - ms) < Math.abs(best[0] - ms)) best = sample;
  return best[1];
}

/** What the recovery delivered, and how long the close/flush took. */
function recovered(r) {
  if (r.received.distinct === 0 && !r.atOutageEnd.queued && !r.atOutageEnd.waiting && r.recoveryMs < 100) return 'none (nothing held)';
  return `${r.received.distinct.toLocaleString('en-US')} in ${(r.recoveryMs / 1000).toFixed(1)} s${r.finished ? '' : ' (close timed out)'}`;
}

async function outageRun(label, client, options) {
  const [referencePort, peerPort] = await freePorts(2);
  const urls = { referenceUrl: `http://127.0.0.1:${referencePort}`, peerUrl: `http://127.0.0.1:${peerPort}` };
  let sink;
  try {
    const result = await runClient(
      { mode: 'outage', client, urls, options, seconds: SECONDS, tickMs: TICK_MS, perTick: PER_TICK, finishTimeoutMs: FINISH_TIMEOUT_MS },
      {
        // One token-exchange attempt in init() (the SDK's default is 3 with 0.5-5 s pauses), so the run stays short.
        env: { FRONTEGG_API_GATEWAY_URL: urls.referenceUrl, FRONTEGG_AUTHENTICATOR_NUMBER_OF_TRIES: '1' },
        timeoutMs: (SECONDS + FINISH_TIMEOUT_MS / 1000 + 60) * 1000,
        onMessage: (message, reply) => {
          if (message.phase !== 'outage-done') return;
          void startSink(referencePort, peerPort).then(
            (started) => {
              sink = started;
              reply('sink-up');
            },
            (error) => {
              process.stderr.write(`outage bench: the sink did not start on its ports (${error.message}); recovery not measured\n`);
              reply('sink-up');
            },
          );
        },
      },
    );
    const received = sink ? await sink.stats() : { distinct: 0, received: 0, requests: 0 };
    return { label, ...result, received };
  } finally {
    await sink?.stop();
  }
}

export async function run() {
  const rows = [];
  for (const [label, client, options] of CASES) {
    const r = await outageRun(label, client, options);
    process.stderr.write(`outage bench: ${label} done\n`);
    const end = r.atOutageEnd;
    const held = [end.queued, end.waiting ? `+ ${end.waiting.toLocaleString('en-US')} waiting` : ''].filter((x) => x !== undefined && x !== '');
    const told = r.final.told;
    const silent = r.offered - told - r.received.distinct;
    const rss = [0, 0.25, 0.5, 0.75, 1].map((f) => mib(rssAt(r.samples.filter((s) => s[0] <= r.outageMs), f * r.outageMs)).replace(' MiB', ''));
    rows.push(
      `| ${label} | ${r.offered.toLocaleString('en-US')} | ${rss.join(' / ')} | ${mib(end.peakRss)} | ${held.length ? held.map((x) => x.toLocaleString('en-US')).join(' ') : '0'} | ${told.toLocaleString('en-US')} | ${silent.toLocaleString('en-US')} | ${recovered(r)} | ${mib(r.peakRss)} |`,
    );
  }
  return [
    '## Memory during an outage',
    '',
    `The sink is down (connection refused) for ${SECONDS} s while each client, in its own process, is offered`,
    `${(PER_TICK * (1000 / TICK_MS)).toLocaleString('en-US')} events/s (${PER_TICK.toLocaleString('en-US')} every ${TICK_MS} ms, fire and forget: nobody awaits a send), ten times`,
    "auditwire's queue bound (`maxQueueSize: 10_000`, its default) over the outage. RSS is sampled every 100 ms in the",
    'client process. Then the sink starts on the same ports and the client is closed/flushed (at most',
    `${FINISH_TIMEOUT_MS / 1000} s): what it still held is delivered. One run each.`,
    '',
    '- *held at end*: events the client still holds when the outage ends: queued or in flight (auditwire: `stats()`;',
    '  PostHog: its queue; Segment: tracked events whose callback has not run, each batch in its own retry loop);',
    "  `waiting`: `sendAudit` calls waiting for room (`whenQueueFull: 'wait'`), each holding its event.",
    '- *told*: events whose failure the SDK reported to the caller (rejected promise, callback error, thrown call).',
    '- *lost silently*: offered − told − delivered: events gone without a word to the caller.',
    '',
    'Retraced\'s SDK has no queue and no retry: each `reportEvents` call (50 events, fire and forget here) fails at once',
    "and the caller holds the events. Frontegg's SDK has none either: `init()` fails (one token-exchange attempt here,",
    '`FRONTEGG_AUTHENTICATOR_NUMBER_OF_TRIES=1`; its default is 3 tries with 0.5-5 s pauses), then every `sendAudit`',
    'retries the token exchange and throws. Segment has no queue bound: every 15-event batch retries in its own loop (10',
    "retries, backoff up to 60 s), so what it holds grows with the outage. PostHog's queue (10,000 by default) drops its",
    'oldest event when full, without a word. The producer shares the event loop with the client, so a client whose calls',
    'keep the loop busy is offered fewer events in the same 5 s (*offered*).',
    '',
    '| client | offered | RSS at 0 / 25 / 50 / 75 / 100 % of the outage (MiB) | peak in outage | held at end | told | lost silently | delivered after recovery | peak overall |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}
