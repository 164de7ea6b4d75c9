import { describe, expect, it } from 'vitest';
import type { ReferenceServer } from '../../src/testing.js';
import { lib, testing } from './target.js';

// Regression tests for bugs the reliability suite found outside src/server (K1, K2), fixed since: each states the
// documented behaviour.

async function withServer(run: (server: ReferenceServer) => Promise<void>): Promise<void> {
  const server = await testing.createReferenceServer();
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

describe('K1: the AuditLog.co adapter checks every bold limit of spec/EVENT.md section 5 before queueing', () => {
  // README: "Each adapter checks the vendor's rules before queueing (... AuditLog.co: field lengths...), so a bad
  // event is refused alone, at once". spec/EVENT.md section 5 marks actor.uuid and target.uuid (<= 80) as checked
  // by the adapter. src/adapters/auditlog.ts (toAuditLogEvent) checked neither: the event was queued, sent, refused
  // by the server with a 400, and failed after a round trip as "$.actor.uuid: refused by AuditLog.co: must be at
  // most 80 characters" (a wire path, not the common-model path). Found by fuzz-send-audit.property.test.ts.
  it.each([
    ['actor.id', { action: 'user.login', actor: { id: 'a'.repeat(81) } }, '$.actor.id'],
    ['target.id', { action: 'user.login', target: { id: 't'.repeat(81) } }, '$.target.id'],
  ])('refuses a common event whose %s is over 80 characters at sendAudit, without a request', async (_field, event, path) => {
    await withServer(async (server) => {
      const client = new lib.AuditsClient({ adapter: 'auditlog', apiKey: 'c:s', endpoint: server.url, flushIntervalMs: 1 });
      try {
        const error = await client.sendAudit(event).catch((failure: unknown) => failure);
        expect(server.stats.requests).toBe(0);
        expect(error).toBeInstanceOf(lib.ValidationError);
        expect((error as { issues: Array<{ path: string }> }).issues.map((issue) => issue.path)).toEqual([path]);
      } finally {
        await client.destroy();
      }
    });
  });

  // spec/EVENT.md section 5: "Limits on the server option are checked when the client is constructed (a
  // configuration error, not a per-event one)": serverId <= 240, version <= 80. src/client/resolve-options.ts only
  // checked that they were non-empty, so every event of such a client failed after a round trip with a 400.
  it('refuses a server option over the AuditLog.co limits when the client is constructed', () => {
    expect(() => new lib.AuditsClient({ adapter: 'auditlog', apiKey: 'c:s', endpoint: 'https://audit.example', server: { id: 's'.repeat(241), version: '1' } })).toThrow(lib.ValidationError);
  });
});

describe('K2: input that throws when read is a validation failure, not a delivery failure', () => {
  // README: "sendAudit rejects at once with a path-precise ValidationError for bad input ... nothing is queued or
  // sent". An input whose getter, toJSON or Proxy trap throws was rejected at once and nothing was sent,
  // but with a DeliveryError (code DELIVERY, the getter's message, no path): AuditsClient #accept wrapped whatever
  // adapter.prepare threw with asAuditsError, which made any non-AuditsError a DeliveryError. Code that routes
  // DELIVERY failures to "retry later / the vendor is down" handling misfiles a programming error. Found by
  // fuzz-send-audit.property.test.ts.
  it.each([
    ['a getter that throws', () => Object.defineProperty({ action: 'user.login' }, 'actor', { enumerable: true, get: () => { throw new Error('getter threw'); } })],
    ['a Proxy whose ownKeys trap throws', () => new Proxy({ action: 'user.login' }, { ownKeys: () => { throw new Error('ownKeys trap'); } })],
  ])('rejects %s with ValidationError', async (_name, make) => {
    await withServer(async (server) => {
      const client = new lib.AuditsClient({ adapter: 'auditlog', apiKey: 'c:s', endpoint: server.url, flushIntervalMs: 1 });
      try {
        const error = await client.sendAudit(make() as never).catch((failure: unknown) => failure);
        expect(server.stats.requests).toBe(0);
        expect(error).toMatchObject({ code: 'VALIDATION' });
      } finally {
        await client.destroy();
      }
    });
  });
});
