import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BatchResult, HttpResponse, PrepareContext, PreparedEvent } from '../../../src/adapters/adapter.js';
import {
  createRetracedAdapter,
  RETRACED_ENDPOINT,
  RetracedEventSchema,
  toRetracedEvent,
} from '../../../src/adapters/retraced.js';
import { isRetracedSourceIp } from '../../../src/adapters/retraced-ip.js';
import { AuditsError, CanonicalizationError, ValidationError, type ValidationIssue } from '../../../src/errors.js';
import { toIssues } from '../../../src/event/validate.js';
import { thrownBy } from '../../helpers/errors.js';
import { retracedOracle } from '../../helpers/retraced-oracle.js';

// Retraced publisher API: shared/reference/wire/README.md section 2; mapping spec/EVENT.md section 6; hashes section 9.
// Expected wire objects are written by hand from spec/EVENT.md, not derived from the code under test.

const SERVER = { id: 'billing-api', version: '2.3.1' } as const;
const NOW = '2026-01-02T03:04:05.678Z';
const BASE = 'http://retraced.test/auditlog';
const TOKEN = 'c9a4d3e7f0b14b2a9e8d7c6b5a4f3e2d';

function newContext(): PrepareContext {
  let next = 0;
  return { server: SERVER, newId: () => `gen-${++next}`, now: () => new Date(NOW) };
}

const adapter = createRetracedAdapter({ endpoint: BASE, apiKey: TOKEN, projectId: 'proj-1' });

function prepare(input: unknown, context: PrepareContext = newContext()): PreparedEvent {
  return adapter.prepare(input, context);
}

function wireOf(input: unknown): Record<string, unknown> {
  return JSON.parse(prepare(input).wire) as Record<string, unknown>;
}

/** The issues of the ValidationError `fn` throws (failing the test when it throws anything else). */
function issuesThrownBy(fn: () => unknown): readonly ValidationIssue[] {
  const error = thrownBy(fn);
  expect(error).toBeInstanceOf(ValidationError);
  expect(error).toBeInstanceOf(AuditsError);
  return (error as ValidationError).issues;
}

function pathsThrownBy(fn: () => unknown): string[] {
  return issuesThrownBy(fn).map((issue) => issue.path);
}

/** Independent SHA-256 (node:crypto), not the hash module under test. */
function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Keys sorted recursively, so a hand-written object can be compared with canonical JSON byte for byte. */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

const FULL_EVENT = {
  id: 'evt-1',
  action: 'invoice.update',
  time: '2026-01-02T04:04:05.6789+01:00',
  tenant: { id: 'acme', name: 'Acme Corp' },
  actor: { id: 'u-42', name: 'Jane', email: 'jane@acme.test' },
  target: { id: 'inv-42', type: 'invoice', name: 'Invoice #42', url: 'https://app.test/invoices/42' },
  outcome: 'failure',
  anonymous: false,
  crud: 'u',
  severity: 'High',
  description: 'changed the amount',
  url: '/invoices/42',
  ip: '203.0.113.9',
  userAgent: 'Mozilla/5.0',
  location: 'Berlin',
  device: 'laptop',
  timezone: 'Europe/Berlin',
  fields: { amount: '42', currency: 'EUR' },
  tags: ['billing', 'eu'],
};

