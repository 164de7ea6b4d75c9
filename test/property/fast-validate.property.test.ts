import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastParseAuditEvent } from '../../src/event/fast-validate.js';
import { AuditEventSchema } from '../../src/event/schema.js';
import { exoticValue, hostileKey, hostileString } from './hostile.js';

// The fast accept path (src/event/fast-validate.ts) against zod, the source of truth: whatever it accepts, zod
// accepts, with the very same output (members, member order, values, prototypes); it may decline anything (zod
// then judges), but it must not decline the common shapes, or it buys nothing.

const RUNS = 3_000;

/** A member's value: mostly what the schema allows, often what it refuses. */
const text = fc.oneof(
  { arbitrary: fc.string({ maxLength: 12 }), weight: 30 },
  { arbitrary: hostileString.filter((value) => value.length < 1000), weight: 2 },
  { arbitrary: fc.constantFrom<unknown>(undefined, null, 1, true, {}, [], ['a']), weight: 1 },
);
const isoTimes = fc.constantFrom(
  '2026-01-02T03:04:05Z', '2026-01-02T03:04:05.678Z', '2026-01-02T03:04:05.123456789+02:00', '2024-02-29T00:00:00-05:30',
  '2023-02-29T00:00:00Z', '2026-01-02T03:04Z', '2026-01-02 03:04:05Z', '2026-01-02T03:04:05', '2026-13-02T03:04:05Z',
  '2026-01-02T24:00:00Z', '2026-01-02T03:04:05+24:00', '+002026-01-02T03:04:05Z', 'not a time', '',
);
const time = fc.oneof(
  isoTimes,
  fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => new Date(ms)),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.constantFrom<unknown>(new Date(Number.NaN), Date.now(), '1700000000000', undefined, null),
);
const ip = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4Extended(),
  fc.constantFrom<unknown>('::ffff:10.0.0.7', '01.2.3.4', '1.2.3.4 ', '256.1.1.1', '::1', 'fe80::1%eth0', '', 7, undefined),
);
const id = fc.oneof(text, fc.string({ minLength: 79, maxLength: 82 }), fc.uuid());
const oneOf = (values: readonly unknown[]) => fc.oneof({ arbitrary: fc.constantFrom(...values), weight: 20 }, { arbitrary: text, weight: 1 });

/** A record of optional members: each absent, present, or (rarely) explicitly undefined; plus rare extra keys. */
function strictRecord(members: Record<string, fc.Arbitrary<unknown>>, required: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(members).map(([key, value]) =>
    fc.oneof(
      { arbitrary: value.map((v) => [key, v] as const), weight: required.includes(key) ? 12 : 3 },
      { arbitrary: fc.constant(undefined), weight: required.includes(key) ? 1 : 3 },
      { arbitrary: fc.constant([key, undefined] as const), weight: 1 },
    ),
  );
  const extra = fc.oneof({ arbitrary: fc.constant([]), weight: 30 }, { arbitrary: fc.array(fc.tuple(hostileKey, text), { maxLength: 2 }), weight: 1 });
  return fc.tuple(fc.tuple(...entries), extra).map(([present, extras]) => {
    const record: Record<string, unknown> = {};
    for (const entry of present) if (entry !== undefined) record[entry[0]] = entry[1];
    for (const [key, value] of extras) Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
    return record;
  });
}

const nested = (members: readonly string[]) =>
  fc.oneof(
    { arbitrary: strictRecord(Object.fromEntries(members.map((key) => [key, text])), ['id']), weight: 8 },
    { arbitrary: exoticValue, weight: 1 },
  );

