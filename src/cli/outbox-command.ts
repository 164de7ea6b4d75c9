import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { listDead, purgeDead, readStats, retryDead } from '../outbox/admin-sql.js';
import { migrationScript } from '../outbox/migrate-sql.js';
import { toExecutor, type SqlExecutor } from '../outbox/sql-executor.js';
import { tableNames, type TableNames } from '../outbox/table-names.js';
import type { CommandIo } from './command-io.js';
import { errorLine } from './error-line.js';
import { redactor } from '../redact/redactor.js';
import { CliInputError } from './usage-error.js';

const OUTBOX_HELP = `Usage: auditwire outbox migrate|status|retry|purge --database-url URL [options]

Manages the transactional outbox table of auditwire/outbox on PostgreSQL, with the driver your project has
installed (pg, else postgres).

  migrate          create the table, its index, trigger and receipts table if missing (idempotent)
  status           print pending, leased and dead rows, the oldest pending age, and the dead rows' errors
  retry            make dead rows pending again (all, or those given with --id)
  purge            delete dead rows for good (all, or those given with --id)

  --database-url URL   the PostgreSQL connection string (default: the DATABASE_URL environment variable)
  --table NAME         the outbox table (default: auditwire_outbox)
  --schema NAME        its schema (default: public)
  --id ID              retry/purge: only the dead row with this event id (repeatable)
  --json               status: print one JSON object
  -h, --help           show this help

Exit status 0 on success, 2 on bad usage or when the database cannot be reached.`;

type Action = 'migrate' | 'status' | 'retry' | 'purge';
const ACTIONS: readonly Action[] = ['migrate', 'status', 'retry', 'purge'];

interface OutboxSettings {
  readonly action: Action;
  readonly url: string;
  readonly names: TableNames;
  readonly ids: readonly string[] | undefined;
  readonly json: boolean;
}

/** A connection the command opens and closes. */
interface Connection {
  readonly db: SqlExecutor;
  close(): Promise<void>;
}

/** `auditwire outbox ...`. Never throws: every failure is one line (credentials masked) and exit status 2. */
export async function runOutbox(args: string[], io: CommandIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let settings: OutboxSettings | 'help';
  try {
    settings = parseOutboxArgs(args, env);
  } catch (error) {
    io.err(errorLine(error));
    return 2;
  }
  if (settings === 'help') {
    io.out(OUTBOX_HELP);
    return 0;
  }
  const redact = redactor([passwordOf(settings.url)]);
  let connection: Connection | undefined;
  try {
    connection = await connect(settings.url, io.cwd ?? process.cwd());
    await runAction(settings, connection.db, io);
    return 0;
  } catch (error) {
    io.err(redact(errorLine(error)));
    return 2;
  } finally {
    await connection?.close().catch(() => {});
  }
}

async function runAction(settings: OutboxSettings, db: SqlExecutor, io: CommandIo): Promise<void> {
  const { names } = settings;
  const filter = { ids: settings.ids };
  switch (settings.action) {
    case 'migrate':
      await db.query(migrationScript(names), []);
      io.out(`outbox ${names.display}: migrated`);
      return;
    case 'retry':
      io.out(`outbox ${names.display}: ${await retryDead(db, names, filter)} dead row(s) pending again`);
      return;
    case 'purge':
      io.out(`outbox ${names.display}: ${await purgeDead(db, names, filter)} dead row(s) deleted`);
      return;
    case 'status': {
      const stats = await readStats(db, names);
      const dead = await listDead(db, names, 20);
      if (settings.json) {
        io.out(JSON.stringify({ table: names.display, ...stats, deadRows: dead }));
        return;
      }
      io.out(`outbox ${names.display}`);
      io.out(`  pending: ${stats.pending}`);
      io.out(`  leased: ${stats.leased}`);
      io.out(`  dead: ${stats.dead}`);
      io.out(`  oldest pending: ${(stats.oldestPendingAgeMs / 1000).toFixed(1)} s`);
      for (const row of dead) {
        io.out(`  dead ${row.id}: ${row.attempts} attempt(s), status ${row.lastStatus ?? '-'}: ${row.lastError ?? '(no error recorded)'}`);
      }
      if (stats.dead > dead.length) io.out(`  ... and ${stats.dead - dead.length} more dead row(s)`);
      return;
    }
  }
}

function parseOutboxArgs(args: string[], env: NodeJS.ProcessEnv): OutboxSettings | 'help' {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      'database-url': { type: 'string' },
      table: { type: 'string' },
      schema: { type: 'string' },
      id: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const [action, ...extra] = positionals;
  if (action === undefined || !(ACTIONS as readonly string[]).includes(action)) {
    throw new CliInputError(`auditwire outbox needs one of ${ACTIONS.join(', ')} (try: auditwire outbox --help)`);
  }
  if (extra.length > 0) throw new CliInputError(`unexpected argument "${extra[0]}"`);
  const url = values['database-url'] ?? env.DATABASE_URL;
  if (url === undefined || url === '') throw new CliInputError('--database-url URL is required (or set DATABASE_URL)');
  if (values.id !== undefined && action !== 'retry' && action !== 'purge') throw new CliInputError('--id is for retry and purge');
  let names: TableNames;
  try {
    names = tableNames({ table: values.table, schema: values.schema });
  } catch (error) {
    throw new CliInputError(error instanceof Error ? error.message : String(error));
  }
  return { action: action as Action, url, names, ids: values.id, json: values.json };
}

function passwordOf(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? undefined : password;
  } catch {
    return undefined;
  }
}

/**
 * Connects with the user's own driver: auditwire depends on neither. Resolved from the current directory first
 * (the project the command runs in), then from wherever auditwire itself is installed.
 */
async function connect(url: string, cwd: string): Promise<Connection> {
  const pg = (await importFromProject('pg', cwd)) as { default?: PgModule } & Partial<PgModule> | undefined;
  const Client = pg?.default?.Client ?? pg?.Client;
  if (Client !== undefined) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    // A connection lost mid-command surfaces as the failed query; without a listener it would crash the process.
    client.on('error', () => {});
    await client.connect();
    return { db: toExecutor(client, 'pg client'), close: () => client.end() };
  }
  const postgres = (await importFromProject('postgres', cwd)) as { default?: PostgresFactory } | undefined;
  const factory = postgres?.default;
  if (typeof factory === 'function') {
    const sql = factory(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
    return { db: toExecutor(sql, 'postgres.js sql'), close: () => sql.end({ timeout: 5 }) };
  }
  throw new CliInputError('auditwire outbox needs a PostgreSQL driver: install "pg" or "postgres" in your project (npm install pg)');
}

interface PgModule {
  Client: new (config: { connectionString: string; connectionTimeoutMillis: number }) => {
    connect(): Promise<unknown>;
    end(): Promise<void>;
    on(event: 'error', listener: (error: Error) => void): unknown;
    query(text: string, values: unknown[]): Promise<unknown>;
  };
}

type PostgresFactory = (
  url: string,
  options: { max: number; onnotice: () => void; connect_timeout: number },
) => { unsafe(text: string, values: never[]): PromiseLike<unknown>; end(options: { timeout: number }): Promise<void> };

async function importFromProject(name: string, cwd: string): Promise<unknown> {
  try {
    const resolved = createRequire(join(cwd, 'package.json')).resolve(name);
    return await import(pathToFileURL(resolved).href);
  } catch {
    try {
      return await import(name);
    } catch {
      return undefined;
    }
  }
}
