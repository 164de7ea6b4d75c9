// Hashing throughput: auditwire's hashEvent and retracedHash beside the floor (JSON.stringify + SHA-256, which
// is not canonical) and plain canonicalize + SHA-256, on small, typical and large events.
import { createHash, hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import canonicalize from 'canonicalize';
import { hashEvent, retracedHash } from '../dist/index.js';
import { compare, formatRate } from './lib.mjs';

const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const typical = JSON.parse(readFileSync(new URL('../examples/auditlog-sample-event.json', import.meta.url), 'utf8'));

/** `count` distinct events of roughly `bytes` bytes each, shaped like the typical one. */
function eventsOfSize(bytes, count) {
  return Array.from({ length: count }, (_, index) => {
    const event = structuredClone(typical);
    event.uuid = `${index.toString(16).padStart(8, '0')}-7c21-4a57-9d1e-2b6f0c8e5a13`;
    if (bytes < 500) {
      delete event.context.client.browserAgent;
      delete event.description;
      delete event.target.url;
      delete event.url;
      delete event.actor.email;
      delete event.target.label;
    }
    for (let field = 0; JSON.stringify(event).length < bytes - 60; field++) {
      event[`extra_${String(field).padStart(3, '0')}`] = `value ${index} ${field} ${'x'.repeat(40)}`;
    }
    return event;
  });
}

/** A deep copy whose object members are in canonical (UTF-16 code unit) order, as the adapters build wire objects. */
function inCanonicalOrder(value) {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(inCanonicalOrder);
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, inCanonicalOrder(value[key])]));
}

/** The same event in Retraced's wire shape, for retracedHash. */
function asRetraced(event) {
  return {
    action: event.action,
    crud: 'u',
    group: { id: event.client.uuid, name: event.client.name },
    actor: { id: event.actor.uuid, name: event.actor.name },
    target: { id: event.target.uuid, type: event.target.type },
    source_ip: event.context.client.ipAddress,
    external_id: event.uuid,
    fields: Object.fromEntries(Object.entries(event).filter(([key]) => key.startsWith('extra_'))),
  };
}

export async function run() {
  const sizes = [
    ['small', eventsOfSize(300, 64)],
    ['typical', [typical, ...eventsOfSize(700, 63)]],
    ['large', eventsOfSize(8192, 16)],
  ];
  const lines = [
    '## Hashing',
    '',
    'Events per second, median of 7 interleaved rounds (one warm-up round discarded). `JSON.stringify + SHA-256` is the',
    'floor: it is not canonical (key order follows insertion), so it cannot serve as a cross-language hash; it shows',
    'what serialization plus hashing costs as most code writes it (`createHash(...).update(...).digest(...)`). Ratios are',
    'against that floor, in the same run; the one-shot `crypto.hash` column shows how much of any gain is the cheaper',
    'hash call alone.',
    '',
    '| event | bytes | JSON.stringify + SHA-256 | JSON.stringify + one-shot SHA-256 | canonicalize + SHA-256 | **hashEvent** | hashEvent, keys in canonical order | retracedHash |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [label, events] of sizes) {
    const retraced = events.map(asRetraced);
    const bytes = Math.round(events.reduce((sum, e) => sum + JSON.stringify(e).length, 0) / events.length);
    // Each input is [the event as written, the same event in canonical order]; every candidate but one takes the first.
    const pairs = events.map((event) => [event, inCanonicalOrder(event)]);
    const results = compare(
      [
        { name: 'stringify', fn: ([e]) => sha256(JSON.stringify(e)) },
        { name: 'stringifyOneShot', fn: ([e]) => hash('sha256', JSON.stringify(e), 'hex') },
        { name: 'canonicalize', fn: ([e]) => sha256(canonicalize(e)) },
        { name: 'hashEvent', fn: ([e]) => hashEvent(e) },
        { name: 'hashEventOrdered', fn: ([, ordered]) => hashEvent(ordered) },
      ],
      pairs,
    );
    const retracedRate = compare([{ name: 'retraced', fn: (e) => retracedHash(e, 'f59b236a449d43a5b27c8322aadc0503') }], retraced).get('retraced');
    const floor = results.get('stringify');
    const cell = (value) => `${formatRate(value)} (${(value / floor).toFixed(2)}x)`;
    lines.push(
      `| ${label} | ${bytes} | ${formatRate(floor)} (1.00x) | ${cell(results.get('stringifyOneShot'))} | ${cell(results.get('canonicalize'))} | **${cell(results.get('hashEvent'))}** | ${cell(results.get('hashEventOrdered'))} | ${cell(retracedRate)} |`,
    );
    process.stderr.write(`hash bench: ${label} done\n`);
  }
  lines.push(
    '',
    '`hashEvent` = one checking pass that makes key-sorted copies of out-of-order objects, the native `JSON.stringify`',
    'and one-shot `crypto.hash` (anything that pass cannot serialize with certainty takes the I-JSON walk and',
    '`canonicalize`). The events as written have their keys in the order people write them, so the pass copies most',
    'objects; "keys in canonical order" is the same events as the adapters build wire objects (members already sorted,',
    'nothing to copy), which is what `sendAudit` pays per event.',
    '`retracedHash` runs on the same event mapped to Retraced\'s shape (it hashes fewer fields, so it is not a like-for-like',
    'comparison; it is listed for its absolute cost).',
  );
  return lines.join('\n');
}