const fields = fc.oneof(
  { arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 8 }), { maxKeys: 4 }), weight: 8 },
  { arbitrary: fc.dictionary(hostileKey, text, { maxKeys: 3 }), weight: 2 },
  {
    arbitrary: fc.constantFrom<() => unknown>(
      () => ({ [Symbol('s')]: 'x', a: 'b' }),
      () => Object.defineProperty({ a: 'b' }, 'hidden', { value: 'h', enumerable: false }),
      () => Object.defineProperty({ a: 'b' }, 'hidden', { value: 7, enumerable: false }),
      () => Object.assign(Object.create(null) as object, { a: 'b' }),
      () => JSON.parse('{"__proto__": "x", "a": "b"}') as unknown,
      () => ({ 1: 'one', b: 'bee', 0: 'zero' }),
      () => new Map([['a', 'b']]),
    ).map((make) => make()),
    weight: 1,
  },
  { arbitrary: exoticValue, weight: 1 },
);
const tags = fc.oneof({ arbitrary: fc.array(fc.string({ maxLength: 6 }), { maxLength: 4 }), weight: 6 }, { arbitrary: fc.array(text, { maxLength: 3 }), weight: 2 }, { arbitrary: exoticValue, weight: 1 });

const event: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: strictRecord(
      {
        id,
        action: text,
        time,
        tenant: nested(['id', 'name']),
        actor: nested(['id', 'name', 'email']),
        target: nested(['id', 'type', 'name', 'url']),
        outcome: oneOf(['success', 'failure']),
        anonymous: oneOf([true, false]),
        crud: oneOf(['c', 'r', 'u', 'd']),
        severity: oneOf(['Info', 'Medium', 'High', 'Critical', 'Error']),
        description: text,
        url: text,
        ip,
        userAgent: text,
        location: text,
        device: text,
        timezone: text,
        fields,
        tags,
      },
      ['action'],
    ),
    weight: 20,
  },
  { arbitrary: exoticValue, weight: 1 },
);

/** The value as a tree of [key, value] pairs in member order, prototypes and array holes included, Dates by identity. */
function shapeOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Date) return value;
  if (Array.isArray(value)) return { array: Array.from({ length: value.length }, (_, index) => (index in value ? shapeOf(value[index]) : 'hole')) };
  return { proto: Object.getPrototypeOf(value) as unknown, entries: Reflect.ownKeys(value).map((key) => [key, shapeOf((value as Record<PropertyKey, unknown>)[key])]) };
}

describe('fastParseAuditEvent', () => {
  it('accepts only what zod accepts, and gives exactly zod\'s output', () => {
    let accepted = 0;
    let declinedValid = 0;
    fc.assert(
      fc.property(event, (input) => {
        const fast = fastParseAuditEvent(input);
        const zod = AuditEventSchema.safeParse(input);
        if (fast === undefined) {
          if (zod.success) declinedValid++;
          return;
        }
        accepted++;
        expect(zod.success).toBe(true);
        expect(shapeOf(fast)).toEqual(shapeOf(zod.data));
        if (zod.data?.time instanceof Date) expect(fast.time).toBe(zod.data.time);
      }),
      { numRuns: RUNS },
    );
    // Not vacuous: the generated events are mostly valid, and the fast path takes most of those.
    expect(accepted).toBeGreaterThan(RUNS / 10);
    expect(declinedValid).toBeLessThan(accepted);
  });

  it('takes the common shapes: a typical event, a Date, an ISO string with an offset, an IPv4 address', () => {
    const typical = {
      id: 'evt-1',
      action: 'user.login',
      time: '2026-01-02T03:04:05.678+02:00',
      actor: { id: 'user-1', name: 'Jane Smith', email: 'jane@acme.example' },
      tenant: { id: 'acme', name: 'Acme' },
      target: { id: 'session', type: 'session' },
      crud: 'c',
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0',
      fields: { method: 'password' },
      tags: ['auth'],
    };
    for (const input of [typical, { ...typical, time: new Date() }, { action: 'x' }]) {
      expect(shapeOf(fastParseAuditEvent(input))).toEqual(shapeOf(AuditEventSchema.parse(input)));
    }
  });

  it('declines what it leaves to zod: IPv6, a "__proto__" field, a Proxy', () => {
    expect(fastParseAuditEvent({ action: 'x', ip: '2001:db8::1' })).toBeUndefined();
    expect(fastParseAuditEvent({ action: 'x', fields: JSON.parse('{"__proto__":"v"}') as unknown })).toBeUndefined();
    expect(fastParseAuditEvent(new Proxy({ action: 'x' }, {}))).toBeUndefined();
  });
});
