import { describe, expect, it } from 'vitest';
import { runOutbox } from '../../src/cli/outbox-command.js';
import { useSchema } from './outbox-fixture.js';

const { url, schema, pool } = await useSchema();

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runOutbox(args, { out: (line) => void out.push(line), err: (line) => void err.push(line) }, env);
  return { status, out, err };
}

describe('auditwire outbox', () => {
  it('migrates, reports status, retries and purges dead rows', async () => {
    const table = ['--database-url', url, '--schema', schema, '--table', 'cli'];
    expect(await cli(['migrate', ...table])).toMatchObject({ status: 0, out: [`outbox ${schema}.cli: migrated`] });
    await pool.query(
      `INSERT INTO ${schema}.cli (event_id, hash, wire, bytes, adapter, state, last_error, last_status, attempts)
       VALUES ('e1', 'h', '{}', 2, 'auditlog', 'dead', 'refused: $.action', 422, 1),
              ('e2', 'h', '{}', 2, 'auditlog', 'dead', 'refused: $.actor', 422, 1),
              ('e3', 'h', '{}', 2, 'auditlog', 'pending', NULL, NULL, 0)`,
    );
    const status = await cli(['status', ...table]);
    expect(status.status).toBe(0);
    expect(status.out).toContain('  pending: 1');
    expect(status.out).toContain('  dead: 2');
    expect(status.out).toContain('  dead e1: 1 attempt(s), status 422: refused: $.action');
    const json = await cli(['status', ...table, '--json']);
    expect(JSON.parse(json.out[0] ?? '')).toMatchObject({ table: `${schema}.cli`, pending: 1, leased: 0, dead: 2 });
    expect(await cli(['retry', ...table, '--id', 'e1'])).toMatchObject({ status: 0, out: [`outbox ${schema}.cli: 1 dead row(s) pending again`] });
    expect(await cli(['purge', ...table])).toMatchObject({ status: 0, out: [`outbox ${schema}.cli: 1 dead row(s) deleted`] });
    const { rows } = await pool.query(`SELECT event_id, state FROM ${schema}.cli ORDER BY id`);
    expect(rows).toEqual([
      { event_id: 'e1', state: 'pending' },
      { event_id: 'e3', state: 'pending' },
    ]);
  });

  it('takes the URL from DATABASE_URL', async () => {
    const result = await cli(['status', '--schema', schema, '--table', 'cli'], { DATABASE_URL: url });
    expect(result.status).toBe(0);
  });

  it('exits 2 with one line for bad usage', async () => {
    expect(await cli([])).toMatchObject({ status: 2, err: [expect.stringMatching(/needs one of migrate, status, retry, purge/)] });
    expect(await cli(['status'])).toMatchObject({ status: 2, err: [expect.stringMatching(/--database-url URL is required/)] });
    expect(await cli(['status', '--database-url', url, '--table', 'x;drop'])).toMatchObject({ status: 2, err: [expect.stringMatching(/plain identifier/)] });
    expect(await cli(['migrate', '--database-url', url, '--id', 'e1'])).toMatchObject({ status: 2, err: [expect.stringMatching(/--id is for retry and purge/)] });
  });

  it('exits 2 without printing the password when the database refuses or cannot be reached', async () => {
    const result = await cli(['status', '--database-url', 'postgres://someone:hunter2-secret@127.0.0.1:1/none']);
    expect(result.status).toBe(2);
    expect(result.err).toHaveLength(1);
    expect(result.err.join('\n')).not.toContain('hunter2-secret');
  });

  it('prints its help', async () => {
    const result = await cli(['--help']);
    expect(result.status).toBe(0);
    expect(result.out[0]).toMatch(/^Usage: auditwire outbox migrate\|status\|retry\|purge/);
  });
});
