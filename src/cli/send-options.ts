import { resolve } from 'node:path';
import { ValidationError } from '../errors.js';
import { BUILT_IN_ADAPTERS, type AdapterName, type ClientOptions, type VerifyPolicy } from '../options.js';
import { parseCommandArgs } from './parse-command-args.js';
import { CliInputError } from './usage-error.js';

export const SEND_HELP = `Usage: auditwire send FILE --adapter NAME [options]

Sends the events in FILE ("-" for standard input) through an adapter, for backfills and imports. FILE holds one
JSON event, a JSON array of events, or JSONL (one event per line); arrays and JSONL are read as streams, so a large
file is never held in memory. Each event succeeds or fails on its own; failed events are written unchanged to a
file that the same command can send again.

  --adapter NAME         auditlog | retraced | logzab | frontegg (default: $AUDITWIRE_ADAPTER)
  --endpoint URL         the service's base URL (default: $AUDITWIRE_ENDPOINT, else the vendor's)
  --api-key KEY          the credential as the vendor issues it (default: $AUDITWIRE_API_KEY; frontegg also
                         $FRONTEGG_API_KEY). Prefer the environment variable: other users on the machine can
                         read command lines with ps.
  --project-id ID        Retraced project id (default: $AUDITWIRE_PROJECT_ID)
  --client-id ID         Frontegg client id (default: $FRONTEGG_CLIENT_ID); the API key is its secret
  --failures PATH        where failed events go (default: FILE.failed.jsonl, or auditwire-send.failed.jsonl in
                         the current directory for standard input; sending a *.failed.jsonl file again
                         rewrites that same file with the events still failing); the reasons go to
                         PATH.errors.jsonl
  --verify MODE          require | when-present | off: checking the hash the server returns (default: when-present)
  --concurrency N        requests in flight at once (default: 4; 16 for logzab and frontegg)
  --batch-size N         events per request, at most the adapter's limit (default: that limit; more is
                         lowered to it, with a warning)
  --max-queue-bytes N    largest total size of the events queued in the client, so also of one event
                         (default: 16777216, 16 MiB)
  --require-time         fail events that have no "time" instead of stamping them with the time they are sent
  --allow-insecure-http  allow a plain http:// endpoint that is not loopback (the key then travels in the clear)
  --quiet                no progress bar, and no output at all unless something fails
  -h, --help             show this help

At the end it prints "sent N, verified V, failed F in T s (R events/s)": sent = acknowledged by the server,
verified = the server's hash matched. On a terminal a progress bar is drawn on stderr; otherwise a progress line
is printed every few seconds. When the server cannot be reached, that is said at once (the client keeps retrying).
The failures file is replaced by each run, and removed by a run in which every event was sent; the end of the run
says which failed events can be sent again as they are and which must be fixed first.
Ctrl-C stops reading, gives the events in flight a few seconds, and writes every event that was not sent (failed,
still in flight, or not read yet) to the failures file: send that file to resume. From standard input, the events
not read yet cannot be kept: the message names the line to start again from.
Exit status: 0 when every event was sent, 1 when any failed or the send was interrupted, 2 on a usage or
configuration problem.`;

const ADAPTERS: readonly AdapterName[] = BUILT_IN_ADAPTERS;
const FAILED_SUFFIX = '.failed.jsonl';

export interface SendSettings {
  /** The FILE argument as given ("-" for standard input). */
  readonly file: string;
  /** Absolute path of FILE, undefined for standard input. */
  readonly inputPath: string | undefined;
  readonly failuresPath: string;
  readonly quiet: boolean;
  /** The input is itself a failures file sent again: its failures replace it (never `X.failed.jsonl.failed.jsonl`). */
  readonly inPlace: boolean;
  /** Refuse events without `time` rather than let the client stamp them with the send time. */
  readonly requireTime: boolean;
  /** The client options the flags set; everything else comes from the client's own environment handling. */
  readonly client: ClientOptions;
  /** The key given on the command line, to mask it in output. */
  readonly apiKey: string | undefined;
}

