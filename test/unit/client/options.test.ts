import { describe, expect, it } from 'vitest';
import { AuditsClient, ValidationError } from '../../../src/index.js';

const base = { adapter: 'auditlog' as const, endpoint: 'http://127.0.0.1:4318', apiKey: 'consumer:secret' };

describe('the server option', () => {
  it.each([
    ['an empty id', { id: '', version: '1.0.0' }, 'options.server.id'],
    ['a lone surrogate in the version', { id: 'web-1', version: 'v\ud800' }, 'options.server.version'],
  ])('is refused at construction when it has %s, since every mapped event carries it', (_, server, path) => {
    let thrown: unknown;
    try {
      new AuditsClient({ ...base, server });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).issues.map((issue) => issue.path)).toContain(path);
  });

  it('is accepted when well-formed', async () => {
    const client = new AuditsClient({ ...base, server: { id: 'web-1', version: '2.14.0' } });
    expect(client.adapter).toBe('auditlog');
    await client.destroy();
  });
});

describe('a client without an adapter', () => {
  it('says the default adapter is Frontegg and how to choose another when only apiKey is given', () => {
    const saved = { adapter: process.env.AUDITWIRE_ADAPTER, clientId: process.env.FRONTEGG_CLIENT_ID };
    delete process.env.AUDITWIRE_ADAPTER;
    delete process.env.FRONTEGG_CLIENT_ID;
    try {
      expect(() => new AuditsClient({ apiKey: 'consumer:secret' })).toThrow(
        /options\.clientId: the frontegg adapter \(the default when neither options\.adapter nor AUDITWIRE_ADAPTER is set\) .*pass adapter: 'auditlog', 'retraced' or 'logzab'/,
      );
    } finally {
      if (saved.adapter !== undefined) process.env.AUDITWIRE_ADAPTER = saved.adapter;
      if (saved.clientId !== undefined) process.env.FRONTEGG_CLIENT_ID = saved.clientId;
    }
  });
});
