import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/index.js';
import { accept, API_KEY, ENDPOINT, EVENTS_PATH, hashOfElement, MockAuditLog, newClient, SERVER, useMockAuditLog } from '../../helpers/client.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let server: MockAuditLog;

useMockAuditLog((mock) => (server = mock));

/** Sends one event through a fresh client and returns the receipt and the single element the server received. */
async function sendOne(event: AuditEvent) {
  server.reply(accept());
  const client = newClient();
  const receipt = await client.sendAudit(event);
  expect(server.requests).toHaveLength(1);
  const [element] = server.requests[0]?.events ?? [];
  expect(server.requests[0]?.events).toHaveLength(1);
  return { receipt, element: element as Record<string, unknown> };
}

describe('the HTTP request to AuditLog.co', () => {
  it('is a POST to /api/v1/events with the key in x-api-key and a JSON content type', async () => {
    await sendOne({ action: 'user.login' });
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`${ENDPOINT}${EVENTS_PATH}`);
    expect(request?.headers['x-api-key']).toBe(API_KEY);
    expect(request?.headers['content-type']).toBe('application/json');
  });

  it('carries the key only in x-api-key, never in the URL or an Authorization header', async () => {
    await sendOne({ action: 'user.login' });
    const [request] = server.requests;
    expect(request?.url).not.toContain('secret');
    expect(request?.headers.authorization).toBeUndefined();
  });

  it('has a JSON array body even for a single event', async () => {
    await sendOne({ action: 'user.login' });
    expect(Array.isArray(JSON.parse(server.requests[0]?.body ?? 'null'))).toBe(true);
  });

  it('carries every event of a batch as one array element, in the order they were sent', async () => {
    server.reply(accept());
    const client = newClient();
    const receipts = await Promise.all([
      client.sendAudit({ id: 'evt-a', action: 'a.one' }),
      client.sendAudit({ id: 'evt-b', action: 'a.two' }),
      client.sendAudit({ id: 'evt-c', action: 'a.three' }),
    ]);
    expect(server.uuids).toEqual([['evt-a', 'evt-b', 'evt-c']]);
    expect(receipts.map((receipt) => receipt.serverId)).toEqual(['srv-evt-a', 'srv-evt-b', 'srv-evt-c']);
  });
});

