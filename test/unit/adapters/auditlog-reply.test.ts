import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BatchResult, PreparedEvent } from '../../../src/adapters/adapter.js';
import { createAuditLogAdapter } from '../../../src/adapters/auditlog.js';
import { toPrepared } from '../../../src/adapters/prepare.js';

// AuditLog.co replies are matched to events by the uuid they echo (issue 12, item 10); position is only the fallback
// for a reply that echoes none.

const adapter = createAuditLogAdapter({ endpoint: 'http://127.0.0.1:1', apiKey: 'consumer:secret-value' });

const batchOf = (...ids: string[]): PreparedEvent[] => ids.map((id) => toPrepared(id, { uuid: id, action: 'a' }));

function decode(batch: readonly PreparedEvent[], received: unknown[]): BatchResult {
  return adapter.decode({ status: 200, headers: {}, body: JSON.stringify({ receivedEvents: received }) }, batch);
}

/** `serverId` per batch position; `undefined` where the event got no outcome (the delivery layer fails it). */
function serverIds(result: BatchResult, size: number): Array<string | undefined> {
  if (result.kind !== 'per-event') throw new Error(`expected per-event outcomes, got ${JSON.stringify(result)}`);
  expect(result.resend).toEqual([]);
  return Array.from({ length: size }, (_, index) => {
    const outcome = result.outcomes.get(index);
    return outcome?.ok === true ? outcome.serverId : undefined;
  });
}

describe('the AuditLog.co success reply', () => {
  it('gives each event the entry that echoes its uuid, in whatever order the reply lists them', () => {
    const batch = batchOf('a', 'b', 'c');
    const reply = [{ id: 'srv-c', uuid: 'c', hash: 'hc' }, { id: 'srv-a', uuid: 'a', hash: 'ha' }, { id: 'srv-b', uuid: 'b', hash: 'hb' }];
    const result = decode(batch, reply);
    expect(serverIds(result, 3)).toEqual(['srv-a', 'srv-b', 'srv-c']);
    expect(result.kind === 'per-event' && result.outcomes.get(0)).toEqual({ ok: true, serverId: 'srv-a', serverHash: 'ha' });
  });

  it('falls back to request order when the reply echoes no uuid at all', () => {
    expect(serverIds(decode(batchOf('a', 'b'), [{ id: 'srv-1' }, { id: 'srv-2' }]), 2)).toEqual(['srv-1', 'srv-2']);
  });

  it('leaves an event whose uuid is not echoed without an outcome (a reported failure), and keeps the others', () => {
    const reply = [{ id: 'srv-a', uuid: 'a' }, { id: 'srv-a2', uuid: 'a' }];
    // 'a' was sent once but echoed twice, 'b' not at all: both fail; nothing is resent.
    expect(serverIds(decode(batchOf('a', 'b', 'c'), [...reply, { id: 'srv-c', uuid: 'c' }]), 3)).toEqual([undefined, undefined, 'srv-c']);
  });

  it('pairs two events sharing an id with its two echoes, in order', () => {
    const reply = [{ id: 'srv-1', uuid: 'same' }, { id: 'srv-x', uuid: 'x' }, { id: 'srv-2', uuid: 'same' }];
    expect(serverIds(decode(batchOf('same', 'x', 'same'), reply), 3)).toEqual(['srv-1', 'srv-x', 'srv-2']);
  });

  it.each([
    ['a uuid that was not sent', [{ id: 's1', uuid: 'a' }, { id: 's2', uuid: 'zzz' }]],
    ['some entries with a uuid and some without', [{ id: 's1', uuid: 'a' }, { id: 's2' }]],
    ['fewer entries than events and no uuid', [{ id: 's1' }]],
    ['no list at all', undefined],
  ])('fails the whole request, without retrying, for a reply with %s', (_label, received) => {
    const result = decode(batchOf('a', 'b'), received as unknown[]);
    expect(result.kind).toBe('request-failed');
    expect(result.kind === 'request-failed' && result.error.retryable).toBe(false);
  });

  it('matches every event to its own entry for any order of the reply (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 20 }), fc.nat(), (ids, seed) => {
        const batch = batchOf(...ids);
        const shuffled = ids.map((id) => ({ id: `srv-${id}`, uuid: id })).sort((x, y) => ((x.uuid.charCodeAt(0) * 31 + seed) % 7) - ((y.uuid.charCodeAt(0) * 31 + seed) % 7));
        expect(serverIds(decode(batch, shuffled), ids.length)).toEqual(ids.map((id) => `srv-${id}`));
      }),
    );
  });
});
