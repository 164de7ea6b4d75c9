import pg from 'pg';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { driverSecrets } from '../../../src/outbox/driver-secrets.js';

// No connection is made: the drivers' objects are only constructed, and their settings read.

describe('driverSecrets', () => {
  it('finds the password of a node-postgres Pool, given alone or in its connection string (as written and decoded)', () => {
    expect(driverSecrets(new pg.Pool({ host: '127.0.0.1', user: 'app', password: 'pool-secret-1' }))).toEqual(['pool-secret-1']);
    expect(driverSecrets(new pg.Pool({ connectionString: 'postgres://app:p%40ss-word-2@127.0.0.1/test' }))).toEqual(['p%40ss-word-2', 'p@ss-word-2']);
  });

  it('finds the password of a node-postgres Client and of a postgres.js sql', () => {
    expect(driverSecrets(new pg.Client({ host: '127.0.0.1', user: 'app', password: 'client-secret-3' }))).toContain('client-secret-3');
    const sql = postgres({ host: '127.0.0.1', username: 'app', password: 'sql-secret-4' });
    expect(driverSecrets(sql)).toContain('sql-secret-4');
  });

  it('gives nothing, and never throws, for a password function, a throwing getter or an object of another shape', () => {
    expect(driverSecrets(new pg.Pool({ host: '127.0.0.1', password: () => 'from-a-vault' }))).toEqual([]);
    const hostile = Object.defineProperty({}, 'options', { get: () => { throw new Error('no'); } });
    expect(driverSecrets(hostile)).toEqual([]);
    expect(driverSecrets({ query: () => undefined })).toEqual([]);
    expect(driverSecrets(null)).toEqual([]);
    expect(driverSecrets({ options: { connectionString: 'not a url' } })).toEqual([]);
  });
});