describe('mapping common events (spec/EVENT.md section 6)', () => {
  it('maps every member of a full event to its Retraced slot', () => {
    const expected = {
      action: 'invoice.update',
      crud: 'u',
      created: NOW,
      external_id: 'evt-1',
      group: { id: 'acme', name: 'Acme Corp' },
      actor: { id: 'u-42', name: 'Jane', fields: { email: 'jane@acme.test' } },
      is_anonymous: false,
      target: { id: 'inv-42', name: 'Invoice #42', type: 'invoice', href: 'https://app.test/invoices/42' },
      source_ip: '203.0.113.9',
      description: 'changed the amount',
      is_failure: true,
      component: 'billing-api',
      version: '2.3.1',
      fields: { amount: '42', currency: 'EUR' },
      metadata: {
        severity: 'High',
        url: '/invoices/42',
        user_agent: 'Mozilla/5.0',
        location: 'Berlin',
        device: 'laptop',
        timezone: 'Europe/Berlin',
        tags: 'billing,eu',
      },
    };
    const prepared = prepare(FULL_EVENT);
    expect(prepared.id).toBe('evt-1');
    expect(JSON.parse(prepared.wire)).toEqual(expected);
    // The wire text is the canonical form (sorted keys, no whitespace), and hash/bytes describe exactly it.
    expect(prepared.wire).toBe(sortedJson(expected));
    expect(prepared.hash).toBe(sha256(prepared.wire));
    expect(prepared.bytes).toBe(Buffer.byteLength(prepared.wire));
  });

  it('maps a minimal event with the defaults: generated id, now, anonymous, success, Info', () => {
    const prepared = prepare({ action: 'user.login', crud: 'r' });
    expect(prepared.id).toBe('gen-1');
    expect(prepared.wire).toBe(
      sortedJson({
        action: 'user.login',
        crud: 'r',
        created: NOW,
        external_id: 'gen-1',
        is_anonymous: true,
        is_failure: false,
        component: 'billing-api',
        version: '2.3.1',
        metadata: { severity: 'Info' },
      }),
    );
  });

  it('toRetracedEvent maps a normalized event directly, server option included', () => {
    const event = toRetracedEvent(
      { id: 'e', action: 'a', time: NOW, outcome: 'success', severity: 'Critical', crud: 'd', actor: { id: 'u' } },
      { id: 'svc', version: '9' },
    );
    expect(event).toEqual({
      action: 'a',
      crud: 'd',
      created: NOW,
      external_id: 'e',
      actor: { id: 'u' },
      is_anonymous: false,
      is_failure: false,
      component: 'svc',
      version: '9',
      metadata: { severity: 'Critical' },
    });
  });

  it('sends is_anonymous true and keeps the actor when anonymous is true with an actor', () => {
    const wire = wireOf({ action: 'a', crud: 'c', anonymous: true, actor: { id: 'u-1' } });
    expect(wire.is_anonymous).toBe(true);
    expect(wire.actor).toEqual({ id: 'u-1' });
  });

  it('omits actor.fields when there is no email, and never produces actor.href', () => {
    expect(wireOf({ action: 'a', crud: 'c', actor: { id: 'u-1', name: 'N' } }).actor).toEqual({ id: 'u-1', name: 'N' });
  });

  it('omits every member that normalization emptied (Retraced rejects empty strings)', () => {
    const wire = wireOf({
      action: 'a',
      crud: 'c',
      tenant: { id: 't', name: '' },
      actor: { id: 'u', name: '', email: '' },
      target: { id: 'x', type: '', name: '', url: '' },
      description: '',
      url: '',
      userAgent: '',
      fields: { keep: 'v', '': 'k', gone: '' },
      tags: ['', 'one', ''],
    });
    expect(wire).toEqual({
      action: 'a',
      crud: 'c',
      created: NOW,
      external_id: 'gen-1',
      group: { id: 't' },
      actor: { id: 'u' },
      is_anonymous: false,
      target: { id: 'x' },
      is_failure: false,
      component: 'billing-api',
      version: '2.3.1',
      fields: { keep: 'v' },
      metadata: { severity: 'Info', tags: 'one' },
    });
  });

  it('omits fields when the event has none left (an empty {} would hash differently)', () => {
    expect(wireOf({ action: 'a', crud: 'c', fields: {} })).not.toHaveProperty('fields');
    expect(wireOf({ action: 'a', crud: 'c', fields: { only: '' } })).not.toHaveProperty('fields');
    expect(wireOf({ action: 'a', crud: 'c', tags: [''] }).metadata).toEqual({ severity: 'Info' });
  });

  it('keeps user field keys byte for byte, even ones named like metadata keys', () => {
    const wire = wireOf({ action: 'a', crud: 'c', severity: 'Error', fields: { severity: 'low', 'a:b=c;d%': 'x' } });
    expect(wire.fields).toEqual({ severity: 'low', 'a:b=c;d%': 'x' });
    expect(wire.metadata).toEqual({ severity: 'Error' });
  });
});

