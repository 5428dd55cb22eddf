import type { Command } from './cliContext';
import { EXIT } from '../domain/exitCodes';

/** A command whose issue has not landed yet: says so on stderr and exits 2. */
export function notAvailable(name: string, issue: number): Command {
  return async (ctx) => {
    ctx.stderr.write(
      `spend-band: "${name}" is not available yet in this build (issue #${issue}). Use "spend-band status" for now.\n`,
    );
    return EXIT.usage;
  };
}
