import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactError } from '../../../src/redact/redact-error.js';
import { MASK, redactor } from '../../../src/redact/redactor.js';
import { DeliveryError } from '../../../src/errors.js';
import { leakedForms } from '../../helpers/echo-server.js';

describe('redactor', () => {
  const secret = 'k"e\\y é/+=?&-123';
  const redact = redactor([secret]);

  it.each([
    ['as is', secret],
    ['JSON-escaped', JSON.stringify(secret).slice(1, -1)],
    ['JSON-escaped twice', JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1)],
    ['JSON-escaped as ASCII', JSON.stringify(secret).slice(1, -1).replace('é', '\\u00e9')],
    ['URL-encoded', encodeURIComponent(secret)],
    ['URL-encoded with + for space', encodeURIComponent(secret).replace(/%20/g, '+')],
    ['URL-encoded in lower-case hex', encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())],
    ['base64', Buffer.from(secret).toString('base64')],
    ['base64url', Buffer.from(secret).toString('base64url')],
    ['HTML-escaped', secret.replace(/&/g, '&amp;').replace(/"/g, '&quot;')],
  ])('masks the key %s', (_label, spelling) => {
    expect(redact(`before ${spelling} after`)).toBe(`before ${MASK} after`);
  });

  it('masks the secret half of consumerId:secret on its own, and the whole key whole', () => {
    const auditlog = redactor(['consumer-1:the-secret-half']);
    expect(auditlog('x-api-key: consumer-1:the-secret-half')).toBe(`x-api-key: ${MASK}`);
    expect(auditlog('secret=the-secret-half')).toBe(`secret=${MASK}`);
  });

  it('masks the start of a key left at the end of a text cut short', () => {
    expect(redact(`body: {"apiKey":"${secret.slice(0, 6)}`)).toBe(`body: {"apiKey":"${MASK}`);
  });

  it('leaves values too short to be secrets, and text without secrets, alone', () => {
    expect(redactor(['ab', undefined, ''])('ab cd')).toBe('ab cd');
    expect(redact('nothing to see')).toBe('nothing to see');
  });

  it('reads secrets given later (a token) from its source', () => {
    const held: string[] = [];
    const live = redactor(() => held);
    expect(live('token abcdef')).toBe('token abcdef');
    held.push('abcdef');
    expect(live('token abcdef')).toBe(`token ${MASK}`);
  });

  it('leaves no spelling of any secret in a text that embeds it anywhere (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6, maxLength: 24 }), fc.string(), fc.string(), (key, before, after) => {
        const masked = redactor([key])(`${before}${leakedForms(key).join(' ')}${after}`);
        for (const form of leakedForms(key)) if (form.length >= 3) expect(masked).not.toContain(form);
      }),
    );
  });
});

describe('redactError', () => {
  it('masks message, stack, body and the cause chain in place, so inspect and JSON show no key', () => {
    const cause = new Error('socket said key-123456');
    const error = new DeliveryError('server echoed key-123456', { body: '{"apiKey":"key-123456"}', cause });
    redactError(error, redactor(['key-123456']));
    expect(error.message).toBe(`server echoed ${MASK}`);
    expect(error.stack).not.toContain('key-123456');
    expect(error.body).toBe(`{"apiKey":"${MASK}"}`);
    expect(cause.message).toBe(`socket said ${MASK}`);
    expect(JSON.stringify(error)).not.toContain('key-123456');
  });

  it('ends on a cause chain that loops', () => {
    const first = new Error('a key-123456');
    const second = new Error('b key-123456', { cause: first });
    (first as { cause?: unknown }).cause = second;
    redactError(first, redactor(['key-123456']));
    expect([first.message, second.message]).toEqual([`a ${MASK}`, `b ${MASK}`]);
  });
});
