import { describe, expectTypeOf, it } from 'vitest';
import type { AuditInput, AuditsClient, FronteggAudit, RetracedEvent } from '../../../src/index.js';

// Compile-time checks, run by `npm run typecheck` (tsc reads test files): each `@ts-expect-error` fails the
// type-check if the line below it ever compiles.

declare const client: AuditsClient;

describe('what sendAudit accepts at compile time', () => {
  it('takes the common event, and refuses a mistyped member', () => {
    expectTypeOf<AuditsClient['sendAudit']>().parameter(0).toEqualTypeOf<AuditInput>();
    void (() => client.sendAudit({ action: 'user.login', actor: { id: 'u-1' }, severity: 'High' }));
    // @ts-expect-error `acton` is not a member of any accepted shape
    void (() => client.sendAudit({ acton: 'user.login' }));
    // @ts-expect-error severity is one of five values
    void (() => client.sendAudit({ action: 'a', severity: 'Loud' }));
  });

  it("takes Frontegg's flat audit exactly as Frontegg's SDK types it (free members besides tenantId and severity)", () => {
    const audit: FronteggAudit = { tenantId: 't', severity: 'Info', user: 'jane', resource: 'Billing', action: 'x', ip: '1.2.3.4', attempts: 3 };
    void (() => client.sendAudit(audit));
    // @ts-expect-error a Frontegg audit needs its tenant
    void (() => client.sendAudit({ severity: 'Info', user: 'jane' }));
  });

  it('takes a native Retraced event', () => {
    const event: RetracedEvent = { action: 'a', crud: 'c', is_anonymous: true, fields: { k: 'v' } };
    void (() => client.sendAudit(event));
    void (() => client.sendAudits([event, { action: 'b' }]));
  });
});
