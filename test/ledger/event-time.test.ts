import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Adapter, PrepareContext } from '../../src/adapters/adapter.js';
import { createAuditLogAdapter } from '../../src/adapters/auditlog.js';
import { createFronteggAdapter } from '../../src/adapters/frontegg.js';
import { createLogZabAdapter } from '../../src/adapters/logzab.js';
import { createRetracedAdapter } from '../../src/adapters/retraced.js';
import { canonicalJson } from '../../src/hash/canonical-json.js';
import { wireObjectTime, wireTextTime } from '../../src/ledger/event-time.js';

const context: PrepareContext = { server: { id: 'svc', version: '1.0.0' }, newId: () => 'generated-id', now: () => new Date('2026-02-03T04:05:06.007Z') };

const ADAPTERS: ReadonlyArray<[string, Adapter, boolean]> = [
  // [name, adapter, whether its wire carries the time at the top level (so prepare knows it)]
  ['auditlog', createAuditLogAdapter({ endpoint: 'http://127.0.0.1:1', apiKey: 'consumer:secret' }), true],
  ['retraced', createRetracedAdapter({ endpoint: 'http://127.0.0.1:1', apiKey: 'k', projectId: 'p' }), true],
  ['frontegg', createFronteggAdapter({ endpoint: 'http://127.0.0.1:1' }), true],
  ['logzab', createLogZabAdapter({ endpoint: 'http://127.0.0.1:1', apiKey: 'k' }), false],
];

/** A time-ish member: what adapters put there, and what a native or custom wire might. */
const member = fc.oneof(
  fc.constant(undefined),
  fc.string(),
  fc.date({ noInvalidDate: true }),
  fc.integer(),
  fc.constant(null),
  fc.constant({ toJSON: () => 'from toJSON' }),
  fc.date({ noInvalidDate: true }).map((date) => JSON.stringify({ time: date.toISOString() })),
);

describe('the event time', () => {
  it('read from the wire object equals the one read from its canonical text, wherever it answers', () => {
    fc.assert(
      fc.property(fc.record({ time: member, created: member, desc: member, other: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }), (wire) => {
        const fromObject = wireObjectTime(wire);
        if (fromObject !== undefined) expect(fromObject).toBe(wireTextTime(canonicalJson(wire)));
      }),
      { numRuns: 2000 },
    );
    expect(wireObjectTime(new Date(0))).toBeUndefined();
    expect(wireObjectTime({ time: new Date(0), created: 'later' })).toBeUndefined();
    expect(wireObjectTime({ toJSON: () => ({ time: 'x' }), time: 'y' })).toBeUndefined();
  });

  it.each(ADAPTERS)('is carried from prepare by the %s adapter as its wire says it', (_name, adapter, known) => {
    const time = '2026-04-05T06:07:08.090Z';
    const prepared = adapter.prepare({ id: 'e-1', action: 'invoice.paid', time, crud: 'u', tenant: { id: 'acme' }, actor: { id: 'u-1' }, target: { id: 'inv-1' } }, context);
    expect(wireTextTime(prepared.wire)).toBe(time);
    // Where prepare does not know it (LogZab nests it in `desc`), the ledger reads it from the wire text.
    expect(prepared.time).toBe(known ? time : undefined);
  });
});
