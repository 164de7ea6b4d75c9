import { runHash } from './hash-command.js';
import { CliInputError } from './usage-error.js';
import { runVerify } from './verify-command.js';
import { VERSION } from './version.js';

const HELP = `auditwire - audit events hashed as SHA-256 over RFC 8785 canonical JSON

Usage:
  auditwire hash [FILE] [--canonical] [--retraced --id ID]   print the hash of each event
  auditwire verify FILE [--retraced]                         check recorded hashes (exit 1 on a mismatch)
  auditwire --version | --help

Run "auditwire COMMAND --help" for a command's options.`;


export async function main(argv: string[]): Promise<number> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const err = (line: string): void => void process.stderr.write(`${line}\n`);
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'hash':
        return await runHash(rest, out);
      case 'verify':
        return await runVerify(rest, out, err);
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
    const message = error instanceof Error ? error.message : String(error);
    // JSON.parse quotes the offending input, newlines included: fold them so the error stays on one line.
    err(`auditwire: ${message.replace(/\s*[\r\n]+\s*/g, ' ')}`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
