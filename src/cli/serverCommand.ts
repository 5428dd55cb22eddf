// `spend-band server` and `spend-band admin`: thin wrappers that load dist/server.js at run time, so the
// CLI bundle stays small and better-sqlite3 is loaded only by the commands that need it.
import type { CliContext, Command } from './cliContext';
import { CliError } from './exitCodes';

type ServerModule = typeof import('../server/main');

function loadServer(): ServerModule {
  return require(require('node:path').join(__dirname, 'server.js')) as ServerModule;
}

/**
 * dist/server.js is its own bundle with its own copy of CliError, so `instanceof` in main.ts would not
 * recognise its errors; re-create them here with their exit code.
 */
async function bridged(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    const e = error as { name?: unknown; message?: unknown; exitCode?: unknown } | null;
    if (e && e.name === 'CliError' && typeof e.exitCode === 'number' && typeof e.message === 'string') throw new CliError(e.message, e.exitCode);
    throw error;
  }
}

export const serverCommand: Command = (ctx: CliContext) => bridged(() => loadServer().runServerCli(ctx));
export const adminCommand: Command = (ctx: CliContext) => bridged(() => loadServer().runAdminCli(ctx));
