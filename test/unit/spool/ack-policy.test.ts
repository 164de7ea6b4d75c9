import { describe, expect, it } from 'vitest';
import { markCredentialFailure } from '../../../src/adapters/credential-failure.js';
import type { Outcome } from '../../../src/delivery/batch-delivery.js';
import { AuthenticationError, ClientClosedError, DeliveryError, HashMismatchError, TimeoutError, ValidationError, type AuditsError } from '../../../src/errors.js';
import { isDoneForSpool } from '../../../src/spool/ack-policy.js';

const failed = (error: AuditsError): Outcome => ({ ok: false, error });
const receipt = { id: 'e', hash: 'h', serverHash: undefined, serverId: undefined, verified: false, attempts: 1, adapter: 'auditlog' };

// Only an answer of the server to the events' own request may remove them from the journal.
const table: ReadonlyArray<readonly [string, Outcome, boolean]> = [
  ['a delivered event', { ok: true, receipt }, true],
  ['a per-event refusal', failed(new ValidationError([{ path: '$.action', message: 'required' }])), true],
  ['a hash mismatch (the server stored it)', failed(new HashMismatchError('e', 'a', 'b')), true],
  ['a 400 to the events’ request', failed(new DeliveryError('bad', { status: 400 })), true],
  ['an unreadable 200 reply', failed(new DeliveryError('unreadable', { status: 200 })), true],
  ['a 503 after the retries', failed(new DeliveryError('busy', { status: 503, retryable: true })), false],
  ['a 429 after the retries', failed(new DeliveryError('slow down', { status: 429, retryable: true })), false],
  ['refused credentials', failed(new AuthenticationError('no', { status: 401 })), false],
  ['a token exchange that answered 404', failed(markCredentialFailure(new DeliveryError('frontegg: token exchange failed with HTTP 404', { status: 404 }))), false],
  ['a token exchange that answered an HTML page', failed(markCredentialFailure(new DeliveryError('frontegg: no usable token', { status: 200 }))), false],
  ['a network failure', failed(new DeliveryError('socket hang up', { retryable: true })), false],
  ['a reply that did not mention the event', failed(new DeliveryError("the server's reply did not mention event e")), false],
  ['an unexpected failure', failed(new DeliveryError('unexpected delivery failure')), false],
  ['the delivery deadline', failed(new TimeoutError('deadline')), false],
  ['close() cutting it off', failed(new ClientClosedError('closed')), false],
];

describe('isDoneForSpool', () => {
  it.each(table)('given %s, answers done = %s', (_name, outcome, done) => {
    expect(isDoneForSpool(outcome, false)).toBe(done);
  });

  it.each(table)('keeps %s once the client aborted its requests', (_name, outcome) => {
    expect(isDoneForSpool(outcome, true)).toBe(outcome.ok);
  });
});
