import { isProxy } from 'node:util/types';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { PrepareContext } from '../../../src/adapters/adapter.js';
import { toAuditLogEvent } from '../../../src/adapters/auditlog.js';
import { toFronteggAudit } from '../../../src/adapters/frontegg.js';
import { toLogZabTrail } from '../../../src/adapters/logzab.js';
import { toRetracedEvent } from '../../../src/adapters/retraced.js';
import { RetracedEventSchema } from '../../../src/adapters/retraced-schema.js';
import { normalizeEvent, type NormalizedEvent } from '../../../src/event/normalize.js';
import { validateAuditEvent } from '../../../src/event/validate.js';
import { canonicalJson } from '../../../src/hash/canonical-json.js';
import { canonicalJsonOfOwnWire } from '../../../src/hash/own-wire-json.js';

// The mappings build wire objects with members already in canonical (UTF-16) order, so the serializer's fast path
// makes no sorted copy on the hot path (bench/results.md). A new member in the wrong place fails here, not silently
// in the benchmark.

const context: PrepareContext = { server: { id: 'host', version: '1.0.0' }, newId: () => 'id-1', now: () => new Date(0) };
const fullInput = (): Record<string, unknown> => ({
  id: 'e',
  action: 'a',
  tenant: { id: 't', name: 'T' },
  actor: { id: 'u', name: 'U', email: 'u@example.com' },
  target: { id: 'o', type: 'k', name: 'O', url: 'https://x.example/o' },
  outcome: 'failure',
  anonymous: false,
  crud: 'u',
  severity: 'High',
  description: 'd',
  url: 'https://x.example/p',
  ip: '203.0.113.9',
  userAgent: 'ua',
  location: 'l',
  device: 'dv',
  timezone: 'UTC',
  tags: ['x'],
});
const full = normalizeEvent(validateAuditEvent(fullInput()), context);

/** Paths of the objects whose own keys are not in code-unit order. */
function unsortedObjects(value: unknown, path = '$'): string[] {
  if (typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => unsortedObjects(item, `${path}[${index}]`));
  const keys = Object.keys(value);
  const here = keys.some((key, index) => index > 0 && (keys[index - 1] as string) > key) ? [path] : [];
  return [...here, ...keys.flatMap((key) => unsortedObjects((value as Record<string, unknown>)[key], `${path}.${key}`))];
}

describe('mapped wire objects are built in canonical member order', () => {
  it.each([
    ['auditlog', () => toAuditLogEvent(full, context.server)],
    ['retraced', () => toRetracedEvent(full, context.server)],
    ['logzab', () => toLogZabTrail(full)],
    ['frontegg', () => toFronteggAudit(full)],
  ])('%s', (_name, map) => {
    expect(unsortedObjects(map())).toEqual([]);
  });
});

// toPreparedMapped (canonicalJsonOfOwnWire) serializes a mapped wire object without the defensive read-once copy. Sound only
// for fresh plain data our own code built: no getter, no Proxy, no object shared with the caller's input (which the
// caller could have rigged). This test holds every mapping to that, on events that use every input slot.

const inputs: Record<string, () => unknown> = {
  full: fullInput,
  'custom fields': () => ({ action: 'a', crud: 'c', tenant: { id: 't' }, time: new Date(0), fields: { zeta: 'z', alpha: 'a' } }),
  minimal: () => ({ action: 'a', crud: 'c', tenant: { id: 't' } }),
  'a "__proto__" custom field': () => JSON.parse('{"action":"a","crud":"r","tenant":{"id":"t"},"fields":{"__proto__":"p","b":"x"}}') as unknown,
};

const mappings: Record<string, (event: NormalizedEvent) => unknown> = {
  auditlog: (event) => toAuditLogEvent(event, context.server),
  retraced: (event) => toRetracedEvent(event, context.server),
  logzab: toLogZabTrail,
  frontegg: toFronteggAudit,
};

/** Every object and array reachable from `value`. */
function objectsIn(value: unknown, found = new Set<object>()): Set<object> {
  if (typeof value !== 'object' || value === null || found.has(value)) return found;
  found.add(value);
  for (const member of Object.values(value)) objectsIn(member, found);
  return found;
}

