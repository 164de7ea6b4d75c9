/** A problem with the command line or its input: printed as one line, exit status 2. */
export class CliInputError extends Error {
  override readonly name = 'CliInputError';
}
