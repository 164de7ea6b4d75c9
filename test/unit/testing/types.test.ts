import { AssertionError } from 'node:assert';
import type { Dispatcher } from 'undici';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { AuditsClient, type Adapter, type AuditLogEvent, type FronteggAudit, type LogZabTrail, type RetracedEvent } from '../../../src/index.js';
import { createAuditRecorder, expectAuditHash, type AuditRecorder, type RecordedEvent } from '../../../src/testing.js';

// tsc type-checks this file (npm run typecheck); the runtime assertions keep each case honest under vitest too.

describe('the types of auditwire/testing', () => {
  it('expectAuditHash takes an event, a hash and optional Retraced options, and returns nothing', () => {
    expectTypeOf(expectAuditHash).parameters.toEqualTypeOf<[event: unknown, hash: string, options?: { readonly retracedId?: string | undefined }]>();
    expectTypeOf(expectAuditHash).returns.toBeVoid();
    // @ts-expect-error the hash is required
    expect(() => expectAuditHash({ action: 'a' })).toThrow(AssertionError);
    // @ts-expect-error retracedId is a string (the server-assigned id)
    expect(() => expectAuditHash({ action: 'a' }, 'f'.repeat(64), { retracedId: 42 })).toThrow(/retracedId must be a string, got number/);
  });

  it('types the recorded wire events by format', () => {
    expectTypeOf(createAuditRecorder().events).toEqualTypeOf<readonly AuditLogEvent[]>();
    expectTypeOf(createAuditRecorder({ format: 'retraced' }).events).toEqualTypeOf<readonly RetracedEvent[]>();
    expectTypeOf(createAuditRecorder({ format: 'logzab' }).records).toEqualTypeOf<readonly RecordedEvent<LogZabTrail>[]>();
    expectTypeOf(createAuditRecorder({ format: 'frontegg' }).find({ tenantId: 'acme' })).toEqualTypeOf<RecordedEvent<FronteggAudit> | undefined>();
    expect(createAuditRecorder({ format: 'retraced' }).format).toBe('retraced');
  });

  it('checks partial matches against the wire shape of the format', () => {
    const recorder = createAuditRecorder({ format: 'auditlog' });
    expect(recorder.find({ actor: { uuid: 'u1' }, context: { server: { serverId: 'api' } } })).toBeUndefined();
    // @ts-expect-error AuditLog.co names the actor's id `uuid`, not `id`
    expect(recorder.find({ actor: { id: 'u1' } })).toBeUndefined();
    // @ts-expect-error a predicate receives the typed wire event
    expect(recorder.filter((event) => event.is_failure === true)).toEqual([]);
    // @ts-expect-error formats are the four built-in adapters
    expect(() => createAuditRecorder({ format: 'splunk' })).toThrow(TypeError);
  });

  it('is an Adapter with a Dispatcher, to hand to AuditsClient as-is', async () => {
    const recorder = createAuditRecorder({ format: 'retraced' });
    expectTypeOf(recorder).toExtend<Adapter>();
    expectTypeOf(recorder.dispatcher).toEqualTypeOf<Dispatcher>();
    // A recorder of one format is assignable to AuditRecorder of any, for helpers that take every recorder.
    const anyRecorder: AuditRecorder = recorder;
    const client = new AuditsClient({ adapter: anyRecorder, dispatcher: anyRecorder.dispatcher });
    await client.close();
    expect(client.adapter).toBe('retraced');
  });
});
