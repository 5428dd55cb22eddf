import type { ParsedArgs } from './args';

/** What a command gets: its arguments, environment, output streams and clock (tests pass their own). */
export interface CliContext {
  args: ParsedArgs;
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  now(): Date;
  /** AbortSignal fired on SIGINT/SIGTERM */
  signal: AbortSignal;
}

export type Command = (ctx: CliContext) => Promise<number>;

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
