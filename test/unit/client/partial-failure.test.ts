import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/index.js';
import { accept, MockAuditLog, newClient, rejectionOf, status, useMockAuditLog } from '../../helpers/client.js';
import { captureWarnings } from '../../helpers/warnings.js';

// Failures here are on purpose and heard by no listener: their process warnings are captured, not printed.
captureWarnings();

let server: MockAuditLog;

useMockAuditLog((mock) => (server = mock));

const VENDOR_400 = {
  statusCode: 400,
  message: 'Validation failed',
  details: { '[1].client.uuid': 'client.uuid must be shorter than or equal to 120 characters' },
};

/** Three events sent in one tick, so they leave as one batch. */
function sendThree(client: ReturnType<typeof newClient>) {
  return [
    client.sendAudit({ id: 'evt-0', action: 'doc.create' }),
    client.sendAudit({ id: 'evt-1', action: 'doc.update' }),
    client.sendAudit({ id: 'evt-2', action: 'doc.delete' }),
  ] as const;
}

describe('a 400 whose details name one event of the batch', () => {
  it('rejects only that event with a ValidationError carrying the vendor text', async () => {
    server.reply(status(400, VENDOR_400)).reply(accept());
    const client = newClient();
    const [first, second, third] = sendThree(client);
    const error = await rejectionOf(second);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain('client.uuid must be shorter than or equal to 120 characters');
    expect((error as ValidationError).issues).toEqual([
      { path: '$.client.uuid', message: expect.stringContaining('client.uuid must be shorter than or equal to 120 characters') },
    ]);
    await expect(first).resolves.toMatchObject({ id: 'evt-0', serverId: 'srv-evt-0', verified: true });
    await expect(third).resolves.toMatchObject({ id: 'evt-2', serverId: 'srv-evt-2', verified: true });
  });

  it('resends the other two, and only them, in a second request', async () => {
    server.reply(status(400, VENDOR_400)).reply(accept());
    const client = newClient();
    const sends = sendThree(client);
    await Promise.allSettled(sends);
    expect(server.uuids).toEqual([
      ['evt-0', 'evt-1', 'evt-2'],
      ['evt-0', 'evt-2'],
    ]);
    // The resent elements are byte-for-byte the ones first sent.
    expect(server.requests[1]?.events).toEqual([server.requests[0]?.events[0], server.requests[0]?.events[2]]);
  });

  it('counts both requests in the attempts of the resent events', async () => {
    server.reply(status(400, VENDOR_400)).reply(accept());
    const client = newClient();
    const [first, , third] = sendThree(client);
    expect((await first).attempts).toBe(2);
    expect((await third).attempts).toBe(2);
  });

  it("reports the refused event through 'failed' with its id, and updates the counters", async () => {
    server.reply(status(400, VENDOR_400)).reply(accept());
    const client = newClient();
    const failed: Array<[unknown, string]> = [];
    client.on('failed', (error, eventId) => failed.push([error, eventId]));
    await Promise.allSettled(sendThree(client));
    expect(failed).toHaveLength(1);
    expect(failed[0]?.[1]).toBe('evt-1');
    expect(failed[0]?.[0]).toBeInstanceOf(ValidationError);
    expect(client.stats()).toMatchObject({ accepted: 3, delivered: 2, failed: 1, mismatched: 0 });
  });

  it('rejects every event that the details name, and resends the rest', async () => {
    server
      .reply(status(400, { statusCode: 400, message: 'Validation failed', details: { '[0].actor.uuid': 'too long', '[2].time': 'not a date' } }))
      .reply(accept());
    const client = newClient();
    const [first, second, third] = sendThree(client);
    expect(((await rejectionOf(first)) as ValidationError).issues).toEqual([{ path: '$.actor.uuid', message: expect.stringContaining('too long') }]);
    expect(((await rejectionOf(third)) as ValidationError).issues).toEqual([{ path: '$.time', message: expect.stringContaining('not a date') }]);
    await expect(second).resolves.toMatchObject({ id: 'evt-1', attempts: 2 });
    expect(server.uuids).toEqual([['evt-0', 'evt-1', 'evt-2'], ['evt-1']]);
  });

  it('sends no second request when every event of the batch was refused', async () => {
    server.reply(status(400, { statusCode: 400, message: 'Validation failed', details: { '[0].uuid': 'bad', '[1].uuid': 'bad', '[2].uuid': 'bad' } }));
    const client = newClient();
    const results = await Promise.allSettled(sendThree(client));
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(server.requests).toHaveLength(1);
  });
});
