import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditsClient, ClientClosedError, DeliveryError, QueueFullError, ValidationError, type ClientOptions } from '../../../src/index.js';
import { accept, API_KEY, deferred, ENDPOINT, newClient, rejectionOf, status, useMockAuditLog, type MockAuditLog } from '../../helpers/client.js';
import { journalFiles, leftovers, openSpool, tempDir } from './spool-helpers.js';
import { captureWarnings } from '../../helpers/warnings.js';

// Failures here are on purpose and heard by no listener: their process warnings are captured, not printed.
captureWarnings();

let mock: MockAuditLog;
useMockAuditLog((server) => (mock = server));

function spoolClient(dir: string, options: ClientOptions = {}): AuditsClient {
  return newClient({ ...options, spool: { commitIntervalMs: 0, ...options.spool, dir } });
}

/** Collects the ids of `name` events until `count` have arrived. */
function idsOf(client: AuditsClient, name: 'persisted' | 'recovered', count: number): Promise<string[]> {
  const ids: string[] = [];
  return new Promise((resolve) => {
    client.on(name, (batch) => {
      ids.push(...batch);
      if (ids.length >= count) resolve(ids);
    });
  });
}

function constructionError(options: ClientOptions): ValidationError {
  try {
    new AuditsClient(options).destroy();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected the client to be refused');
}

describe('a client with a spool', () => {
  it("sends an event only once it is reported 'persisted', and reports it before 'delivered'", async () => {
    const dir = tempDir();
    const client = spoolClient(dir);
    const persisted = new Set<string>();
    const sentTooEarly: string[] = [];
    const order: string[] = [];
    client.on('persisted', (ids) => ids.forEach((id) => (persisted.add(id), order.push(`persisted ${id}`))));
    client.on('delivered', (receipt) => order.push(`delivered ${receipt.id}`));
    mock.always((request) => {
      for (const event of request.events) if (!persisted.has(String(event.uuid))) sentTooEarly.push(String(event.uuid));
      return accept()(request);
    });

    const ids = Array.from({ length: 25 }, (_, i) => `evt-${i}`);
    const receipts = await Promise.all(ids.map((id) => client.sendAudit({ id, action: 'user.login' })));
    expect(receipts.map((receipt) => receipt.verified)).toEqual(ids.map(() => true));
    expect(sentTooEarly).toEqual([]);
    for (const id of ids) expect(order.indexOf(`persisted ${id}`)).toBeLessThan(order.indexOf(`delivered ${id}`));
    expect(client.stats()).toMatchObject({ persisted: 25, delivered: 25, spooledBytes: 0 });

    await client.close();
    // Everything acknowledged: close leaves neither a journal nor a lock.
    expect(journalFiles(dir)).toEqual([]);
    expect(existsSync(join(dir, 'LOCK'))).toBe(false);
  });

  it("resolves a receipt and emits 'delivered' only once the acknowledgement is durable: a crash at that moment resends nothing delivered", async () => {
    const dir = tempDir();
    // A long interval leaves time between the server's answer and the commit that writes the acknowledgement.
    const client = spoolClient(dir, { spool: { dir, commitIntervalMs: 50 } });
    mock.always(accept());
    // What a SIGKILL would leave at the instant the app learns of each delivery.
    const atDelivered: Array<{ id: string; copy: string }> = [];
    const atReceipt: Array<{ id: string; copy: string }> = [];
    client.on('delivered', (receipt) => atDelivered.push({ id: receipt.id, copy: leftovers(dir) }));
    const ids = ['d-1', 'd-2', 'd-3'];
    await Promise.all(ids.map((id) => client.sendAudit({ id, action: 'user.login' }).then((receipt) => atReceipt.push({ id: receipt.id, copy: leftovers(dir) }))));
    await client.close();

    expect(atDelivered.map((moment) => moment.id).sort()).toEqual(ids);
    for (const moment of [...atDelivered, ...atReceipt]) {
      const { spool } = openSpool(moment.copy);
      expect(spool.recovered.map((entry) => entry.event.id)).not.toContain(moment.id);
      await spool.close();
    }
  });

  it("keeps a throwing 'delivered' listener inside the client: the receipt resolves, the error is logged", async () => {
    const dir = tempDir();
    const errors: string[] = [];
    const client = spoolClient(dir, { logger: { debug: () => {}, warn: () => {}, error: (line: string) => errors.push(line) } });
    mock.always(accept());
    client.on('delivered', () => {
      throw new Error('listener bug');
    });
    await expect(client.sendAudit({ id: 'thrown-at', action: 'user.login' })).resolves.toMatchObject({ id: 'thrown-at' });
    await client.close();
    expect(errors).toEqual([expect.stringContaining('listener bug')]);
  });

  it('keeps an event whose delivery failed in a way that may pass, and the next client sends it byte for byte', async () => {
    const dir = tempDir();
    mock.reply(status(503));
    const first = spoolClient(dir, { retry: { maxRetries: 0 } });
    expect(await rejectionOf(first.sendAudit({ id: 'evt-kept', action: 'user.login' }))).toBeInstanceOf(DeliveryError);
    expect(first.stats().spooledBytes).toBeGreaterThan(0);
    await first.close();
    expect(journalFiles(dir)).toHaveLength(1);

    mock.reply(accept());
    const next = spoolClient(dir);
    const recovered = idsOf(next, 'recovered', 1);
    const delivered = new Promise<string>((resolve) => next.once('delivered', (receipt) => resolve(`${receipt.id} verified=${receipt.verified}`)));
    expect(await recovered).toEqual(['evt-kept']);
    expect(await delivered).toBe('evt-kept verified=true');
    expect(mock.requests.map((request) => request.body)).toEqual([mock.requests[0]?.body, mock.requests[0]?.body]);
    expect(next.stats()).toMatchObject({ recovered: 1, accepted: 1, delivered: 1 });
    await next.close();
    expect(journalFiles(dir)).toEqual([]);
  });

  it('treats an event the server refused for good as done: it is never sent again', async () => {
    const dir = tempDir();
    mock.reply(status(422, { error: 'unprocessable' }));
    const first = spoolClient(dir);
    expect(await rejectionOf(first.sendAudit({ id: 'evt-refused', action: 'user.login' }))).toBeInstanceOf(DeliveryError);
    await first.close();
    expect(journalFiles(dir)).toEqual([]);
    const next = spoolClient(dir);
    expect(next.stats().recovered).toBe(0);
    await next.close();
    expect(mock.requests).toHaveLength(1);
  });

  it('treats a per-event refusal as done and delivers the rest of the batch', async () => {
    const dir = tempDir();
    mock.reply(status(400, { details: { '[0].action': 'not allowed' } })).reply(accept());
    const client = spoolClient(dir);
    const [refused, delivered] = ['evt-bad', 'evt-good'].map((id) => client.sendAudit({ id, action: 'user.login' }));
    expect(await rejectionOf(refused!)).toBeInstanceOf(ValidationError);
    await expect(delivered).resolves.toMatchObject({ id: 'evt-good' });
    await client.close();
    expect(journalFiles(dir)).toEqual([]);
  });

  it('on destroy(), keeps the queued events for the next client, which reports and delivers them in order', async () => {
    const dir = tempDir();
    const first = spoolClient(dir, { flushIntervalMs: 60_000 });
    const persisted = idsOf(first, 'persisted', 3);
    const promises = ['q-1', 'q-2', 'q-3'].map((id) => first.sendAudit({ id, action: 'user.login' }));
    expect(await persisted).toEqual(['q-1', 'q-2', 'q-3']);
    await first.destroy();
    for (const promise of promises) expect(await rejectionOf(promise)).toBeInstanceOf(ClientClosedError);
    expect(mock.requests).toHaveLength(0);

    mock.always(accept());
    const next = spoolClient(dir);
    expect(await idsOf(next, 'recovered', 3)).toEqual(['q-1', 'q-2', 'q-3']);
    await next.flush();
    expect(mock.uuids.flat()).toEqual(['q-1', 'q-2', 'q-3']);
    expect(next.stats()).toMatchObject({ recovered: 3, delivered: 3, spooledBytes: 0 });
  });

  it('refuses a second client on the same directory while the first is open', async () => {
    const dir = tempDir();
    const first = spoolClient(dir);
    const error = constructionError({ adapter: 'auditlog', endpoint: ENDPOINT, apiKey: API_KEY, spool: { dir } });
    expect(error.issues[0]?.path).toBe('options.spool.dir');
    expect(error.message).toContain('one client per spool directory');
    await first.close();
  });

  it('refuses to replay a spool into a client with another adapter', async () => {
    const dir = tempDir();
    const first = spoolClient(dir, { flushIntervalMs: 60_000 });
    const persisted = idsOf(first, 'persisted', 1);
    void first.sendAudit({ id: 'for-auditlog', action: 'user.login' });
    await persisted;
    await first.destroy();
    const error = constructionError({ adapter: 'retraced', endpoint: ENDPOINT, projectId: 'p', apiKey: 'token', spool: { dir } });
    expect(error.message).toMatch(/holds 1 unacknowledged event\(s\) for adapter "auditlog".*not for adapter "retraced"/);
  });

  it('refuses new events with QueueFullError once spool.maxBytes of unacknowledged events are held', async () => {
    const dir = tempDir();
    const gate = deferred();
    mock.always(async (request) => {
      await gate.promise;
      return accept()(request);
    });
    const client = spoolClient(dir, { spool: { dir, maxBytes: 2_000 } });
    const sent: Array<Promise<unknown>> = [];
    let refused: unknown;
    for (let i = 0; i < 50 && refused === undefined; i++) {
      const promise = client.sendAudit({ id: `big-${i}`, action: 'user.login', description: 'd'.repeat(100) });
      sent.push(promise);
      if (client.stats().rejected > 0) refused = await rejectionOf(promise);
    }
    expect(refused).toBeInstanceOf(QueueFullError);
    expect((refused as Error).message).toContain('spool.maxBytes');
    expect(client.stats().spooledBytes).toBeLessThanOrEqual(2_000);
    gate.release();
    await client.flush();
    expect(client.stats().spooledBytes).toBe(0);
    await expect(client.sendAudit({ id: 'after', action: 'user.login' })).resolves.toMatchObject({ id: 'after' });
  });
});

describe('the spool option', () => {
  it('refuses at once, as invalid, an event larger than spool.maxBytes, which could never fit', async () => {
    const dir = tempDir();
    const client = spoolClient(dir, { spool: { dir, maxBytes: 100 } });
    const error = await rejectionOf(client.sendAudit({ id: 'too-big', action: 'user.login', description: 'd'.repeat(100) }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/^\$: the event is \d+ bytes, more than spool\.maxBytes$/);
    expect(client.stats()).toMatchObject({ accepted: 0, rejected: 1, persisted: 0 });
  });

  const base = { adapter: 'auditlog' as const, endpoint: ENDPOINT, apiKey: API_KEY };

  it('needs at-least-once delivery, since a restart cannot know whether a journaled event already left', () => {
    const error = constructionError({ ...base, delivery: 'at-most-once', spool: { dir: tempDir() } });
    expect(error.issues).toEqual([{ path: 'options.spool', message: "replays events whose delivery is unknown, so it needs delivery: 'at-least-once'" }]);
  });

  it('lists every bad value at construction', () => {
    const error = constructionError({ ...base, spool: { dir: ' ', commitIntervalMs: -1, maxBytes: 0 } });
    expect(error.issues.map((issue) => issue.path)).toEqual(['options.spool.dir', 'options.spool.commitIntervalMs', 'options.spool.maxBytes']);
  });
});
