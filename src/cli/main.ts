import { unsupportedNodeMessage } from '../node-version.js';
import type { CommandIo } from './command-io.js';
import { errorLine } from './error-line.js';
import { interruptSignal } from './interrupt.js';
import { CliInputError } from './usage-error.js';
import { VERSION } from './version.js';

const HELP = `auditwire - audit events hashed as SHA-256 over RFC 8785 canonical JSON

Usage:
  auditwire hash [FILE] [--canonical] [--retraced --id ID]   print the hash of each event
  auditwire verify FILE [--retraced]                         check recorded hashes (exit 1 on a mismatch, or none)
  auditwire dev [--port N] [--host H] [--file PATH]          run the local reference server (all four formats)
  auditwire send FILE --adapter NAME [options]               send a JSON/JSONL file of events (backfill)
  auditwire outbox migrate|status|retry|purge --database-url URL   manage the PostgreSQL outbox table
  auditwire ledger keygen|verify|prove|reconcile ...         the signed ledger of acknowledged events
  auditwire --version | --help

Run "auditwire COMMAND --help" for a command's options.`;

// Each command is imported when it runs, so `dev` starts without loading the client and its schemas, and `hash`
// without the server.
export async function main(argv: string[]): Promise<number> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const err = (line: string): void => void process.stderr.write(`${line}\n`);
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'hash': {
        const [{ runHash }, { LineOutput }] = await Promise.all([import('./hash-command.js'), import('./line-output.js')]);
        const output = new LineOutput(process.stdout);
        try {
          return await runHash(rest, (line) => output.line(line));
        } finally {
          // Lines computed before a bad event are still printed: they are the hashes of the events before it.
          await output.flush();
        }
      }
      case 'verify': {
        const { runVerify } = await import('./verify-command.js');
        return await runVerify(rest, out, err);
      }
      case 'dev': {
        const { runDev } = await import('./dev-command.js');
        return await withInterrupt((signal) => runDev(rest, { out, err, signal }));
      }
      case 'send': {
        const { runSend } = await import('./send-command.js');
        const io: CommandIo = { out, err, stdin: process.stdin, progress: process.stderr };
        return await withInterrupt((signal) => runSend(rest, { ...io, signal }));
      }
      case 'outbox': {
        const { runOutbox } = await import('./outbox-command.js');
        return await runOutbox(rest, { out, err });
      }
      case 'ledger': {
        const { runLedger } = await import('./ledger-command.js');
        return await runLedger(rest, { out, err });
      }
      case '--version':
      case '-v':
        out(VERSION);
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        out(HELP);
        return 0;
      default:
        throw new CliInputError(`unknown command "${command}" (try: auditwire --help)`);
    }
  } catch (error) {
    // Every failure is one line on stderr: never a stack trace.
    err(errorLine(error));
    return 2;
  }
}

async function withInterrupt(run: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const interrupt = interruptSignal();
  try {
    return await run(interrupt.signal);
  } finally {
    interrupt.dispose();
  }
}

// Before any command loads undici, which dies obscurely on an older Node: one clear line instead.
const unsupported = unsupportedNodeMessage(process.version);
if (unsupported === undefined) {
  process.exitCode = await main(process.argv.slice(2));
} else {
  process.stderr.write(`${unsupported}\n`);
  process.exitCode = 2; // 1 means "a hash differs" to verify's callers; this is "could not run"
}
