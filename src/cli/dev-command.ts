import { createReferenceServer, type ReferenceServer } from '../server/reference-server.js';
import { isLoopbackHost } from '../internal/loopback.js';
import type { CommandIo } from './command-io.js';
import { errorLine } from './error-line.js';
import { parseCommandArgs } from './parse-command-args.js';
import { CliInputError } from './usage-error.js';

// This module is all `auditwire dev` loads besides the server: no client, no adapters, no zod, so it starts fast.

const DEV_HELP = `Usage: auditwire dev [--port N] [--host H] [--file PATH] [--quiet]

Runs the auditwire reference server: one HTTP server that speaks the AuditLog.co, Retraced, LogZab and Frontegg
wire formats at their vendors' paths, accepts any well-formed credential, and answers every event with its hash.

  --port N        port to listen on; 0 picks a free one (default: 4318)
  --host H        address to listen on (default: 127.0.0.1; anything else exposes a server that accepts any key;
                  for 0.0.0.0, every interface, the URL printed is the loopback one a client here can use)
  --file PATH     append every event received to PATH as JSON Lines
  --quiet         do not log one line per request
  -h, --help      show this help

GET /_auditwire/events lists what arrived, a page at a time (?limit=N, default 100; follow nextCursor);
DELETE /_auditwire/events forgets it. Stops on Ctrl-C or SIGTERM (exit 0). Exit status 2 when it cannot listen (e.g. the port is in use).`;

const DEFAULT_DEV_PORT = 4318;
const DEFAULT_HOST = '127.0.0.1';

/** Runs the server until `io.signal` aborts. Never throws: usage problems print one line and return 2. */
export async function runDev(args: string[], io: CommandIo): Promise<number> {
  let parsed: DevSettings | 'help';
  try {
    parsed = parseDevArgs(args);
  } catch (error) {
    io.err(errorLine(error));
    return 2;
  }
  if (parsed === 'help') {
    io.out(DEV_HELP);
    return 0;
  }
  const settings = parsed;

  let server: ReferenceServer;
  try {
    server = await createReferenceServer({
      port: settings.port,
      host: settings.host,
      ...(settings.file === undefined ? {} : { file: settings.file }),
      ...(settings.quiet
        ? {}
        : {
            onRequest: (info: RequestInfo): void => io.out(requestLine(info)),
          }),
    });
  } catch (error) {
    io.err(errorLine(listenFailure(error, settings)));
    return 2;
  }

  io.out(`auditwire reference server listening on ${server.url}`);
  for (const line of banner(server.url)) io.out(line);
  if (!isLoopbackHost(settings.host)) {
    // server.url is the loopback form for a wildcard address: a client refuses http://0.0.0.0 as an endpoint.
    io.err(`auditwire: warning: listening on ${settings.host}, not loopback: anyone who can reach it can store events (any credential is accepted)`);
  }

  await aborted(io.signal);
  // Closing also finishes the --file output, so the last events are on disk before the exit.
  await server.close();
  io.out('auditwire reference server stopped');
  return 0;
}

interface DevSettings {
  readonly port: number;
  readonly host: string;
  readonly file: string | undefined;
  readonly quiet: boolean;
}

function parseDevArgs(args: string[]): DevSettings | 'help' {
  const { values, positionals } = parseCommandArgs('dev', {
    args,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      file: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new CliInputError('dev takes no arguments besides its options (see auditwire dev --help)');
  const port = values.port === undefined ? DEFAULT_DEV_PORT : Number(values.port);
  if (!/^\d{1,5}$/.test(values.port ?? '0') || port > 65_535) throw new CliInputError('--port must be a number from 0 to 65535');
  const host = values.host ?? DEFAULT_HOST;
  if (host.trim() === '') throw new CliInputError('--host must not be empty');
  if (values.file !== undefined && values.file.trim() === '') throw new CliInputError('--file must not be empty');
  return { port, host, file: values.file, quiet: values.quiet };
}

/** What the server reports per request (its `onRequest` option). */
interface RequestInfo {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly format?: 'auditlog' | 'retraced' | 'logzab' | 'frontegg' | undefined;
  readonly events: number;
  readonly listed?: number | undefined;
  readonly cleared?: number | undefined;
}

/**
 * e.g. `POST /api/v1/events 200 auditlog 3 events`, `GET /_auditwire/events 200 100 events listed`; a request that
 * neither carries nor reads events (`POST /auth/vendor`, a 404) gets no count.
 */
function requestLine(info: RequestInfo): string {
  const head = `${info.method} ${info.path} ${info.status}`;
  const events = (count: number): string => `${count} event${count === 1 ? '' : 's'}`;
  if (info.format !== undefined) return `${head} ${info.format} ${events(info.events)}`;
  if (info.listed !== undefined) return `${head} ${events(info.listed)} listed`;
  if (info.cleared !== undefined) return `${head} ${events(info.cleared)} cleared`;
  return head;
}

/** The routes and a ready-to-paste environment, printed after the listening line. */
function banner(url: string): string[] {
  return [
    '',
    'Routes (any well-formed credential is accepted):',
    '  AuditLog.co  POST /api/v1/events',
    '  Retraced     POST /publisher/v1/project/{projectId}/event',
    '               POST /publisher/v1/project/{projectId}/event/bulk',
    '  LogZab       POST /v1/addTrail',
    '  Frontegg     POST /auth/vendor  (token), then POST /audits/',
    '  inspect      GET  /_auditwire/events?limit=100&cursor=C  (what arrived, a page at a time; follow nextCursor)',
    '               DELETE /_auditwire/events  (forget it all)',
    '',
    'Send to it:',
    `  export AUDITWIRE_ENDPOINT=${url}`,
    '  export AUDITWIRE_ADAPTER=auditlog AUDITWIRE_API_KEY=dev:dev',
    '  # retraced: AUDITWIRE_PROJECT_ID=dev AUDITWIRE_API_KEY=dev; frontegg: FRONTEGG_CLIENT_ID=dev FRONTEGG_API_KEY=dev',
    `  echo '{"action":"user.login","actor":{"id":"u-1"}}' | npx auditwire send -`,
    '',
    'Ctrl-C stops it.',
  ];
}

/** A listen error as one actionable line. */
function listenFailure(error: unknown, settings: DevSettings): Error {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') {
    return new CliInputError(`port ${settings.port} is already in use on ${settings.host}; choose another with --port N (--port 0 picks a free one)`);
  }
  if (code === 'EACCES') return new CliInputError(`no permission to listen on port ${settings.port}; choose another with --port N`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new CliInputError(`cannot listen on host ${settings.host} (${code}); check --host`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Resolves when `signal` aborts (never, without one: the server then runs until the process is killed). */
function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return new Promise<void>(() => {});
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
