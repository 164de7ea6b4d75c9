import { describe, it } from 'vitest';
import type { AuditEvent, AuditInput, AuditLogEvent, AuditsClient, FronteggAudit, LogZabTrail, RetracedEvent } from '../../../src/index.js';

// Compile-time checks, run by `npm run typecheck` (tsc reads test files) and by test/unit/client/audit-input-tsc.test.ts:
// each `@ts-expect-error` fails the type-check if the line below it ever compiles.

declare const client: AuditsClient;
declare const auditlog: AuditLogEvent;
declare const logzab: LogZabTrail;
declare const common: AuditEvent;
declare const any: AuditInput;

describe('what sendAudit accepts at compile time', () => {
  it('takes the common event, and refuses a mistyped member', () => {
    void (() => client.sendAudit({ action: 'user.login', actor: { id: 'u-1' }, severity: 'High' }));
    void (() => client.sendAudit({ action: 'a', time: new Date(), tags: ['x'], fields: { reason: 'y' }, ip: '::1', tenant: { id: 't' } }));
    // @ts-expect-error `acton` is not a member of any accepted shape
    void (() => client.sendAudit({ acton: 'user.login' }));
    // @ts-expect-error severity is one of five values
    void (() => client.sendAudit({ action: 'a', severity: 'Loud' }));
  });

  it('refuses a member that no accepted shape declares, beside valid ones (excess property check)', () => {
    // @ts-expect-error `foo` is in no accepted shape
    void (() => client.sendAudit({ action: 'a', foo: 1 }));
    // @ts-expect-error `emial` is not a member of the actor
    void (() => client.sendAudit({ action: 'a', actor: { id: 'u', emial: 'x' } }));
    // @ts-expect-error `nmae` is not a member of the target, in a Retraced-shaped event either
    void (() => client.sendAudit({ action: 'a', crud: 'c', is_anonymous: true, target: { id: 't', nmae: 'x' } }));
  });

  it("takes Frontegg's flat audit exactly as Frontegg's SDK types it (free members besides tenantId and severity)", () => {
    const audit: FronteggAudit = { tenantId: 't', severity: 'Info', user: 'jane', resource: 'Billing', action: 'x', ip: '1.2.3.4', attempts: 3 };
    void (() => client.sendAudit(audit));
    void (() => client.sendAudit({ tenantId: 't', severity: 'Info', user: 'jane', attempts: 3, nested: { any: 'thing' } }));
    // @ts-expect-error a Frontegg audit needs its tenant
    void (() => client.sendAudit({ severity: 'Info', user: 'jane' }));
  });

  it('takes each vendor-native shape, inline and from a typed variable', () => {
    const event: RetracedEvent = { action: 'a', crud: 'c', is_anonymous: true, fields: { k: 'v' } };
    void (() => client.sendAudit(event));
    void (() => client.sendAudit({ action: 'a', crud: 'c', is_anonymous: true, group: { id: 'g' }, metadata: { k: 'v' } }));
    void (() => client.sendAudits([event, { action: 'b' }]));
    void (() => [client.sendAudit(auditlog), client.sendAudit(logzab), client.sendAudit(common), client.sendAudit(any)]);
  });
});
