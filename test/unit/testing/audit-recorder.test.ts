import { AssertionError } from 'node:assert';
import canonicalize from 'canonicalize';
import { request } from 'undici';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AuditsClient,
  AuthenticationError,
  DeliveryError,
  ValidationError,
  type AdapterName,
  type AuditEvent,
  type ClientOptions,
} from '../../../src/index.js';
import { createAuditRecorder, createReferenceServer, type AuditRecorder } from '../../../src/testing.js';
import { thrownBy } from '../../helpers/errors.js';
import { retracedOracle } from '../../helpers/retraced-oracle.js';
import { sha256HexOf } from '../../helpers/sha256.js';
import { captureWarnings } from '../../helpers/warnings.js';

// Failures here are on purpose and heard by no listener: their process warnings are captured, not printed.
captureWarnings();

const SERVER = { id: 'recorder-test', version: '1.0.0' };
const FORMATS: readonly AdapterName[] = ['auditlog', 'retraced', 'logzab', 'frontegg'];

/** Valid in every format (Retraced needs crud, Frontegg a tenant), with fixed id and time so the wire is stable. */
function eventAt(i: number): AuditEvent {
  return {
    id: `evt-${i}`,
    time: `2026-03-0${(i % 9) + 1}T10:00:00.000Z`,
    action: i % 2 === 0 ? 'user.login' : 'invoice.paid',
    tenant: { id: 'acme', name: 'Acme' },
    actor: { id: `user-${i}`, name: `User ${i}` },
    target: { id: `obj-${i}`, type: 'invoice' },
    crud: 'c',
    ip: '203.0.113.9',
    fields: { attempt: String(i) },
  };
}

/** A client wired to the recorder as docs/testing.md shows, with immediate batches and no waiting between retries. */
function clientFor<F extends AdapterName>(recorder: AuditRecorder<F>, options: ClientOptions = {}): AuditsClient {
  return new AuditsClient({ adapter: recorder, dispatcher: recorder.dispatcher, server: SERVER, flushIntervalMs: 0, ...options });
}

