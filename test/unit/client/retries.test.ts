import { describe, expect, it, vi } from 'vitest';
import { AuthenticationError, DeliveryError, TimeoutError, type RetryInfo } from '../../../src/index.js';
import { accept, connectionReset, MockAuditLog, newClient, rejectionOf, stateOf, status, useFakeTimers, useMockAuditLog } from '../../helpers/client.js';
import { captureWarnings } from '../../helpers/warnings.js';

// Failures here are on purpose and heard by no listener: their process warnings are captured, not printed.
captureWarnings();

let server: MockAuditLog;

useMockAuditLog((mock) => (server = mock));

describe('a retryable failure', () => {
  it('is retried: a 503 then a 200 resolves with attempts 2 and emits one retry event', async () => {
    server.reply(status(503, { statusCode: 503, message: 'busy' })).reply(accept());
    const client = newClient();
    const retries: RetryInfo[] = [];
    client.on('retry', (info) => retries.push(info));
    const receipt = await client.sendAudit({ id: 'evt-503', action: 'user.login' });
    expect(receipt.attempts).toBe(2);
    expect(receipt.verified).toBe(true);
    expect(server.requests).toHaveLength(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, eventIds: ['evt-503'] });
    expect(retries[0]?.error).toBeInstanceOf(DeliveryError);
    expect((retries[0]?.error as DeliveryError).status).toBe(503);
    expect(client.stats().retried).toBe(1);
  });

  it('sends the same event bytes, and so the same uuid, on every attempt', async () => {
    server.reply(status(503)).reply(status(502)).reply(accept());
    const client = newClient();
    const receipt = await client.sendAudit({ action: 'user.login' });
    expect(server.requests).toHaveLength(3);
    expect(server.uuids).toEqual([[receipt.id], [receipt.id], [receipt.id]]);
    expect(new Set(server.requests.map((request) => request.body)).size).toBe(1);
  });

  it.each([408, 429, 500, 502, 504])('retries an HTTP %i', async (code) => {
    server.reply(status(code)).reply(accept());
    const client = newClient();
    const receipt = await client.sendAudit({ action: 'user.login' });
    expect(receipt.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  it('retries a network error (the connection is reset)', async () => {
    server.failWith(connectionReset()).reply(accept());
    const client = newClient();
    const retries: RetryInfo[] = [];
    client.on('retry', (info) => retries.push(info));
    const receipt = await client.sendAudit({ id: 'evt-reset', action: 'user.login' });
    expect(receipt.attempts).toBe(2);
    expect(server.uuids).toEqual([['evt-reset'], ['evt-reset']]);
    expect(retries).toHaveLength(1);
    expect(retries[0]?.error).toBeInstanceOf(DeliveryError);
    expect((retries[0]?.error as DeliveryError).status).toBeUndefined();
  });

  it('is retried at most retry.maxRetries times, then rejects with the last status', async () => {
    server.always(status(503, { statusCode: 503, message: 'still busy' }));
    const client = newClient({ retry: { maxRetries: 2 } });
    const retries: RetryInfo[] = [];
    client.on('retry', (info) => retries.push(info));
    const error = await rejectionOf(client.sendAudit({ action: 'user.login' }));
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).status).toBe(503);
    expect((error as DeliveryError).retryable).toBe(true);
    expect(server.requests).toHaveLength(3);
    expect(retries.map((info) => info.attempt)).toEqual([1, 2]);
  });

  it('is not retried at all with retry.maxRetries 0', async () => {
    server.always(status(503));
    const client = newClient({ retry: { maxRetries: 0 } });
    const error = await rejectionOf(client.sendAudit({ action: 'user.login' }));
    expect((error as DeliveryError).status).toBe(503);
    expect(server.requests).toHaveLength(1);
  });
});

