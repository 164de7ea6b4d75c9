import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuditsClient, ValidationError, type ClientOptions, type Logger } from '../../../src/index.js';
import { createAuditRecorder } from '../../../src/testing.js';
import { rejectionOf } from '../../helpers/client.js';

// AuditLog.co's events API has no slot for several members of the common event (spec/EVENT.md section 5): the
// client says so at run time, once per adapter and member, or refuses such events when asked to.

const lossy = {
  action: 'user.login.failed',
  actor: { id: 'u-1' },
  outcome: 'failure',
  severity: 'High',
  crud: 'r',
  fields: { reason: 'bad_password' },
  tags: ['auth'],
  timezone: 'Europe/Berlin',
  ip: '2001:db8::7',
} as const;
const LOSSY_PATHS = ['$.outcome', '$.severity', '$.crud', '$.fields', '$.tags', '$.timezone', '$.ip'];

const opened: AuditsClient[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((client) => client.close()));
  vi.restoreAllMocks();
});

function clientFor(format: 'auditlog' | 'retraced' | 'logzab' | 'frontegg', options: ClientOptions = {}) {
  const recorder = createAuditRecorder({ format });
  const client = new AuditsClient({ adapter: recorder, dispatcher: recorder.dispatcher, flushIntervalMs: 0, ...options });
  opened.push(client);
  return { client, recorder };
}

function capturingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, error() {}, warn: (message: string) => void warnings.push(message) };
}

describe("onUnmappedField: 'warn' (the default)", () => {
  it('sends the event without them and warns through the logger once per adapter and member', async () => {
    const logger = capturingLogger();
    const { client, recorder } = clientFor('auditlog', { logger });
    await client.sendAudit(lossy);
    await client.sendAudit({ ...lossy, action: 'again' });
    expect(recorder.events).toHaveLength(2);
    expect(logger.warnings).toHaveLength(LOSSY_PATHS.length);
    for (const [index, path] of LOSSY_PATHS.entries()) {
      expect(logger.warnings[index]).toMatch(new RegExp(`^auditwire: the auditlog adapter drops \\${path}: `));
    }
    expect(logger.warnings.find((warning) => warning.includes('$.ip'))).toContain('IPv6');
    expect(client.stats().unmapped).toBe(2);
  });

  it('warns about nothing for default values, IPv4 addresses and absolute URLs', async () => {
    const logger = capturingLogger();
    const { client } = clientFor('auditlog', { logger });
    await client.sendAudit({ action: 'a', outcome: 'success', severity: 'Info', ip: '203.0.113.9', url: 'https://app.example/x', fields: {} });
    expect(logger.warnings).toEqual([]);
    expect(client.stats().unmapped).toBe(0);
  });

  it('reports a relative url, which AuditLog.co would refuse, as dropped', async () => {
    const logger = capturingLogger();
    const { client } = clientFor('auditlog', { logger });
    await client.sendAudit({ action: 'a', url: '/invoices/42' });
    expect(logger.warnings).toEqual([expect.stringContaining('drops $.url: not an absolute http(s) URL')]);
  });

  it('emits a process warning when there is no logger', async () => {
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { client } = clientFor('auditlog');
    await client.sendAudit({ action: 'a', tags: ['x'] });
    expect(emitted).toHaveBeenCalledTimes(1);
    expect(emitted.mock.calls[0]?.[0]).toMatch(/^auditwire: the auditlog adapter drops \$\.tags: /);
    expect(emitted.mock.calls[0]?.[1]).toEqual({ code: 'AUDITWIRE_UNMAPPED_FIELD' });
  });

  it('delivers the event when the logger throws', async () => {
    const logger: Logger = { debug() {}, error() {}, warn: () => { throw new Error('logger down'); } };
    const { client, recorder } = clientFor('auditlog', { logger });
    expect((await client.sendAudit(lossy)).verified).toBe(true);
    expect(recorder.events).toHaveLength(1);
  });

  it.each(['retraced', 'logzab', 'frontegg'] as const)('says nothing for the %s adapter, whose format carries every member', async (format) => {
    const logger = capturingLogger();
    const { client } = clientFor(format, { logger });
    await client.sendAudit({ ...lossy, tenant: { id: 't' } });
    expect(logger.warnings).toEqual([]);
    expect(client.stats().unmapped).toBe(0);
  });
});

describe("onUnmappedField: 'refuse'", () => {
  it('rejects the event with a ValidationError naming each member and the adapter, and sends nothing', async () => {
    const { client, recorder } = clientFor('auditlog', { onUnmappedField: 'refuse' });
    const error = await rejectionOf(client.sendAudit(lossy));
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues;
    expect(issues.map((issue) => issue.path)).toEqual(LOSSY_PATHS);
    expect(issues[0]?.message).toMatch(/^the auditlog adapter would drop it: /);
    await client.flush();
    expect(recorder.events).toEqual([]);
    expect(client.stats().unmapped).toBe(0);
  });
});

describe("onUnmappedField: 'ignore'", () => {
  it('sends the event without a word, and still counts it', async () => {
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { client, recorder } = clientFor('auditlog', { onUnmappedField: 'ignore' });
    await client.sendAudit(lossy);
    expect(emitted).not.toHaveBeenCalled();
    expect(recorder.events).toHaveLength(1);
    expect(client.stats().unmapped).toBe(1);
  });

  it('refuses a policy it does not know', () => {
    expect(() => new AuditsClient({ adapter: 'auditlog', apiKey: 'a:b', onUnmappedField: 'drop' as 'warn' })).toThrow(/onUnmappedField/);
  });
});
