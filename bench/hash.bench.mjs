// Hashing throughput: auditwire's hashEvent and retracedHash beside the floor (JSON.stringify + SHA-256, which
// is not canonical) and plain canonicalize + SHA-256, on small, typical and large events; and the adapters' own
// wire path (what sendAudit pays for a mapped event), which is internal and so is bundled here from src/.
import { createHash, hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import canonicalize from 'canonicalize';
import { build } from 'esbuild';
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

/** `toPreparedMapped`'s serialization (src/hash/own-wire-json.ts), bundled from source: it is not exported. */
async function loadOwnWire() {
  const entry = fileURLToPath(new URL('../src/hash/own-wire-json.ts', import.meta.url));
  const bundled = await build({ entryPoints: [entry], bundle: true, write: false, format: 'esm', platform: 'node', target: 'node22', logLevel: 'silent' });
  const source = Buffer.from(bundled.outputFiles[0].text).toString('base64');
  return (await import(`data:text/javascript;base64,${source}`)).canonicalJsonOfOwnWire;
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
  const canonicalJsonOfOwnWire = await loadOwnWire();
  const sizes = [
    ['small', eventsOfSize(300, 64)],
    ['typical', [typical, ...eventsOfSize(700, 63)]],
    ['large', eventsOfSize(8192, 16)],
  ];
  const lines = [
    '## Hashing',
    '',
    'Events per second of CPU time (process.cpuUsage: waiting for a core on a shared machine does not count), median of',
    '7 interleaved rounds (one warm-up round discarded). `JSON.stringify + SHA-256` is the',
    'floor: it is not canonical (key order follows insertion), so it cannot serve as a cross-language hash; it shows',
    'what serialization plus hashing costs as most code writes it (`createHash(...).update(...).digest(...)`). Ratios are',
    'against that floor on the same objects, in the same run: the first columns take each event as written (keys in',
    'the order people write them), the last three the same event in canonical key order (as the adapters build wire',
    'objects), beside the floor on those. The one-shot `crypto.hash` column shows how much of any gain is the cheaper',
    'hash call alone.',
    '',
    '| event | bytes | JSON.stringify + SHA-256 | JSON.stringify + one-shot SHA-256 | canonicalize + SHA-256 | **hashEvent** | canonical order: JSON.stringify + SHA-256 | canonical order: **hashEvent** | canonical order: adapters\' wire path | retracedHash |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [label, events] of sizes) {
    const retraced = events.map(asRetraced);
    const bytes = Math.round(events.reduce((sum, e) => sum + JSON.stringify(e).length, 0) / events.length);
    // Each input is [the event as written, the same event in canonical order].
    const pairs = events.map((event) => [event, inCanonicalOrder(event)]);
    const results = compare(
      [
        { name: 'stringify', fn: ([e]) => sha256(JSON.stringify(e)) },
        { name: 'stringifyOneShot', fn: ([e]) => hash('sha256', JSON.stringify(e), 'hex') },
        { name: 'canonicalize', fn: ([e]) => sha256(canonicalize(e)) },
        { name: 'hashEvent', fn: ([e]) => hashEvent(e) },
        { name: 'stringifyOrdered', fn: ([, ordered]) => sha256(JSON.stringify(ordered)) },
        { name: 'hashEventOrdered', fn: ([, ordered]) => hashEvent(ordered) },
        // As toPreparedMapped: the own-wire serialization, then the one-shot SHA-256 (src/hash/sha256.ts).
        { name: 'ownWire', fn: ([, ordered]) => hash('sha256', canonicalJsonOfOwnWire(ordered), 'hex') },
      ],
      pairs,
      { clock: 'cpu' },
    );
    const retracedRate = compare([{ name: 'retraced', fn: (e) => retracedHash(e, 'f59b236a449d43a5b27c8322aadc0503') }], retraced, { clock: 'cpu' }).get('retraced');
    const floor = results.get('stringify');
    const orderedFloor = results.get('stringifyOrdered');
    const cell = (value, against = floor) => `${formatRate(value)} (${(value / against).toFixed(2)}x)`;
    lines.push(
      `| ${label} | ${bytes} | ${formatRate(floor)} (1.00x) | ${cell(results.get('stringifyOneShot'))} | ${cell(results.get('canonicalize'))} | **${cell(results.get('hashEvent'))}** | ${formatRate(orderedFloor)} (1.00x) | **${cell(results.get('hashEventOrdered'), orderedFloor)}** | ${cell(results.get('ownWire'), orderedFloor)} | ${cell(retracedRate)} |`,
    );
    process.stderr.write(`hash bench: ${label} done\n`);
  }
  lines.push(
    '',
    '`hashEvent` = one pass that reads every member of the input once into a copy (a native spread for objects already',
    'in canonical order; for the others, a clone of a cached template that holds their key list in canonical order, or',
    'a copy filled from the sorted keys for a key list not seen before), the native `JSON.stringify` of that copy',
    'and one-shot `crypto.hash` (anything that pass cannot serialize with certainty takes the I-JSON walk). The copy is',
    'what makes it safe on user input (a getter cannot answer differently on a second read). The adapters\' wire path is',
    'what `sendAudit` pays for a mapped event (`toPreparedMapped`): wire objects our own mappings just built, fresh plain',
    'data in canonical order (test/unit/adapters/wire-order.test.ts), are checked once and serialized by the native',
    '`JSON.stringify` without the copy; it is internal, so this benchmark bundles it from `src/` with esbuild.',
    '`retracedHash` runs on the same event mapped to Retraced\'s shape (it hashes fewer fields, so it is not a like-for-like',
    'comparison; it is listed for its absolute cost).',
  );
  return lines.join('\n');
}