describe('a failure that cannot succeed later', () => {
  it('is not retried: a 400 without details rejects with DeliveryError status 400 after one request', async () => {
    server.always(status(400, { statusCode: 400, message: 'Bad Request' }));
    const client = newClient();
    const error = await rejectionOf(client.sendAudit({ action: 'user.login' }));
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).not.toBeInstanceOf(AuthenticationError);
    expect((error as DeliveryError).status).toBe(400);
    expect((error as DeliveryError).retryable).toBe(false);
    expect((error as DeliveryError).body).toContain('Bad Request');
    expect(server.requests).toHaveLength(1);
  });

  it('is not retried: a 404 rejects with DeliveryError status 404 after one request', async () => {
    server.always(status(404, { statusCode: 404, message: 'Not Found' }));
    const client = newClient();
    const error = await rejectionOf(client.sendAudit({ action: 'user.login' }));
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).not.toBeInstanceOf(AuthenticationError);
    expect((error as DeliveryError).status).toBe(404);
    expect(server.requests).toHaveLength(1);
  });

  it.each([401, 403])('is not retried: a %i rejects with AuthenticationError after one request', async (code) => {
    server.always(status(code, { statusCode: code, message: 'nope' }));
    const client = newClient();
    const retried = vi.fn();
    client.on('retry', retried);
    const error = await rejectionOf(client.sendAudit({ action: 'user.login' }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as AuthenticationError).status).toBe(code);
    expect((error as AuthenticationError).code).toBe('AUTHENTICATION');
    expect(server.requests).toHaveLength(1);
    expect(retried).not.toHaveBeenCalled();
  });

  it('is not retried: a success reply that does not account for every event fails instead of resending', async () => {
    server.always(() => [200, { receivedEvents: [] }]);
    const client = newClient();
    const error = await rejectionOf(client.sendAudit({ action: 'user.login' }));
    expect(error).toBeInstanceOf(DeliveryError);
    expect(server.requests).toHaveLength(1);
  });
});

describe('Retry-After', () => {
  it('waits the seconds a 429 asks for before retrying', async () => {
    useFakeTimers();
    server.reply(status(429, { statusCode: 429, message: 'slow down' }, { 'Retry-After': '2' })).reply(accept());
    const client = newClient({ retry: { initialDelayMs: 10, maxDelayMs: 10 } });
    const retries: RetryInfo[] = [];
    client.on('retry', (info) => retries.push(info));
    const sending = client.sendAudit({ action: 'user.login' });
    await vi.advanceTimersByTimeAsync(0); // the flush interval (0 ms)
    await vi.waitFor(() => expect(retries).toHaveLength(1));
    expect(retries[0]?.delayMs).toBe(2000);

    await vi.advanceTimersByTimeAsync(1900);
    expect(server.requests).toHaveLength(1);
    expect(await stateOf(sending)).toBe('pending');

    await vi.advanceTimersByTimeAsync(200);
    await vi.waitFor(() => expect(server.requests).toHaveLength(2));
    await expect(sending).resolves.toMatchObject({ attempts: 2 });
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    useFakeTimers();
    vi.setSystemTime(new Date('2026-03-04T05:06:07.000Z'));
    const retryAt = new Date(Date.now() + 3000).toUTCString();
    server.reply(status(503, '', { 'Retry-After': retryAt })).reply(accept());
    const client = newClient({ retry: { initialDelayMs: 10, maxDelayMs: 10 } });
    const retries: RetryInfo[] = [];
    client.on('retry', (info) => retries.push(info));
    const sending = client.sendAudit({ action: 'user.login' });
    await vi.advanceTimersByTimeAsync(0);
    await vi.waitFor(() => expect(retries).toHaveLength(1));
    expect(retries[0]?.delayMs).toBe(3000);

    await vi.advanceTimersByTimeAsync(2900);
    expect(server.requests).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(200);
    await vi.waitFor(() => expect(server.requests).toHaveLength(2));
    await expect(sending).resolves.toMatchObject({ attempts: 2 });
  });

  it.each(['-5', '1.5', '2, 2', 'soon'])('ignores a Retry-After of %j (not RFC 9110) and backs off as usual', async (header) => {
    useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    server.reply(status(503, '', { 'Retry-After': header })).reply(accept());
    const client = newClient({ retry: { initialDelayMs: 1000, maxDelayMs: 1000 } });
    const retries: RetryInfo[] = [];
    client.on('retry', (info) => retries.push(info));
    const sending = client.sendAudit({ action: 'user.login' });
    await vi.advanceTimersByTimeAsync(0);
    await vi.waitFor(() => expect(retries).toHaveLength(1));
    // Full jitter over [0, 1000] with random() = 0.5, not a 0 ms wait from a date in 2001.
    expect(retries[0]?.delayMs).toBe(500);
    expect((retries[0]?.error as DeliveryError).retryAfterMs).toBeUndefined();
    await vi.advanceTimersByTimeAsync(500);
    await expect(sending).resolves.toMatchObject({ attempts: 2 });
  });

  it('caps a Retry-After longer than retry.maxRetryAfterMs', async () => {
    useFakeTimers();
    server.reply(status(429, '', { 'Retry-After': '3600' })).reply(accept());
    const client = newClient({ retry: { maxRetryAfterMs: 500 } });
    const retries: RetryInfo[] = [];
    client.on('retry', (info) => retries.push(info));
    const sending = client.sendAudit({ action: 'user.login' });
    await vi.advanceTimersByTimeAsync(0);
    await vi.waitFor(() => expect(retries).toHaveLength(1));
    expect(retries[0]?.delayMs).toBe(500);
    await vi.advanceTimersByTimeAsync(500);
    await expect(sending).resolves.toMatchObject({ attempts: 2 });
  });
});

