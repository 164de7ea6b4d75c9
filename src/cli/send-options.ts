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
                         the current directory for standard input); the reasons go to PATH.errors.jsonl
  --verify MODE          require | when-present | off: checking the hash the server returns (default: when-present)
  --concurrency N        requests in flight at once (default: 4; 16 for logzab and frontegg)
  --batch-size N         events per request, at most the adapter's limit (default: that limit)
  --allow-insecure-http  allow a plain http:// endpoint that is not loopback (the key then travels in the clear)
  --quiet                no progress bar, and no output at all unless something fails
  -h, --help             show this help

At the end it prints "sent N, verified V, failed F in T s (R events/s)": sent = acknowledged by the server,
verified = the server's hash matched. On a terminal a progress bar is drawn on stderr.
Ctrl-C stops reading, gives the events in flight a few seconds, and writes the unsent ones to the failures file.
Exit status: 0 when every event was sent, 1 when any failed or the send was interrupted, 2 on a usage or
configuration problem.`;

const ADAPTERS: readonly AdapterName[] = BUILT_IN_ADAPTERS;

export interface SendSettings {
  /** The FILE argument as given ("-" for standard input). */
  readonly file: string;
  /** Absolute path of FILE, undefined for standard input. */
  readonly inputPath: string | undefined;
  readonly failuresPath: string;
  readonly quiet: boolean;
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
  const failuresPath = resolve(cwd, values.failures ?? (inputPath === undefined ? 'auditwire-send.failed.jsonl' : `${inputPath}.failed.jsonl`));
  if (failuresPath === inputPath) throw new CliInputError('--failures must not be the input FILE');

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
    ...(values['allow-insecure-http'] ? { allowInsecureHttp: true } : {}),
    // Reading waits while the queue is full, so the input streams in at the pace the server takes it.
    whenQueueFull: 'wait',
  };
  return { file, inputPath, failuresPath, quiet: values.quiet, client, apiKey: values['api-key'] };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function count(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new CliInputError(`${flag} must be a whole number >= 1`);
  return Number(text);
}

const FLAG_OF: Readonly<Record<string, string>> = {
  'options.adapter': '--adapter',
  'options.endpoint': '--endpoint',
  'options.apiKey': '--api-key',
  'options.projectId': '--project-id',
  'options.clientId': '--client-id',
  'options.verify': '--verify',
  'options.maxConcurrentRequests': '--concurrency',
  'options.maxBatchSize': '--batch-size',
};

/** The client's configuration error in the command's terms: `--endpoint: ...` rather than `options.endpoint: ...`. */
export function configError(error: ValidationError): CliInputError {
  const issues = error.issues.map((issue) => `${FLAG_OF[issue.path] ?? issue.path}: ${issue.message.replace('allowInsecureHttp', '--allow-insecure-http')}`);
  return new CliInputError(issues.join('; '));
}