/** Parses the command line. Returns 'help' for --help; throws `CliInputError` for anything unusable. */
export function parseSendArgs(args: string[], cwd: string, env: NodeJS.ProcessEnv): SendSettings | 'help' {
  const { values, positionals } = parseCommandArgs('send', {
    args,
    allowPositionals: true,
    options: {
      adapter: { type: 'string' },
      endpoint: { type: 'string' },
      'api-key': { type: 'string' },
      'project-id': { type: 'string' },
      'client-id': { type: 'string' },
      failures: { type: 'string' },
      verify: { type: 'string' },
      concurrency: { type: 'string' },
      'batch-size': { type: 'string' },
      'max-queue-bytes': { type: 'string' },
      'require-time': { type: 'boolean', default: false },
      'allow-insecure-http': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  // Never echo the arguments: a misplaced secret would end up on the terminal.
  if (positionals.length !== 1) throw new CliInputError('send takes exactly one FILE (or "-" for standard input); see auditwire send --help');
  const file = positionals[0] as string;

  const adapter = values.adapter;
  if (adapter === undefined && (env.AUDITWIRE_ADAPTER ?? '').trim() === '') {
    throw new CliInputError(`send needs --adapter NAME (${ADAPTERS.join(', ')}) or AUDITWIRE_ADAPTER`);
  }
  if (adapter !== undefined && !ADAPTERS.includes(adapter as AdapterName)) {
    throw new CliInputError(`--adapter must be one of ${ADAPTERS.join(', ')}`);
  }
  const verify = values.verify;
  if (verify !== undefined && !['require', 'when-present', 'off'].includes(verify)) {
    throw new CliInputError('--verify must be one of require, when-present, off');
  }

  const inputPath = file === '-' ? undefined : resolve(cwd, file);
  const inPlace = values.failures === undefined && inputPath !== undefined && inputPath.endsWith(FAILED_SUFFIX);
  const failuresPath = inPlace ? (inputPath as string) : resolve(cwd, values.failures ?? (inputPath === undefined ? `auditwire-send${FAILED_SUFFIX}` : `${inputPath}${FAILED_SUFFIX}`));
  if (!inPlace && failuresPath === inputPath) throw new CliInputError('--failures must not be the input FILE');

  // Options left out fall back to the client's own environment handling (AUDITWIRE_ENDPOINT and the rest).
  const client: ClientOptions = {
    ...(adapter === undefined ? {} : { adapter: adapter as AdapterName }),
    ...optional('endpoint', values.endpoint),
    ...optional('apiKey', values['api-key']),
    ...optional('projectId', values['project-id']),
    ...optional('clientId', values['client-id']),
    ...(verify === undefined ? {} : { verify: verify as VerifyPolicy }),
    ...optional('maxConcurrentRequests', count('--concurrency', values.concurrency)),
    ...optional('maxBatchSize', count('--batch-size', values['batch-size'])),
    ...optional('maxQueueBytes', count('--max-queue-bytes', values['max-queue-bytes'])),
    ...(values['allow-insecure-http'] ? { allowInsecureHttp: true } : {}),
    // Reading waits while the queue is full, so the input streams in at the pace the server takes it.
    whenQueueFull: 'wait',
  };
  return { file, inputPath, failuresPath, quiet: values.quiet, inPlace, requireTime: values['require-time'], client, apiKey: values['api-key'] };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function count(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new CliInputError(`${flag} must be a whole number >= 1`);
  return Number(text);
}

/** Each client option the command sets: its flag, and the environment variable the client reads when the flag is absent. */
const SOURCES: Readonly<Record<string, { readonly option: keyof ClientOptions; readonly flag: string; readonly env?: (adapter: string | undefined) => string }>> = {
  'options.adapter': { option: 'adapter', flag: '--adapter', env: () => 'AUDITWIRE_ADAPTER' },
  'options.endpoint': { option: 'endpoint', flag: '--endpoint', env: () => 'AUDITWIRE_ENDPOINT' },
  'options.apiKey': { option: 'apiKey', flag: '--api-key', env: (adapter) => (adapter === 'frontegg' && (process.env.AUDITWIRE_API_KEY ?? '') === '' ? 'FRONTEGG_API_KEY' : 'AUDITWIRE_API_KEY') },
  'options.projectId': { option: 'projectId', flag: '--project-id', env: () => 'AUDITWIRE_PROJECT_ID' },
  'options.clientId': { option: 'clientId', flag: '--client-id', env: () => 'FRONTEGG_CLIENT_ID' },
  'options.verify': { option: 'verify', flag: '--verify' },
  'options.maxConcurrentRequests': { option: 'maxConcurrentRequests', flag: '--concurrency' },
  'options.maxBatchSize': { option: 'maxBatchSize', flag: '--batch-size' },
  'options.maxQueueBytes': { option: 'maxQueueBytes', flag: '--max-queue-bytes' },
};

/**
 * The client's configuration error in the command's terms: `--endpoint: ...` for a flag that was given, and the
 * environment variable (`AUDITWIRE_API_KEY: ...`) for a value that came from there, rather than `options.endpoint`.
 */
export function configError(error: ValidationError, client: ClientOptions): CliInputError {
  const adapter = typeof client.adapter === 'string' ? client.adapter : process.env.AUDITWIRE_ADAPTER;
  const issues = error.issues.map((issue) => {
    const source = SOURCES[issue.path];
    const env = source?.env?.(adapter);
    // From the environment only when the flag is absent and the variable set: a missing value is named by its flag.
    const fromEnv = source !== undefined && client[source.option] === undefined && env !== undefined && (process.env[env] ?? '').trim() !== '';
    const name = source === undefined ? issue.path : fromEnv ? env : source.flag;
    return `${name}: ${issue.message.replace('allowInsecureHttp', '--allow-insecure-http')}`;
  });
  return new CliInputError(issues.join('; '));
}
