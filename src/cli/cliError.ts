// The one error the CLI reports as a single line on stderr with its exit code (the codes: domain/exitCodes.ts).
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