describe('the delivery deadline', () => {
  it('stops at once with TimeoutError when the wait a server asks for would pass retry.deadlineMs', async () => {
    server.always(status(503, '', { 'Retry-After': '5' }));
    const client = newClient({ retry: { deadlineMs: 1000 } });
    const retried = vi.fn();
    client.on('retry', retried);
    const error = await rejectionOf(client.sendAudit({ action: 'user.login' }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toContain('deadline');
    expect(server.requests).toHaveLength(1);
    expect(retried).not.toHaveBeenCalled();
  });

  it('stops retrying with TimeoutError once the retries so far have used up the deadline', async () => {
    useFakeTimers();
    server.always(status(503, '', { 'Retry-After': '1' }));
    const client = newClient({ retry: { deadlineMs: 2500, maxRetries: 10 } });
    const sending = client.sendAudit({ action: 'user.login' });
    await vi.advanceTimersByTimeAsync(0);
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(server.requests).toHaveLength(2));
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(server.requests).toHaveLength(3));
    // A third wait would end at 3000 ms, past the 2500 ms deadline: no fourth request.
    const error = await rejectionOf(sending);
    expect(error).toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(5000);
    expect(server.requests).toHaveLength(3);
  });
});

describe("delivery: 'at-most-once'", () => {
  it('does not retry a 500, which may have stored the events', async () => {
    server.always(status(500));
    const client = newClient({ delivery: 'at-most-once' });
    const error = await rejectionOf(client.sendAudit({ action: 'user.login' }));
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).status).toBe(500);
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry a reset connection, which may have delivered the request', async () => {
    server.failWith(connectionReset(), 2);
    const client = newClient({ delivery: 'at-most-once' });
    const error = await rejectionOf(client.sendAudit({ action: 'user.login' }));
    expect(error).toBeInstanceOf(DeliveryError);
    expect(server.requests).toHaveLength(1);
  });

  it.each([503, 429])('still retries a %i, an explicit refusal that stored nothing', async (code) => {
    server.reply(status(code)).reply(accept());
    const client = newClient({ delivery: 'at-most-once' });
    const receipt = await client.sendAudit({ action: 'user.login' });
    expect(receipt.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
  });
});