describe('adapter validation of common events (spec/EVENT.md 4.3, section 6)', () => {
  it('requires crud, at $.crud', () => {
    const issues = issuesThrownBy(() => prepare({ action: 'user.login', actor: { id: 'u' } }));
    expect(issues).toEqual([{ path: '$.crud', message: expect.stringContaining('required by Retraced') }]);
  });

  it('refuses a tag containing a comma, at its index', () => {
    const issues = issuesThrownBy(() => prepare({ action: 'a', crud: 'c', tags: ['ok', 'a,b', 'fine', ','] }));
    expect(issues.map((issue) => issue.path)).toEqual(['$.tags[1]', '$.tags[3]']);
    expect(issues[0]?.message).toContain('","');
  });

  it('reports every adapter problem of one event together', () => {
    expect(pathsThrownBy(() => prepare({ action: 'a', tags: ['x,y'] }))).toEqual(['$.crud', '$.tags[0]']);
  });

  it('refuses anonymous: false without an actor (spec/EVENT.md 4.1)', () => {
    expect(pathsThrownBy(() => prepare({ action: 'a', crud: 'c', anonymous: false }))).toEqual(['$.actor']);
  });

  it('reports common-model problems at their paths', () => {
    expect(pathsThrownBy(() => prepare({ action: '', crud: 'c', actor: { id: 'u', mail: 'x' } }))).toEqual(['$.action', '$.actor']);
  });
});