/** Paths in `value` that are not plain data: a Proxy, another prototype, an accessor, a symbol key, a non-JSON value. */
function notPlainData(value: unknown, path = '$'): string[] {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return [];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [path];
  if (typeof value !== 'object' || isProxy(value)) return [path];
  const prototype: unknown = Object.getPrototypeOf(value);
  const expected = Array.isArray(value) ? [Array.prototype] : [Object.prototype, null];
  if (!expected.includes(prototype as object | null)) return [path];
  if (Object.getOwnPropertySymbols(value).length > 0) return [path];
  const problems: string[] = [];
  for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(value))) {
    if (Array.isArray(value) && key === 'length') continue;
    if (!('value' in descriptor) || descriptor.enumerable !== true) problems.push(`${path}.${key}`);
    else problems.push(...notPlainData(descriptor.value, `${path}.${key}`));
  }
  return problems;
}

describe('mapped wire objects are fresh plain data (what canonicalJsonOfOwnWire relies on)', () => {
  for (const [inputName, makeInput] of Object.entries(inputs)) {
    for (const [adapter, map] of Object.entries(mappings)) {
      it(`${adapter}, ${inputName} event`, () => {
        const input = makeInput();
        const wire = map(normalizeEvent(validateAuditEvent(input), context));
        expect(notPlainData(wire)).toEqual([]);
        const shared = [...objectsIn(wire)].filter((object) => objectsIn(input).has(object));
        expect(shared).toEqual([]);
        expect(canonicalJsonOfOwnWire(wire as object)).toBe(canonicalJson(wire));
      });
    }
  }
});

// One object in V8's dictionary mode (a null-prototype object, or one that had a member deleted) sends the whole
// event down JSON.stringify's slow path: about 1.5x the cost of serializing a Retraced event with custom fields
// (bench/results.md, profile notes). V8's own check, enabled for this file only.
setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('object', 'return %HasFastProperties(object)') as (object: object) => boolean;

/** Paths of the objects in `value` that V8 keeps in dictionary mode. */
function dictionaryObjects(value: unknown, path = '$'): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const here = !Array.isArray(value) && !hasFastProperties(value) ? [path] : [];
  return [...here, ...Object.entries(value).flatMap(([key, member]) => dictionaryObjects(member, `${path}.${key}`))];
}

describe('mapped wire objects keep V8 fast properties, custom fields in any order included', () => {
  const withFields = (): unknown => ({ action: 'a', crud: 'c', tenant: { id: 't' }, fields: { zeta: 'z', mfa: 'totp', alpha: 'a', '': 'dropped', empty: '' } });
  it('normalizes custom fields to a plain object in canonical order, empty keys and values dropped', () => {
    const fields = normalizeEvent(validateAuditEvent(withFields()), context).fields as object;
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(Object.keys(fields)).toEqual(['alpha', 'mfa', 'zeta']);
    expect(hasFastProperties(fields)).toBe(true);
  });

  it.each(Object.entries(mappings))('%s', (_adapter, map) => {
    for (const input of [withFields(), fullInput(), inputs['a "__proto__" custom field']?.()]) {
      const wire = map(normalizeEvent(validateAuditEvent(input), context));
      expect(dictionaryObjects(wire)).toEqual([]);
    }
  });

  it('a Retraced native event keeps its maps as plain objects, a "__proto__" key as data', () => {
    const native = JSON.parse('{"action":"a","crud":"c","is_anonymous":true,"fields":{"__proto__":"p","b":"x"},"metadata":{"k":"v"}}') as Record<string, unknown>;
    const parsed = RetracedEventSchema.parse(native) as { fields: object; metadata: object };
    for (const map of [parsed.fields, parsed.metadata]) {
      expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
      expect(hasFastProperties(map)).toBe(true);
    }
    expect(Object.getOwnPropertyDescriptor(parsed.fields, '__proto__')).toMatchObject({ value: 'p', enumerable: true });
    expect(JSON.stringify(parsed.fields)).toBe('{"__proto__":"p","b":"x"}');
  });

  it('a polluted Object.prototype adds no member to a Frontegg body', () => {
    const event = normalizeEvent(validateAuditEvent(withFields()), context);
    const polluted = Object.prototype as Record<string, unknown>;
    polluted.injected = 'x';
    try {
      const audit = toFronteggAudit(event);
      expect(Object.keys(audit)).not.toContain('injected');
    } finally {
      delete polluted.injected;
    }
  });
});
