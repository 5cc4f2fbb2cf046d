/** A command line that asks for something that cannot be done: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
