import { describe, expect, it, vi } from 'vitest';
import { HashMismatchError } from '../../../src/index.js';
import { accept, hashOfElement, MockAuditLog, newClient, rejectionOf, useMockAuditLog } from '../../helpers/client.js';
import { captureWarnings } from '../../helpers/warnings.js';

// Failures here are on purpose and heard by no listener: their process warnings are captured, not printed.
captureWarnings();

let server: MockAuditLog;

useMockAuditLog((mock) => (server = mock));

const WRONG_HASH = 'f'.repeat(64);

describe("verify: 'when-present' (the default)", () => {
  it('resolves verified when the server hash matches the local one', async () => {
    server.reply(accept({ hash: 'match' }));
    const client = newClient();
    const receipt = await client.sendAudit({ id: 'evt-ok', action: 'user.login' });
    const expected = hashOfElement(server.requests[0]?.events[0]);
    expect(receipt).toMatchObject({ verified: true, hash: expected, serverHash: expected });
    expect(client.stats().mismatched).toBe(0);
  });

  it('leaves a matching server hash whole even where part of it spells a secret', async () => {
    server.always(accept({ hash: 'match' }));
    const event = { id: 'evt-hash', action: 'user.login', time: '2026-01-02T03:04:05.000Z' } as const;
    const first = newClient();
    const { hash } = await first.sendAudit(event);
    await first.close();
    // The secret half of a consumerId:secret key (8 hex characters) is masked wherever it appears: not in a digest.
    const client = newClient({ apiKey: `consumer:${hash.slice(5, 13)}` });
    const receipt = await client.sendAudit(event);
    expect(receipt).toMatchObject({ verified: true, hash, serverHash: hash });
    await client.close();
  });

  it('accepts a server hash written in uppercase hex', async () => {
    server.reply(accept({ hash: (element) => hashOfElement(element).toUpperCase() }));
    const client = newClient();
    const receipt = await client.sendAudit({ action: 'user.login' });
    expect(receipt.verified).toBe(true);
  });

  it('rejects with HashMismatchError carrying local, remote and eventId when the server hash differs', async () => {
    server.reply(accept({ hash: () => WRONG_HASH }));
    const client = newClient();
    const error = await rejectionOf(client.sendAudit({ id: 'evt-bad', action: 'user.login' }));
    expect(error).toBeInstanceOf(HashMismatchError);
    const mismatch = error as HashMismatchError;
    expect(mismatch.code).toBe('HASH_MISMATCH');
    expect(mismatch.eventId).toBe('evt-bad');
    expect(mismatch.local).toBe(hashOfElement(server.requests[0]?.events[0]));
    expect(mismatch.remote).toBe(WRONG_HASH);
    expect(mismatch.retryable).toBe(false);
  });

  it("fires 'hashMismatch' and 'failed' with the same error", async () => {
    server.reply(accept({ hash: () => WRONG_HASH }));
    const client = newClient();
    const onMismatch = vi.fn();
    const onFailed = vi.fn();
    client.on('hashMismatch', onMismatch);
    client.on('failed', onFailed);
    const error = await rejectionOf(client.sendAudit({ id: 'evt-bad', action: 'user.login' }));
    expect(onMismatch).toHaveBeenCalledTimes(1);
    expect(onMismatch).toHaveBeenCalledWith(error);
    expect(onFailed).toHaveBeenCalledWith(error, 'evt-bad');
  });

  it('does not resend an event whose hash did not match (the server already stored it)', async () => {
    server.always(accept({ hash: () => WRONG_HASH }));
    const client = newClient();
    const retried = vi.fn();
    client.on('retry', retried);
    await rejectionOf(client.sendAudit({ action: 'user.login' }));
    await client.flush();
    expect(server.requests).toHaveLength(1);
    expect(retried).not.toHaveBeenCalled();
  });

  it('fails only the mismatched event of a batch', async () => {
    server.reply(accept({ hash: (element, index) => (index === 1 ? WRONG_HASH : hashOfElement(element)) }));
    const client = newClient();
    const results = await Promise.allSettled([
      client.sendAudit({ id: 'evt-0', action: 'a.b' }),
      client.sendAudit({ id: 'evt-1', action: 'a.b' }),
      client.sendAudit({ id: 'evt-2', action: 'a.b' }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(HashMismatchError);
    expect(server.requests).toHaveLength(1);
  });

  it('resolves unverified when the server returns no hash', async () => {
    server.reply(accept({ hash: 'none' }));
    const client = newClient({ verify: 'when-present' });
    const receipt = await client.sendAudit({ action: 'user.login' });
    expect(receipt.verified).toBe(false);
    expect(receipt.serverHash).toBeUndefined();
    expect(receipt.hash).toBe(hashOfElement(server.requests[0]?.events[0]));
  });

  it('counts every mismatch in stats().mismatched (and in failed)', async () => {
    server.reply(accept({ hash: () => WRONG_HASH })).reply(accept({ hash: () => WRONG_HASH })).reply(accept());
    const client = newClient();
    await rejectionOf(client.sendAudit({ action: 'a.b' }));
    await rejectionOf(client.sendAudit({ action: 'a.b' }));
    await client.sendAudit({ action: 'a.b' });
    expect(client.stats()).toMatchObject({ mismatched: 2, failed: 2, delivered: 1 });
  });
});

describe("verify: 'require'", () => {
  it('rejects with HashMismatchError whose remote is undefined when the server returns no hash', async () => {
    server.reply(accept({ hash: 'none' }));
    const client = newClient({ verify: 'require' });
    const error = await rejectionOf(client.sendAudit({ id: 'evt-req', action: 'user.login' }));
    expect(error).toBeInstanceOf(HashMismatchError);
    expect((error as HashMismatchError).remote).toBeUndefined();
    expect((error as HashMismatchError).eventId).toBe('evt-req');
    expect((error as HashMismatchError).local).toBe(hashOfElement(server.requests[0]?.events[0]));
    expect(server.requests).toHaveLength(1);
    expect(client.stats().mismatched).toBe(1);
  });

  it('resolves verified when the server hash matches', async () => {
    server.reply(accept({ hash: 'match' }));
    const client = newClient({ verify: 'require' });
    await expect(client.sendAudit({ action: 'user.login' })).resolves.toMatchObject({ verified: true });
  });
});

describe("verify: 'off'", () => {
  it('resolves unverified even when the server hash is wrong', async () => {
    server.reply(accept({ hash: () => WRONG_HASH }));
    const client = newClient({ verify: 'off' });
    const onMismatch = vi.fn();
    client.on('hashMismatch', onMismatch);
    const receipt = await client.sendAudit({ action: 'user.login' });
    expect(receipt.verified).toBe(false);
    expect(receipt.serverHash).toBe(WRONG_HASH);
    expect(onMismatch).not.toHaveBeenCalled();
    expect(client.stats().mismatched).toBe(0);
  });

  it('resolves unverified even when the server hash matches', async () => {
    server.reply(accept({ hash: 'match' }));
    const client = newClient({ verify: 'off' });
    const receipt = await client.sendAudit({ action: 'user.login' });
    expect(receipt.verified).toBe(false);
    expect(receipt.serverHash).toBe(receipt.hash);
  });
});

describe('events that share an id', () => {
  // Regression: outcomes were keyed by event id, so the second event's server hash was checked against the first.
  it('are each verified against their own entry of the reply when they travel in one batch', async () => {
    server.reply(accept({ hash: 'match' }));
    const client = newClient();
    const receipts = await Promise.all([
      client.sendAudit({ id: 'same-id', action: 'user.login' }),
      client.sendAudit({ id: 'same-id', action: 'user.logout' }),
    ]);
    expect(server.uuids).toEqual([['same-id', 'same-id']]);
    expect(receipts.map((receipt) => receipt.verified)).toEqual([true, true]);
    expect(receipts[0]?.hash).not.toBe(receipts[1]?.hash);
  });
});
