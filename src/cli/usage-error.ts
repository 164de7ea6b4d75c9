/** A problem with the command line or its input: printed as one line, exit status 2. */
export class CliInputError extends Error {
  override readonly name: string = 'CliInputError';
}

/** Input without a single event (an empty file, only whitespace): `verify` treats it as a failed check, not bad input. */
export class EmptyInputError extends CliInputError {
  override readonly name: string = 'EmptyInputError';
}