describe('the mapping of a common event to an AuditLog.co element (spec/EVENT.md section 5)', () => {
  it('maps a full event field by field and drops what the format cannot carry', async () => {
    const { element } = await sendOne({
      id: 'evt-full-1',
      action: 'invoice.update',
      time: '2024-05-01T12:00:00.123456+02:00',
      tenant: { id: 'tenant-7', name: 'Acme' },
      actor: { id: 'user-42', name: 'Zoë', email: 'zoe@example.com' },
      target: { id: 'inv-9', type: 'invoice', name: 'Invoice 9', url: 'https://app.example.com/invoices/9' },
      outcome: 'failure',
      anonymous: false,
      crud: 'u',
      severity: 'High',
      description: 'Changed the amount',
      url: 'https://app.example.com/invoices/9/edit',
      ip: '203.0.113.9',
      userAgent: 'curl/8.0',
      location: 'Berlin',
      device: 'laptop',
      timezone: 'Europe/Berlin',
      fields: { reason: 'typo' },
      tags: ['billing'],
    });
    expect(element).toStrictEqual({
      uuid: 'evt-full-1',
      time: '2024-05-01T10:00:00.123Z',
      action: 'invoice.update',
      description: 'Changed the amount',
      url: 'https://app.example.com/invoices/9/edit',
      client: { uuid: 'tenant-7', name: 'Acme' },
      actor: { uuid: 'user-42', name: 'Zoë', email: 'zoe@example.com' },
      context: {
        client: { ipAddress: '203.0.113.9', browserAgent: 'curl/8.0' },
        server: { serverId: SERVER.id, version: SERVER.version },
      },
      target: { type: 'invoice', uuid: 'inv-9', label: 'Invoice 9', url: 'https://app.example.com/invoices/9' },
    });
  });

  it('sends the sentinels for a minimal event: client "default", the anonymous actor, and context.server only', async () => {
    const { element } = await sendOne({ id: 'evt-min', action: 'user.login', time: '2024-01-02T03:04:05Z' });
    expect(element).toStrictEqual({
      uuid: 'evt-min',
      time: '2024-01-02T03:04:05.000Z',
      action: 'user.login',
      client: { uuid: 'default' },
      actor: { uuid: 'anonymous', name: 'Anonymous' },
      context: { server: { serverId: SERVER.id, version: SERVER.version } },
    });
  });

  it('writes a Date time as UTC with three fraction digits', async () => {
    const { element } = await sendOne({ action: 'user.login', time: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)) });
    expect(element.time).toBe('2024-01-02T03:04:05.006Z');
  });

  it('truncates extra fraction digits instead of rounding them when converting to UTC', async () => {
    const { element } = await sendOne({ action: 'user.login', time: '2024-01-02T03:04:05.6789-05:30' });
    expect(element.time).toBe('2024-01-02T08:34:05.678Z');
  });

  it('stamps an event without a time with the current time in the canonical spelling', async () => {
    const before = Date.now();
    const { element } = await sendOne({ action: 'user.login' });
    expect(element.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const sent = Date.parse(String(element.time));
    expect(sent).toBeGreaterThanOrEqual(before);
    expect(sent).toBeLessThanOrEqual(Date.now());
  });

  it('writes an IPv4-mapped IPv6 address as plain IPv4 in context.client.ipAddress', async () => {
    const { element } = await sendOne({ action: 'user.login', ip: '::ffff:10.0.0.7' });
    expect(element.context).toStrictEqual({ client: { ipAddress: '10.0.0.7' }, server: { serverId: SERVER.id, version: SERVER.version } });
  });

  it('omits context.client entirely for an IPv6 address with no user agent', async () => {
    const { element } = await sendOne({ action: 'user.login', ip: '2001:db8::1' });
    expect(element.context).toStrictEqual({ server: { serverId: SERVER.id, version: SERVER.version } });
  });

  it('keeps the user agent but not an IPv6 address in context.client', async () => {
    const { element } = await sendOne({ action: 'user.login', ip: '2001:db8::1', userAgent: 'Mozilla/5.0' });
    expect(element.context).toStrictEqual({ client: { browserAgent: 'Mozilla/5.0' }, server: { serverId: SERVER.id, version: SERVER.version } });
  });

  it('defaults target.type to "resource" and maps target.name to label', async () => {
    const { element } = await sendOne({ action: 'doc.read', target: { id: 'doc-1', name: 'Plan' } });
    expect(element.target).toStrictEqual({ type: 'resource', uuid: 'doc-1', label: 'Plan' });
  });

  it('omits a relative url and a relative target.url instead of sending them', async () => {
    const { element } = await sendOne({ action: 'doc.read', url: '/invoices/42', target: { id: 'doc-1', url: '/docs/1' } });
    expect(element).not.toHaveProperty('url');
    expect(element.target).toStrictEqual({ type: 'resource', uuid: 'doc-1' });
  });

  it('omits empty optional strings rather than sending ""', async () => {
    const { element } = await sendOne({ action: 'doc.read', description: '', tenant: { id: 't-1', name: '' }, actor: { id: 'u-1', email: '' } });
    expect(element).not.toHaveProperty('description');
    expect(element.client).toStrictEqual({ uuid: 't-1' });
    expect(element.actor).toStrictEqual({ uuid: 'u-1' });
  });

  it('takes context.server from the server option', async () => {
    server.reply(accept());
    const client = newClient({ server: { id: 'worker-3', version: '9.9.9' } });
    await client.sendAudit({ action: 'job.run' });
    expect(server.requests[0]?.events[0]?.context).toStrictEqual({ server: { serverId: 'worker-3', version: '9.9.9' } });
  });
});