/** The rejection of `promise`; fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

describe.each(FORMATS)('createAuditRecorder({ format: %s }) behind a real AuditsClient', (format) => {
  it('acknowledges every event with the matching hash, so receipts are verified, and records them in order', async () => {
    const recorder = createAuditRecorder({ format });
    const client = clientFor(recorder, { verify: 'require' });
    const events = [0, 1, 2, 3, 4].map(eventAt);
    const receipts = await client.sendAudits(events);
    await client.close();

    expect(receipts.map((receipt) => receipt.verified)).toEqual([true, true, true, true, true]);
    expect(receipts.every((receipt) => receipt.adapter === format)).toBe(true);
    expect(recorder.records.map((record) => record.id)).toEqual(events.map((event) => event.id));
    expect(recorder.events).toHaveLength(5);
    for (const [index, record] of recorder.records.entries()) {
      const receipt = receipts[index];
      expect(receipt).toMatchObject({ id: record.id, serverId: record.serverId, serverHash: record.hash, hash: record.hash });
      expect(recorder.events[index]).toBe(record.event);
      expect(JSON.parse(record.wire)).toEqual(record.event);
      // The recorded hash, recomputed by independent code: the vendor's computeHash for Retraced, else
      // SHA-256 over the canonicalize package's RFC 8785 form.
      const expected = format === 'retraced' ? retracedOracle(record.event, record.serverId) : { ok: true, hash: sha256HexOf(canonicalize(record.event) as string) };
      expect(expected).toMatchObject({ ok: true, hash: record.hash });
    }
    if (format === 'retraced') expect(recorder.records.every((record) => /^[0-9a-f]{32}$/.test(record.serverId))).toBe(true);
  });

  it('records byte for byte the body the real adapter sends to the reference server', async () => {
    const server = await createReferenceServer();
    const real = new AuditsClient({
      adapter: format,
      endpoint: server.url,
      // Frontegg takes its credentials from init() below.
      ...(format === 'frontegg' ? {} : { apiKey: format === 'auditlog' ? 'consumer:secret' : 'key', projectId: 'project-1' }),
      server: SERVER,
      flushIntervalMs: 0,
    });
    const recorder = createAuditRecorder({ format });
    const recorded = clientFor(recorder);
    try {
      if (format === 'frontegg') await real.init('client-id', 'secret');
      await real.sendAudit(eventAt(7));
      await recorded.sendAudit(eventAt(7));
    } finally {
      await Promise.all([real.close(), recorded.close(), server.close()]);
    }
    expect(server.events).toHaveLength(1);
    expect(recorder.events).toEqual([server.events[0]?.body]);
  });
});

describe('the recorder as a test double', () => {
  it('defaults to the auditlog format', async () => {
    const recorder = createAuditRecorder();
    const client = clientFor(recorder);
    await client.sendAudit({ action: 'user.login', actor: { id: 'u1' } });
    await client.close();
    expect(recorder.format).toBe('auditlog');
    expect(recorder.events[0]).toMatchObject({ action: 'user.login', actor: { uuid: 'u1' }, client: { uuid: 'default' } });
  });

  it('carries a batch in one request and numbers requests, as production batching would', async () => {
    const recorder = createAuditRecorder({ format: 'retraced' });
    const client = clientFor(recorder, { maxBatchSize: 2 });
    await client.sendAudits([0, 1, 2].map(eventAt));
    await client.close();
    expect(recorder.records.map((record) => record.request)).toEqual([1, 1, 2]);
    expect(recorder.requests).toBe(2);
  });

  it('refuses invalid events at sendAudit, as the adapter of its format does, and records nothing', async () => {
    const recorder = createAuditRecorder({ format: 'frontegg' });
    const client = clientFor(recorder);
    const error = await rejectionOf(client.sendAudit({ action: 'user.login' }));
    await client.close();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toBe('$.tenant');
    expect(recorder.requests).toBe(0);
  });

  it('serves several clients in turn: closing a client leaves the recorder and its dispatcher usable', async () => {
    const recorder = createAuditRecorder({ format: 'logzab' });
    for (const action of ['first.event', 'second.event']) {
      const client = clientFor(recorder);
      await client.sendAudit({ action });
      await client.close();
    }
    expect(recorder.events.map((event) => event.action)).toEqual(['first.event', 'second.event']);
  });

  it('answers nothing but its own origin: other requests through its dispatcher fail without connecting', async () => {
    const recorder = createAuditRecorder();
    await expect(request('http://127.0.0.1:1/anything', { dispatcher: recorder.dispatcher })).rejects.toThrow(/not allowed|not match/i);
  });

  it('fails fast, saying what to do, when the client was not given the dispatcher', async () => {
    const recorder = createAuditRecorder();
    // Without the dispatcher the first attempt goes to a closed loopback port (never off the machine); the retry
    // then finds the batch unanswered.
    const client = new AuditsClient({ adapter: recorder, flushIntervalMs: 0, retry: { initialDelayMs: 0 } });
    const error = await rejectionOf(client.sendAudit({ action: 'user.login' }));
    await client.close();
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).toContain('dispatcher: recorder.dispatcher');
    expect(recorder.events).toHaveLength(0);
  });
});

describe('find, filter and expectSent', () => {
  const recorder = createAuditRecorder({ format: 'retraced' });

  beforeAll(async () => {
    const client = clientFor(recorder);
    await client.sendAudits([0, 1, 2, 3].map(eventAt));
    await client.close();
  });

  it('select by a partial wire event, recursively', () => {
    expect(recorder.find({ action: 'invoice.paid', actor: { id: 'user-3' } })?.id).toBe('evt-3');
    expect(recorder.filter({ action: 'user.login' }).map((record) => record.id)).toEqual(['evt-0', 'evt-2']);
    expect(recorder.find({ actor: { id: 'user-9' } })).toBeUndefined();
  });

  it('treat a member given as undefined as "absent"', () => {
    expect(recorder.filter({ description: undefined })).toHaveLength(4);
    expect(recorder.filter({ crud: undefined })).toHaveLength(0);
  });

  it('select by a predicate on the wire event', () => {
    expect(recorder.filter((event) => event.fields?.attempt === '2').map((record) => record.id)).toEqual(['evt-2']);
  });

  it('expectSent returns the first match', () => {
    const record = recorder.expectSent({ action: 'invoice.paid' });
    expect(record.id).toBe('evt-1');
    expect(record.event.group).toEqual({ id: 'acme', name: 'Acme' });
  });

  it('expectSent throws an AssertionError listing what was recorded when nothing matches', () => {
    const error = thrownBy(() => recorder.expectSent({ action: 'user.logout' }));
    expect(error).toBeInstanceOf(AssertionError);
    const assertion = error as AssertionError;
    expect(assertion.message).toContain('expected a recorded retraced event matching {"action":"user.logout"}; 4 recorded:');
    expect(assertion.message).toContain(`[3] ${recorder.records[3]?.wire}`);
    expect(assertion.expected).toEqual({ action: 'user.logout' });
    expect(assertion.actual).toEqual(recorder.events);
  });

  it('expectSent names a predicate that matched nothing', () => {
    const error = thrownBy(() => recorder.expectSent(function isDeletion(event) {
      return event.crud === 'd';
    }));
    expect((error as Error).message).toContain('the predicate isDeletion');
  });
});

describe('failure modes', () => {
  it('failNext answers 503 the given number of times; the client retries at once and the event is stored once', async () => {
    const recorder = createAuditRecorder();
    recorder.failNext({ status: 503, times: 2 });
    const client = clientFor(recorder);
    const onRetry = vi.fn();
    client.on('retry', onRetry);
    const receipt = await client.sendAudit(eventAt(1));
    await client.close();
    expect(receipt).toMatchObject({ verified: true, attempts: 3 });
    expect(onRetry).toHaveBeenCalledTimes(2);
    expect(onRetry.mock.calls.map(([info]) => (info as { delayMs: number }).delayMs)).toEqual([0, 0]);
    expect(recorder.requests).toBe(3);
    expect(recorder.events).toHaveLength(1);
  });

  it('failNext with a 4xx fails the event without a retry, as the vendor refusing the request would', async () => {
    const recorder = createAuditRecorder({ format: 'logzab' });
    recorder.failNext({ status: 400 });
    const client = clientFor(recorder);
    const error = await rejectionOf(client.sendAudit(eventAt(1)));
    await client.close();
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ status: 400, retryable: false });
    expect(recorder.requests).toBe(1);
    expect(recorder.events).toHaveLength(0);
  });

  it('failNext with 401 rejects with AuthenticationError', async () => {
    const recorder = createAuditRecorder();
    recorder.failNext({ status: 401 });
    const client = clientFor(recorder);
    expect(await rejectionOf(client.sendAudit(eventAt(1)))).toBeInstanceOf(AuthenticationError);
    await client.close();
  });

  it('refuse rejects only the selected events of a batch with ValidationError and the reason; the rest are stored', async () => {
    const recorder = createAuditRecorder();
    recorder.refuse({ action: 'invoice.paid' }, 'invoices are frozen');
    const client = clientFor(recorder);
    const results = await Promise.allSettled([0, 1, 2].map((i) => client.sendAudit(eventAt(i))));
    await client.close();
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const reason = (results[1] as PromiseRejectedResult).reason as ValidationError;
    expect(reason).toBeInstanceOf(ValidationError);
    expect(reason.message).toContain('invoices are frozen');
    expect(recorder.records.map((record) => record.id)).toEqual(['evt-0', 'evt-2']);
    expect(recorder.requests).toBe(1);
  });

  it('refuse takes a predicate too, and clear() forgets rules, failures, events and the request count', async () => {
    const recorder = createAuditRecorder();
    recorder.refuse((event) => event.actor.uuid === 'user-0');
    recorder.failNext({ status: 500, times: 3 });
    const held = recorder.events;
    recorder.clear();
    const client = clientFor(recorder);
    await client.sendAudit(eventAt(0));
    expect(held).toHaveLength(1);
    expect(recorder.requests).toBe(1);
    recorder.clear();
    expect(held).toHaveLength(0);
    expect(recorder.requests).toBe(0);
    recorder.refuse((event) => event.actor.uuid === 'user-0');
    expect(await rejectionOf(client.sendAudit(eventAt(0)))).toBeInstanceOf(ValidationError);
    await client.close();
  });

  it('fails the batch at once, storing none of it, when a refuse() predicate throws', async () => {
    const recorder = createAuditRecorder();
    recorder.refuse((event) => (event.action === 'invoice.paid' ? JSON.parse('{') : false) as boolean);
    const client = clientFor(recorder);
    const results = await Promise.allSettled([0, 1].map((i) => client.sendAudit(eventAt(i))));
    await client.close();
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    const reason = (results[0] as PromiseRejectedResult).reason as DeliveryError;
    expect(reason).toMatchObject({ status: 400, retryable: false });
    expect(reason.message).toContain('a refuse() predicate threw');
    expect(recorder.requests).toBe(1);
    expect(recorder.events).toHaveLength(0);
  });

  it('refuses failNext options that are not an HTTP error status or a positive count', () => {
    const recorder = createAuditRecorder();
    expect(() => recorder.failNext({ status: 200 })).toThrow(RangeError);
    expect(() => recorder.failNext({ status: 503.5 })).toThrow(RangeError);
    expect(() => recorder.failNext({ times: 0 })).toThrow(RangeError);
  });

  it('refuses an unknown format from untyped callers', () => {
    expect(() => createAuditRecorder({ format: 'splunk' as AdapterName })).toThrow(/unknown format "splunk"/);
  });
});
