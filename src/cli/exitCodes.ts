// Exit codes of the `spend-band` CLI (../shared/contract/cli.md).
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  unreachable: 3,
  invalid: 4,
  unauthorized: 5,
  warn: 10,
  needsApproval: 11,
  deny: 12,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line on stderr with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
