import { TZDate } from '@date-fns/tz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Adapter, PrepareContext } from '../../../src/adapters/adapter.js';
import { createAdapter } from '../../../src/adapters/create-adapter.js';
import { resolveOptions } from '../../../src/client/resolve-options.js';
import { ValidationError } from '../../../src/errors.js';
import { canonicalTime } from '../../../src/event/normalize.js';
import { validateAuditEvent } from '../../../src/event/validate.js';
import { canonicalJson } from '../../../src/hash/canonical-json.js';
import { hashEvent } from '../../../src/hash/event-hash.js';
import { LyingDate } from '../../helpers/dates.js';

// A Date of any kind is normalized from its time value (issue 12, item 8): TZDate, subclasses whose toISOString,
// toJSON or getTime lie, on every path (validation, normalization, every adapter, canonicalJson, hashEvent).


const ZONES = ['Asia/Singapore', 'America/St_Johns', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC', 'Europe/Berlin', 'America/Los_Angeles'];

const context: PrepareContext = { server: { id: 'api', version: '1' }, newId: () => 'generated-id', now: () => new Date(0) };

const ADAPTERS: ReadonlyArray<readonly [string, Adapter]> = [
  ['auditlog', createAdapter(resolveOptions({ adapter: 'auditlog', endpoint: 'http://127.0.0.1:1', apiKey: 'consumer:secret-value' }, {}))],
  ['retraced', createAdapter(resolveOptions({ adapter: 'retraced', endpoint: 'http://127.0.0.1:1', apiKey: 'token', projectId: 'p' }, {}))],
  ['logzab', createAdapter(resolveOptions({ adapter: 'logzab', endpoint: 'http://127.0.0.1:1', apiKey: 'key' }, {}))],
  ['frontegg', createAdapter(resolveOptions({ adapter: 'frontegg', endpoint: 'http://127.0.0.1:1' }, {}))],
];

const event = (time: unknown) => ({ id: 'evt-1', action: 'user.login', crud: 'c' as const, tenant: { id: 't' }, actor: { id: 'u' }, time });

/** Every kind of Date holding `time`: plain, TZDate in a zone, and a subclass whose own methods all lie. */
function datesAt(time: number, zone: string): Date[] {
  return [new Date(time), new TZDate(time, zone), new LyingDate(time)];
}

const instant = fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2200, 0, 1) });
const zone = fc.constantFrom(...ZONES);

describe('a Date in an event', () => {
  it('is normalized to UTC with three fraction digits from its time value, whatever its class says', () => {
    const time = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    for (const date of datesAt(time, 'Asia/Singapore')) expect(canonicalTime(date)).toBe('2026-01-02T03:04:05.006Z');
    expect(new TZDate(time, 'Asia/Singapore').toISOString()).toBe('2026-01-02T11:04:05.006+08:00');
  });

  it.each(ADAPTERS)('maps to the same wire bytes and hash as the plain Date on the %s adapter, for any instant and zone', (_name, adapter) => {
    fc.assert(
      fc.property(instant, zone, (time, tz) => {
        const [plain, ...others] = datesAt(time, tz);
        const expected = adapter.prepare(event(plain), context);
        expect(expected.wire).toContain(new Date(time).toISOString());
        for (const date of others) {
          const prepared = adapter.prepare(event(date), context);
          expect(prepared.wire).toBe(expected.wire);
          expect(prepared.hash).toBe(expected.hash);
        }
      }),
      { numRuns: 100 },
    );
  });

  it.each(ADAPTERS)('is refused with ValidationError at $.time when it holds no instant, on the %s adapter', (_name, adapter) => {
    for (const invalid of [new Date(Number.NaN), new LyingDate(Number.NaN), new TZDate(Number.NaN, 'Asia/Singapore'), new Proxy(new Date(0), {})]) {
      let thrown: unknown;
      try {
        adapter.prepare(event(invalid), context);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ValidationError);
      expect((thrown as ValidationError).issues.map((issue) => issue.path)).toContain('$.time');
    }
  });

  it('is refused by validateAuditEvent when invalid, even when its getTime() says otherwise', () => {
    expect(() => validateAuditEvent({ action: 'a', time: new LyingDate(Number.NaN) })).toThrow(ValidationError);
    expect(validateAuditEvent({ action: 'a', time: new LyingDate(5) }).time).toBeInstanceOf(LyingDate);
  });
});

describe('a Date inside a Frontegg native event', () => {
  const frontegg = ADAPTERS[3]?.[1] as Adapter;

  it('is written from its time value, so the hash is the same for every Date holding the instant', () => {
    fc.assert(
      fc.property(instant, zone, (time, tz) => {
        const wires = datesAt(time, tz).map((date) => frontegg.prepare({ tenantId: 't', severity: 'Info', action: 'a', at: date, nested: { at: date } }, context).wire);
        expect(new Set(wires).size).toBe(1);
        expect(wires[0]).toContain(`"at":"${new Date(time).toISOString()}"`);
      }),
      { numRuns: 100 },
    );
  });

  it('is refused with a ValidationError (CanonicalizationError) at its path when it holds no instant', () => {
    expect(() => frontegg.prepare({ tenantId: 't', severity: 'Info', at: new TZDate(Number.NaN, 'UTC') }, context)).toThrow(ValidationError);
  });
});

describe('canonicalJson and hashEvent on Dates of any kind', () => {
  it('give one text and one hash per instant', () => {
    fc.assert(
      fc.property(instant, zone, (time, tz) => {
        const texts = datesAt(time, tz).map((date) => canonicalJson({ time: date }));
        expect(new Set(texts).size).toBe(1);
        expect(new Set(datesAt(time, tz).map((date) => hashEvent([date]))).size).toBe(1);
      }),
      { numRuns: 200 },
    );
  });
});
