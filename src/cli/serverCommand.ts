// `spend-band server` and `spend-band admin`: thin wrappers that load dist/server.js at run time, so the
// CLI bundle stays small and better-sqlite3 is loaded only by the commands that need it. dist/server.js
// carries its own copy of CliError; main.ts recognises its errors by name and exit code.
import type { CliContext, Command } from './cliContext';

type ServerModule = typeof import('../server/main');

function loadServer(): ServerModule {
  return require(require('node:path').join(__dirname, 'server.js')) as ServerModule;
}

export const serverCommand: Command = (ctx: CliContext) => loadServer().runServerCli(ctx);
export const adminCommand: Command = (ctx: CliContext) => loadServer().runAdminCli(ctx);