describe('the receipt', () => {
  it('reports the event id, the hash of the element as sent, and what the server returned', async () => {
    const { receipt, element } = await sendOne({ id: 'evt-r1', action: 'user.login', actor: { id: 'user-1' } });
    const expectedHash = hashOfElement(element);
    expect(receipt).toStrictEqual({
      id: 'evt-r1',
      hash: expectedHash,
      serverHash: expectedHash,
      serverId: 'srv-evt-r1',
      verified: true,
      attempts: 1,
      adapter: 'auditlog',
    });
  });

  it('accepts the PascalCase ReceivedEvents spelling from the vendor docs', async () => {
    server.reply(accept({ pascalCase: true }));
    const client = newClient();
    const receipt = await client.sendAudit({ id: 'evt-pascal', action: 'user.login' });
    expect(receipt.serverId).toBe('srv-evt-pascal');
    expect(receipt.verified).toBe(true);
  });

  it('resolves unverified when the server, like the real vendor, returns no hash', async () => {
    server.reply(accept({ hash: 'none' }));
    const client = newClient();
    const receipt = await client.sendAudit({ id: 'evt-nohash', action: 'user.login' });
    expect(receipt.serverHash).toBeUndefined();
    expect(receipt.verified).toBe(false);
    expect(receipt.hash).toBe(hashOfElement(server.requests[0]?.events[0]));
  });

  it('matches receipts by the echoed uuid when the server lists them in another order', async () => {
    server.reply(async (request) => {
      const [status, body] = await accept()(request);
      const { receivedEvents } = body as { receivedEvents: unknown[] };
      return [status, { receivedEvents: [...receivedEvents].reverse() }];
    });
    const client = newClient({ maxBatchSize: 3 });
    const receipts = await Promise.all(['evt-1', 'evt-2', 'evt-3'].map((id) => client.sendAudit({ id, action: 'user.login' })));
    expect(server.requests).toHaveLength(1);
    expect(receipts.map((receipt) => [receipt.id, receipt.serverId, receipt.verified])).toEqual([
      ['evt-1', 'srv-evt-1', true],
      ['evt-2', 'srv-evt-2', true],
      ['evt-3', 'srv-evt-3', true],
    ]);
  });

  it('fires a delivered event carrying the receipt', async () => {
    server.reply(accept());
    const client = newClient();
    const delivered: unknown[] = [];
    client.on('delivered', (receipt) => delivered.push(receipt));
    const receipt = await client.sendAudit({ action: 'user.login' });
    expect(delivered).toEqual([receipt]);
  });
});

describe('the event id', () => {
  it('is kept as given', async () => {
    const { receipt, element } = await sendOne({ id: 'my-own-id-123', action: 'user.login' });
    expect(element.uuid).toBe('my-own-id-123');
    expect(receipt.id).toBe('my-own-id-123');
  });

  it('is a generated UUID v4 when absent, the same in the body and the receipt', async () => {
    const { receipt, element } = await sendOne({ action: 'user.login' });
    expect(receipt.id).toMatch(UUID_V4);
    expect(element.uuid).toBe(receipt.id);
  });

  it('is generated afresh for every event that brings none', async () => {
    server.reply(accept());
    const client = newClient();
    const [first, second] = await Promise.all([client.sendAudit({ action: 'a.b' }), client.sendAudit({ action: 'a.b' })]);
    expect(first?.id).toMatch(UUID_V4);
    expect(second?.id).toMatch(UUID_V4);
    expect(first?.id).not.toBe(second?.id);
  });
});

describe('the snapshot taken by sendAudit', () => {
  it('sends the event as it was at the call, whatever the caller mutates afterwards', async () => {
    server.reply(accept());
    const client = newClient();
    const event = {
      id: 'evt-snap',
      action: 'user.login',
      actor: { id: 'user-1', name: 'Before' },
      target: { id: 'doc-1', name: 'Original' },
      description: 'original',
    };
    const sending = client.sendAudit(event);
    // The request leaves on a later macrotask, so these writes happen before anything is serialized for the wire
    // unless the client took its copy at the call.
    event.action = 'user.logout';
    event.actor.name = 'After';
    event.target.name = 'Mutated';
    event.description = 'mutated';
    const receipt = await sending;
    const element = server.requests[0]?.events[0];
    expect(element).toMatchObject({
      uuid: 'evt-snap',
      action: 'user.login',
      description: 'original',
      actor: { uuid: 'user-1', name: 'Before' },
      target: { uuid: 'doc-1', label: 'Original' },
    });
    expect(receipt.hash).toBe(hashOfElement(element));
  });
});