describe('IP addresses (spec/EVENT.md section 6 "IP addresses")', () => {
  const SENT_AS_GIVEN = ['203.0.113.9', '10.0.0.7', '255.255.255.255', '2001:db8::1', '2001:DB8::1', '2001:0db8::0001', '2001:db8:0:0:0:0:0:1', 'fe80::1:2'];
  it.each(SENT_AS_GIVEN)('sends %s as given', (ip) => {
    const wire = wireOf({ action: 'a', crud: 'c', ip });
    expect(wire.source_ip).toBe(ip);
    expect(wire.metadata).toEqual({ severity: 'Info' });
  });

  const FULL_FORM: Array<[string, string]> = [
    ['::1', '0:0:0:0:0:0:0:1'],
    ['::', '0:0:0:0:0:0:0:0'],
    ['1::', '1:0:0:0:0:0:0:0'],
    ['FE80:0000::', 'fe80:0:0:0:0:0:0:0'],
    ['::00AB:1', '0:0:0:0:0:0:ab:1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::1.2.3.4', '0:0:0:0:0:0:102:304'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0:0:0:0:c000:221'],
    ['1:2:3:4:5:6:10.0.0.255', '1:2:3:4:5:6:a00:ff'],
  ];
  it.each(FULL_FORM)('sends %s in full eight-group form as %s', (ip, full) => {
    expect(wireOf({ action: 'a', crud: 'c', ip }).source_ip).toBe(full);
    expect(isRetracedSourceIp(full)).toBe(true);
  });

  it('writes an IPv4-mapped IPv6 address as plain IPv4 (spec/EVENT.md 3.6)', () => {
    expect(wireOf({ action: 'a', crud: 'c', ip: '::ffff:10.0.0.7' }).source_ip).toBe('10.0.0.7');
  });

  it.each(['0.0.0.0', '0.1.2.3'])('carries %s as metadata.source_ip, never as source_ip', (ip) => {
    const wire = wireOf({ action: 'a', crud: 'c', ip });
    expect(wire).not.toHaveProperty('source_ip');
    expect(wire.metadata).toEqual({ severity: 'Info', source_ip: ip });
  });

  it('uses the server patterns: first octet 0, ::1 and 1:: refused; 2001:db8::1 accepted', () => {
    for (const ip of ['2001:db8::1', '10.0.0.7', '1:2:3:4:5:6:7:8', '1.02.3.4']) expect(isRetracedSourceIp(ip), ip).toBe(true);
    for (const ip of ['::1', '1::', '0.0.0.0', '0.1.2.3', '10.0.0.', '256.1.1.1', '1.2.3', 'localhost', '']) expect(isRetracedSourceIp(ip), ip).toBe(false);
  });
});

const NATIVE = {
  action: 'spreadsheet.create',
  crud: 'c',
  group: { id: 'g-1', name: 'Group' },
  actor: { id: 'a-1', name: 'Ann', href: 'https://app.test/a-1', fields: { department: 'ops' } },
  target: { id: 't-1', name: 'Sheet', href: 'https://app.test/t-1', type: 'sheet', fields: { rows: '3' } },
  source_ip: '2001:db8::1',
  description: 'created a sheet',
  component: 'sheets',
  version: 'abc123',
  external_id: 'ext-9',
  is_anonymous: false,
  is_failure: false,
  created: '2026-01-02T04:04:05.6789+01:00',
  fields: { quota: 'ok' },
  metadata: { plan: 'pro' },
};

describe('native Retraced events (spec/EVENT.md 4.4)', () => {
  it('pass through unchanged, with external_id as the receipt id', () => {
    const prepared = prepare(NATIVE);
    expect(prepared.id).toBe('ext-9');
    expect(JSON.parse(prepared.wire)).toEqual(NATIVE);
    // No normalization: created keeps its offset and fraction, no defaults are added.
    expect(prepared.wire).toBe(sortedJson(NATIVE));
  });

  it('reproduce the retraced-wire-event vector of spec/vectors/events.json byte for byte', () => {
    const url = new URL('../../../spec/vectors/events.json', import.meta.url);
    const { vectors } = JSON.parse(readFileSync(url, 'utf8')) as { vectors: Array<{ name: string; json: string; canonical: string; hash: string }> };
    const vector = vectors.find((candidate) => candidate.name === 'retraced-wire-event');
    expect(vector).toBeDefined();
    const prepared = prepare(JSON.parse(vector?.json ?? 'null'));
    expect(prepared).toMatchObject({ id: 'evt-8', wire: vector?.canonical, hash: vector?.hash });
  });

  it('without external_id get a local receipt id that is not sent', () => {
    const native = { action: 'a', crud: 'r', is_anonymous: true, source_ip: '10.0.0.1' };
    const prepared = prepare(native);
    expect(prepared.id).toBe('gen-1');
    expect(prepared.wire).toBe(sortedJson(native));
  });

  it('keep a "__proto__" key in fields and metadata as data', () => {
    const native = JSON.parse('{"action":"a","crud":"c","is_anonymous":true,"fields":{"__proto__":"x"},"metadata":{"__proto__":"y","k":"v"}}') as unknown;
    expect(prepare(native).wire).toBe('{"action":"a","crud":"c","fields":{"__proto__":"x"},"is_anonymous":true,"metadata":{"__proto__":"y","k":"v"}}');
  });

  it('are refused with the native issues when they fail both shapes and carry a key only Retraced knows (spec/EVENT.md 4.4)', () => {
    const issues = issuesThrownBy(() => prepare({ ...NATIVE, source_ip: '::1' }));
    expect(issues.map((issue) => issue.path)).toEqual(['$.source_ip']);
  });

  it('are refused with the common-model issues when no key points to the native shape (a typo stays a typo)', () => {
    const issues = issuesThrownBy(() => prepare({ acton: 'user.login', crud: 'c' }));
    expect(issues).toContainEqual({ path: '$', message: 'unknown key(s): acton' });
  });

  it('are refused when a string is not valid Unicode', () => {
    const error = thrownBy(() => prepare({ action: 'a', crud: 'c', is_anonymous: true, description: 'bad \ud800' }));
    expect(error).toBeInstanceOf(CanonicalizationError);
    expect((error as CanonicalizationError).path).toBe('$.description');
  });
});

describe('RetracedEventSchema: the vendor rules (wire README section 2)', () => {
  function nativeIssues(input: unknown): ValidationIssue[] {
    const result = RetracedEventSchema.safeParse(input);
    expect(result.success).toBe(false);
    return result.success ? [] : toIssues(result.error);
  }
  const base = { action: 'a', crud: 'c', actor: { id: 'u' } };
  const pathsOf = (input: unknown) => nativeIssues(input).map((issue) => issue.path);

  it('accepts the full native example and anonymous events without actor', () => {
    expect(RetracedEventSchema.safeParse(NATIVE).success).toBe(true);
    expect(RetracedEventSchema.safeParse({ action: 'a', crud: 'd', is_anonymous: true }).success).toBe(true);
    expect(RetracedEventSchema.safeParse({ ...base, fields: {}, metadata: {} }).success).toBe(true);
  });

  it('requires action and crud, and crud must be c/r/u/d', () => {
    expect(pathsOf({ crud: 'c', actor: { id: 'u' } })).toEqual(['$.action']);
    expect(pathsOf({ action: 'a', actor: { id: 'u' } })).toEqual(['$.crud']);
    expect(pathsOf({ ...base, crud: 'x' })).toEqual(['$.crud']);
    expect(pathsOf({ ...base, crud: 'C' })).toEqual(['$.crud']);
  });

  it('requires an actor unless is_anonymous is true', () => {
    expect(nativeIssues({ action: 'a', crud: 'c' })).toEqual([{ path: '$.actor', message: expect.stringContaining('is_anonymous') }]);
    expect(pathsOf({ action: 'a', crud: 'c', is_anonymous: false })).toEqual(['$.actor']);
  });

  it('requires id in group, actor and target', () => {
    expect(pathsOf({ ...base, group: {} })).toEqual(['$.group.id']);
    expect(pathsOf({ ...base, actor: { name: 'n' } })).toEqual(['$.actor.id']);
    expect(pathsOf({ ...base, target: { type: 't' } })).toEqual(['$.target.id']);
  });

  it('rejects unknown keys at the top level and inside group, actor and target', () => {
    expect(nativeIssues({ ...base, acton: 'x' })).toEqual([{ path: '$', message: 'unknown key(s): acton' }]);
    expect(nativeIssues({ ...base, group: { id: 'g', type: 'x' } })).toEqual([{ path: '$.group', message: 'unknown key(s): type' }]);
    expect(nativeIssues({ ...base, actor: { id: 'u', email: 'e' } })).toEqual([{ path: '$.actor', message: 'unknown key(s): email' }]);
    expect(nativeIssues({ ...base, target: { id: 't', url: 'u' } })).toEqual([{ path: '$.target', message: 'unknown key(s): url' }]);
  });

  it('rejects empty strings anywhere', () => {
    const empties: Array<[unknown, string]> = [
      [{ ...base, action: '' }, '$.action'],
      [{ ...base, description: '' }, '$.description'],
      [{ ...base, component: '' }, '$.component'],
      [{ ...base, version: '' }, '$.version'],
      [{ ...base, external_id: '' }, '$.external_id'],
      [{ ...base, group: { id: '' } }, '$.group.id'],
      [{ ...base, group: { id: 'g', name: '' } }, '$.group.name'],
      [{ ...base, actor: { id: 'u', href: '' } }, '$.actor.href'],
      [{ ...base, target: { id: 't', type: '' } }, '$.target.type'],
      [{ ...base, fields: { k: '' } }, '$.fields.k'],
      [{ ...base, fields: { '': 'v' } }, '$.fields[""]'],
      [{ ...base, metadata: { k: '' } }, '$.metadata.k'],
      [{ ...base, actor: { id: 'u', fields: { k: '' } } }, '$.actor.fields.k'],
      [{ ...base, target: { id: 't', fields: { k: '' } } }, '$.target.fields.k'],
    ];
    for (const [input, path] of empties) {
      const issues = nativeIssues(input);
      expect(issues.map((issue) => issue.path), path).toEqual([path]);
      expect(issues[0]?.message).toContain('empty');
    }
  });

  it('requires fields and metadata to map strings to strings', () => {
    expect(pathsOf({ ...base, fields: { n: 1 } })).toEqual(['$.fields.n']);
    expect(pathsOf({ ...base, metadata: { b: true, s: 'ok', o: {} } })).toEqual(['$.metadata.b', '$.metadata.o']);
    expect(pathsOf({ ...base, fields: ['a'] })).toEqual(['$.fields']);
    expect(pathsOf({ ...base, metadata: 'k=v' })).toEqual(['$.metadata']);
    expect(pathsOf({ ...base, actor: { id: 'u', fields: { n: null } } })).toEqual(['$.actor.fields.n']);
  });

  it('checks source_ip against the server patterns', () => {
    for (const ip of ['::1', '0.1.2.3', 'not-an-ip', '1::']) {
      expect(nativeIssues({ ...base, source_ip: ip }), ip).toEqual([{ path: '$.source_ip', message: expect.stringContaining('pattern') }]);
    }
    for (const ip of ['2001:db8::1', '10.0.0.7', '0:0:0:0:0:0:0:1']) expect(RetracedEventSchema.safeParse({ ...base, source_ip: ip }).success, ip).toBe(true);
  });

  it('requires created to be an ISO date-time with an offset', () => {
    for (const created of ['yesterday', '2026-01-02', '2026-01-02T03:04:05', '2026-02-30T03:04:05Z', '']) {
      expect(pathsOf({ ...base, created }), created).toEqual(['$.created']);
    }
    for (const created of ['2026-01-02T03:04:05Z', '2026-01-02T03:04:05.123456+05:30']) {
      expect(RetracedEventSchema.safeParse({ ...base, created }).success, created).toBe(true);
    }
  });

  it('requires booleans for is_anonymous and is_failure', () => {
    expect(pathsOf({ ...base, is_failure: 'yes' })).toEqual(['$.is_failure']);
    expect(pathsOf({ ...base, is_anonymous: 1 })).toEqual(['$.is_anonymous']);
  });
});

describe('options and limits', () => {
  it('caps a request at 50 events and well under the 10 MB body limit', () => {
    expect(adapter.name).toBe('retraced');
    expect(adapter.limits.maxBatchSize).toBe(50);
    expect(adapter.limits.maxBatchBytes).toBe(5 * 1024 * 1024);
    expect(adapter.limits.maxBatchBytes * 2).toBeLessThanOrEqual(10_485_760);
  });

  it('defaults to the vendor SDK base URL', () => {
    expect(RETRACED_ENDPOINT).toBe('http://localhost:3000/auditlog');
  });

  it('refuses empty options at their paths', () => {
    expect(pathsThrownBy(() => createRetracedAdapter({ endpoint: BASE, apiKey: '', projectId: 'p' }))).toEqual(['options.apiKey']);
    expect(pathsThrownBy(() => createRetracedAdapter({ endpoint: BASE, apiKey: 'k', projectId: '' }))).toEqual(['options.projectId']);
    expect(pathsThrownBy(() => createRetracedAdapter({ endpoint: BASE, apiKey: '', projectId: '' }))).toEqual(['options.apiKey', 'options.projectId']);
  });

  it('refuses a token that could not travel as a well-formed header', () => {
    for (const apiKey of ['tok\r\nx-injected: 1', 'tok\n', 'tok\u0000', 'tök', 'tok\u2028']) {
      expect(pathsThrownBy(() => createRetracedAdapter({ endpoint: BASE, apiKey, projectId: 'p' })), JSON.stringify(apiKey)).toEqual(['options.apiKey']);
    }
  });

  it('refuses a project id that is not valid Unicode', () => {
    expect(pathsThrownBy(() => createRetracedAdapter({ endpoint: BASE, apiKey: 'k', projectId: 'p\ud800' }))).toEqual(['options.projectId']);
  });

  it('refuses, synchronously, an event larger than the vendor body limit', () => {
    const issues = issuesThrownBy(() => prepare({ action: 'a', crud: 'c', description: 'x'.repeat(10_000_000) }));
    expect(issues).toEqual([{ path: '$', message: expect.stringContaining('10 MB') }]);
  });
});

describe('encode', () => {
  const HEADERS = { 'content-type': 'application/json', accept: 'application/json', authorization: `Token token=${TOKEN}` };
  const context = { signal: new AbortController().signal, exchange: () => Promise.reject(new Error('no side requests')), rejected: undefined };

  function events(count: number): PreparedEvent[] {
    const prepareContext = newContext();
    return Array.from({ length: count }, (_, index) => prepare({ id: `e${index}`, action: 'a', crud: 'c' }, prepareContext));
  }

  it('sends one event to the single endpoint, body = its wire text', async () => {
    const [event] = events(1);
    const request = await adapter.encode([event as PreparedEvent], context);
    expect(request).toEqual({ method: 'POST', url: `${BASE}/publisher/v1/project/proj-1/event`, headers: HEADERS, body: event?.wire });
  });

  it('sends 2..50 events to the bulk endpoint wrapped in {"events":[...]} in order', async () => {
    const batch = events(3);
    const request = await adapter.encode(batch, context);
    expect(request.url).toBe(`${BASE}/publisher/v1/project/proj-1/event/bulk`);
    expect(request.headers).toEqual(HEADERS);
    expect(request.body).toBe(`{"events":[${batch[0]?.wire},${batch[1]?.wire},${batch[2]?.wire}]}`);
    expect(JSON.parse(request.body)).toEqual({ events: batch.map((event) => JSON.parse(event.wire) as unknown) });
    const full = await adapter.encode(events(50), context);
    expect((JSON.parse(full.body) as { events: unknown[] }).events).toHaveLength(50);
  });

  it('never sends an empty bulk nor more than 50 events', () => {
    expect(() => adapter.encode([], context)).toThrow(RangeError);
    expect(() => adapter.encode(events(51), context)).toThrow(RangeError);
  });

  it('encodes the project id as one path segment and tolerates a trailing slash on the base', async () => {
    const other = createRetracedAdapter({ endpoint: `${BASE}/`, apiKey: TOKEN, projectId: 'a b/c?d#e' });
    const request = await other.encode(events(2), context);
    expect(request.url).toBe(`${BASE}/publisher/v1/project/a%20b%2Fc%3Fd%23e/event/bulk`);
  });
});

describe('decode', () => {
  function respond(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
    return { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
  }

  /** 32 lowercase hex characters, like the ids the server assigns (a UUID without dashes). */
  function serverId(index: number): string {
    return createHash('md5').update(`event-${index}`).digest('hex');
  }

  /** What a correct Retraced server answers: the vendor's computeHash over each event under a fresh id. */
  function created(batch: readonly PreparedEvent[]): Array<{ id: string; hash: string }> {
    return batch.map((event, index) => {
      const id = serverId(index);
      const oracle = retracedOracle(JSON.parse(event.wire), id);
      if (!oracle.ok) throw new Error('oracle refused a prepared event');
      return { id, hash: oracle.hash };
    });
  }

  function perEvent(result: BatchResult) {
    expect(result.kind).toBe('per-event');
    if (result.kind !== 'per-event') throw new Error('unreachable');
    return result;
  }

  function requestFailed(result: BatchResult) {
    expect(result.kind).toBe('request-failed');
    if (result.kind !== 'request-failed') throw new Error('unreachable');
    return result.error;
  }

  const context = newContext();
  const single = [prepare(FULL_EVENT, context)];
  const bulk = [prepare({ id: 'b0', action: 'x:y', crud: 'c', ip: '::1' }, context), prepare(NATIVE, context), prepare({ id: 'b2', action: 'z', crud: 'd', fields: { '%': ';' } }, context)];

  it('reads a single 201 {id, hash}, computing the local hash with the server id as the vendor does', () => {
    const [reply] = created(single);
    const result = perEvent(adapter.decode(respond(201, reply), single));
    expect(result.resend).toEqual([]);
    expect(result.outcomes.get(0)).toEqual({ ok: true, serverId: reply?.id, serverHash: reply?.hash, localHash: reply?.hash });
  });

  it('accepts 200 as success too', () => {
    const [reply] = created(single);
    expect(perEvent(adapter.decode(respond(200, reply), single)).outcomes.get(0)).toMatchObject({ ok: true, serverId: reply?.id });
  });

  it('reads a bulk 201 list in input order, each local hash under its own server id', () => {
    const replies = created(bulk);
    const result = perEvent(adapter.decode(respond(201, replies), bulk));
    expect([...result.outcomes.keys()]).toEqual([0, 1, 2]);
    bulk.forEach((_event, index) => {
      expect(result.outcomes.get(index)).toEqual({ ok: true, serverId: replies[index]?.id, serverHash: replies[index]?.hash, localHash: replies[index]?.hash });
    });
    // The hash binds the server id: the same event under another id hashes differently, so order matters.
    const elsewhere = retracedOracle(JSON.parse(bulk[0]?.wire ?? ''), serverId(1));
    expect(elsewhere.ok && elsewhere.hash).not.toBe(replies[0]?.hash);
  });

  it('reports a wrong server hash as such: localHash stays the correct one', () => {
    const replies = created(bulk).map((reply, index) => (index === 1 ? { ...reply, hash: '0'.repeat(64) } : reply));
    const outcome = perEvent(adapter.decode(respond(201, replies), bulk)).outcomes.get(1);
    expect(outcome).toMatchObject({ ok: true, serverHash: '0'.repeat(64) });
    expect(outcome?.ok === true && outcome.localHash).toBe(created(bulk)[1]?.hash);
  });

  it('accepts a success entry without hash (nothing to verify)', () => {
    const outcome = perEvent(adapter.decode(respond(201, { id: 'abc' }), single)).outcomes.get(0);
    expect(outcome).toEqual({ ok: true, serverId: 'abc', serverHash: undefined, localHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it.each([
    ['a list shorter than the batch', (replies: unknown[]) => replies.slice(1)],
    ['a list longer than the batch', (replies: unknown[]) => [...replies, replies[0]]],
    ['an entry without id', (replies: unknown[]) => replies.map((reply, index) => (index === 2 ? { hash: 'h' } : reply))],
    ['an entry with an empty id', (replies: unknown[]) => replies.map((reply, index) => (index === 0 ? { id: '', hash: 'h' } : reply))],
    ['an entry with a numeric id', (replies: unknown[]) => replies.map((reply, index) => (index === 0 ? { id: 7, hash: 'h' } : reply))],
    ['an object instead of a list', (replies: unknown[]) => replies[0]],
  ])('fails an unreadable bulk success (%s) without retrying: the server stored something', (_name, mangle) => {
    const error = requestFailed(adapter.decode(respond(201, mangle(created(bulk))), bulk));
    expect(error).toMatchObject({ status: 201, retryable: false, message: expect.stringContaining('unreadable success reply') });
  });

  it('fails an unreadable single success without retrying', () => {
    for (const body of ['', 'not json', '[]', 'null', '{"hash":"h"}']) {
      expect(requestFailed(adapter.decode(respond(201, body), single)), body).toMatchObject({ status: 201, retryable: false });
    }
  });

  it('fails only the events a bulk 400 names in invalid[], and resends the others', () => {
    const body = {
      status: 400,
      type: 'Error',
      error: "One or more invalid inputs, no events were logged:\n- Invalid event input at index 1:\n-- Missing required field 'crud'",
      invalid: [
        {
          message: "Invalid event input at index 1:\n-- Missing required field 'crud'\n-- Field 'group.id' is required if 'group' is present",
          index: 1,
          violations: [
            { message: "Missing required field 'crud'", field: 'crud', violation: 'missing' },
            { message: "Field 'group.id' is required if 'group' is present", field: 'group.id', violation: 'missing' },
          ],
        },
      ],
    };
    const result = perEvent(adapter.decode(respond(400, body), bulk));
    expect(result.resend).toEqual([0, 2]);
    expect([...result.outcomes.keys()]).toEqual([1]);
    const outcome = result.outcomes.get(1);
    expect(outcome?.ok).toBe(false);
    const error = outcome?.ok === false ? outcome.error : undefined;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error?.issues).toEqual([
      { path: '$.crud', message: "refused by Retraced: Missing required field 'crud'" },
      { path: '$.group.id', message: "refused by Retraced: Field 'group.id' is required if 'group' is present" },
    ]);
    expect(error?.message).toContain("Missing required field 'crud'");
  });

  it("uses an invalid[] entry's own message when it lists no violations", () => {
    const body = { status: 400, invalid: [{ message: 'Invalid event input at index 0', index: 0 }, { message: 'second', index: 2, violations: [] }] };
    const result = perEvent(adapter.decode(respond(400, body), bulk));
    expect(result.resend).toEqual([1]);
    const first = result.outcomes.get(0);
    expect(first?.ok === false && first.error.issues).toEqual([{ path: '$', message: 'refused by Retraced: Invalid event input at index 0' }]);
    const third = result.outcomes.get(2);
    expect(third?.ok === false && third.error.issues).toEqual([{ path: '$', message: 'refused by Retraced: second' }]);
  });

  it('treats a 400 whose invalid[] names no event of the batch as a request failure', () => {
    for (const invalid of [[], [{ index: 3, message: 'm' }], [{ index: -1 }], [{ index: '1' }], [{ index: 1.5 }], 'x']) {
      const error = requestFailed(adapter.decode(respond(400, { status: 400, error: 'bad', invalid }), bulk));
      expect(error, JSON.stringify(invalid)).toMatchObject({ status: 400, retryable: false });
    }
  });

  it('fails the whole request on the over-50 400, not retryable', () => {
    const body = { status: 400, type: 'Error', error: 'A maximum of 50 events may be created at once, received 51' };
    const error = requestFailed(adapter.decode(respond(400, body), bulk));
    expect(error).toMatchObject({ status: 400, retryable: false, message: expect.stringContaining('A maximum of 50 events may be created at once') });
  });

  it('fails a single-event 400 (no invalid[]) as a request with the vendor message', () => {
    const body = { status: 400, type: 'Error', error: "Missing required field 'crud'" };
    expect(requestFailed(adapter.decode(respond(400, body), single))).toMatchObject({ status: 400, retryable: false, message: expect.stringContaining("Missing required field 'crud'") });
  });

  it('fails 401 without retrying and 500/503 with retrying (Retry-After read)', () => {
    expect(requestFailed(adapter.decode(respond(401, { status: 401, type: 'Error', error: 'Invalid token' }), bulk))).toMatchObject({ status: 401, retryable: false });
    expect(requestFailed(adapter.decode(respond(500, '<html>error</html>'), single))).toMatchObject({ status: 500, retryable: true });
    expect(requestFailed(adapter.decode(respond(503, '', { 'retry-after': '7' }), single))).toMatchObject({ status: 503, retryable: true, retryAfterMs: 7000 });
  });
});
