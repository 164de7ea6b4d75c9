import { docBlock } from '../helpers/doc-blocks.js';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReferenceServer, type ReferenceServer } from '../../src/testing.js';
import { repoRoot } from '../helpers/cli.js';
import { ensureOutboxBuilt } from './child-process.js';
import { databaseUrl } from './postgres-server.js';

// The README section "Audit inside your transaction", run as written: each block marked `run-by` this file is
// saved inside the repository (so `auditwire` and `auditwire/outbox` resolve to this package's build, pg and
// postgres to its devDependencies) and run against a database of its own and a reference server.

const run = promisify(execFile);
const blocks = ['pg.mjs', 'postgres.mjs'].map((file) => ({ file, code: docBlock(file).code }));

let dir: string;
let server: ReferenceServer;
let admin: pg.Client;
let url: string;
const database = `aw_readme_${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  ensureOutboxBuilt();
  mkdirSync(join(repoRoot, '.cache'), { recursive: true });
  dir = mkdtempSync(join(repoRoot, '.cache', 'readme-outbox-'));
  server = await createReferenceServer({ credentials: { auditlog: 'consumer:secret' } });
  const shared = await databaseUrl();
  admin = new pg.Client(shared);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const own = new URL(shared);
  own.pathname = `/${database}`;
  url = own.href;
}, 120_000);

afterAll(async () => {
  await server?.close();
  await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin?.end();
  rmSync(dir, { recursive: true, force: true });
});

describe('the README section "Audit inside your transaction"', () => {
  it('has a node-postgres and a postgres.js block', () => {
    expect(blocks.map((block) => block.file)).toEqual(['pg.mjs', 'postgres.mjs']);
  });

  it.each(blocks)('$file records in a transaction and its relay delivers the event, verified', async ({ file, code }) => {
    const path = join(dir, file);
    writeFileSync(path, code);
    const before = server.events.length;
    const { stdout, stderr } = await run(process.execPath, [path], {
      cwd: dir,
      timeout: 30_000,
      env: { ...process.env, DATABASE_URL: url, AUDITWIRE_ENDPOINT: server.url, AUDITWIRE_API_KEY: 'consumer:secret' },
    });
    expect(stderr).toBe('');
    const id = /recorded (\S+)/.exec(stdout)?.[1];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(stdout).toContain(`delivered ${id} verified=true`);
    expect(server.events.slice(before).map((event) => event.eventId)).toEqual([id]);
  });
});
