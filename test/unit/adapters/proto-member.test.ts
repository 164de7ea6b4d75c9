import { describe, expect, it } from 'vitest';
import type { Adapter, PrepareContext } from '../../../src/adapters/adapter.js';
import { createAdapter } from '../../../src/adapters/create-adapter.js';
import { resolveOptions } from '../../../src/client/resolve-options.js';
import { ValidationError } from '../../../src/errors.js';
import { canonicalJson } from '../../../src/hash/canonical-json.js';
import { hashEvent } from '../../../src/hash/event-hash.js';
import { createReferenceServer } from '../../../src/testing.js';
import { AuditsClient } from '../../../src/index.js';

// A "__proto__" member is data on every path (issue 12, item 9; spec/EVENT.md 4.5): carried intact where the shape
// takes free keys (custom fields, Frontegg's flat object, anything canonicalJson hashes), refused as any unknown key
// where the shape is strict. Never silently dropped, never a prototype.

const context: PrepareContext = { server: { id: 'api', version: '1' }, newId: () => 'generated-id', now: () => new Date(0) };
const adapter = (options: Parameters<typeof resolveOptions>[0]): Adapter => createAdapter(resolveOptions({ endpoint: 'http://127.0.0.1:1', ...options }, {}));
const ADAPTERS = {
  auditlog: adapter({ adapter: 'auditlog', apiKey: 'consumer:secret-value' }),
  retraced: adapter({ adapter: 'retraced', apiKey: 'token', projectId: 'p' }),
  logzab: adapter({ adapter: 'logzab', apiKey: 'key' }),
  frontegg: adapter({ adapter: 'frontegg' }),
};

const parse = (text: string): unknown => JSON.parse(text) as unknown;

describe('a "__proto__" member', () => {
  it.each([
    ['retraced', 'fields', '"fields":{"__proto__":"x","k":"v"}'],
    ['logzab', 'desc', '\\"fields\\":{\\"__proto__\\":\\"x\\",\\"k\\":\\"v\\"}'],
    ['frontegg', 'the flat body', '"__proto__":"x"'],
  ] as const)('in a common event\'s custom fields reaches the %s wire in %s', (name, _where, expected) => {
    const event = parse('{"id":"e","action":"a","crud":"c","tenant":{"id":"t"},"fields":{"__proto__":"x","k":"v"}}');
    const wire = ADAPTERS[name].prepare(event, context).wire;
    expect(wire).toContain(expected);
    expect(Object.hasOwn(JSON.parse(wire) as object, '__proto__') || wire.includes('__proto__')).toBe(true);
  });

  it('at the top of a Frontegg native event is sent and hashed intact', () => {
    const native = parse('{"tenantId":"t","severity":"Info","action":"a","__proto__":{"kept":true},"user":{"__proto__":"nested"}}');
    const prepared = ADAPTERS.frontegg.prepare(native, context);
    expect(prepared.wire).toBe('{"__proto__":{"kept":true},"action":"a","severity":"Info","tenantId":"t","user":{"__proto__":"nested"}}');
    expect(prepared.hash).toBe(hashEvent(native));
    expect(canonicalJson(native)).toBe(prepared.wire);
  });

  it.each([
    ['auditlog', '{"uuid":"u","time":"2026-01-01T00:00:00Z","action":"a","client":{"uuid":"c"},"actor":{"uuid":"x"},"context":{"server":{"serverId":"s","version":"1"}},"__proto__":{"x":1}}'],
    ['logzab', '{"actor":{"unique_id":"u","name":"n"},"object":"o","action":"a","__proto__":{"x":1}}'],
    ['retraced', '{"action":"a","crud":"c","is_anonymous":true,"__proto__":{"x":1}}'],
  ] as const)('at the top of a strict %s shape is refused loudly as an unknown key, never dropped', (name, text) => {
    expect(() => ADAPTERS[name].prepare(parse(text), context)).toThrow(ValidationError);
  });

  it('in a Frontegg native event reaches the reference server and its receipt verifies', async () => {
    const server = await createReferenceServer();
    const client = new AuditsClient({ adapter: 'frontegg', endpoint: server.url, clientId: 'client', apiKey: 'secret', flushIntervalMs: 0 });
    try {
      const receipt = await client.sendAudit(parse('{"tenantId":"t","severity":"Info","action":"a","__proto__":{"kept":true}}') as never);
      expect(receipt.verified).toBe(true);
      expect(JSON.stringify(server.events.at(-1))).toContain('__proto__');
    } finally {
      await client.close();
      await server.close();
    }
  });
});
