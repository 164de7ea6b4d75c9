import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliInputError } from './usage-error.js';

/**
 * `parseArgs` whose errors read as a usage line of this command: `unknown option --bogus (see auditwire hash
 * --help)` rather than Node's parser text, which suggests `--` quoting that no auditwire command needs.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw usageError(command, error);
  }
}

function usageError(command: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const help = `see auditwire ${command} --help`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /^Unknown option '([^']*)'/.exec(message)?.[1];
    return new CliInputError(`unknown option ${option ?? ''} (${help})`.replace('  ', ' '));
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const missing = /^Option '(-\S+)(?: <value>)?' argument missing/.exec(message)?.[1];
    if (missing !== undefined) return new CliInputError(`${missing.replace(/^-\w, /, '')} needs a value (${help})`);
    const flag = /^Option '(-\S+)' does not take an argument/.exec(message)?.[1];
    if (flag !== undefined) return new CliInputError(`${flag.replace(/^-\w, /, '')} takes no value (${help})`);
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new CliInputError(`unexpected argument (${help})`);
  return error instanceof Error ? error : new Error(message);
}
