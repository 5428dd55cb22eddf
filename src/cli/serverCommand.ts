// `spend-band server`: load dist/server.js at run time (the CLI bundle stays small and better-sqlite3 is
// loaded only by the commands that need it) and run the server with the flags given here. The bundle's
// exports are described by domain/serverAdmin.ts, so this face imports nothing from src/server/.
import { EXIT } from '../domain/exitCodes';
import type { ServerModule } from '../domain/serverAdmin';
import { assertKnownFlags, flag, hasFlag } from './args';
import type { CliContext, Command } from './cliContext';
import { CliError } from './cliError';

export function loadServerModule(): ServerModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bundle = require('node:path').join(__dirname, 'server.js') as string;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(bundle) as ServerModule;
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown } | null;
    if (e?.code !== 'MODULE_NOT_FOUND' || typeof e.message !== 'string' || !e.message.includes(bundle)) throw error;
    throw new CliError(
      `the reference server (${bundle}) is not beside this copy of spend-band. Build it (npm run build in a clone), or use the npm-installed CLI.`,
      EXIT.usage,
    );
  }
}

const SERVER_FLAGS = ['db', 'database', 'host', 'port', 'demo'];

/** Runs until SIGINT/SIGTERM (ctx.signal), then closes cleanly and returns 0. */
export function runServerCommand(ctx: CliContext, server: ServerModule): Promise<number> {
  assertKnownFlags(ctx.args, SERVER_FLAGS);
  if (ctx.args.positionals.length > 0)
    throw new CliError(`unexpected "${ctx.args.positionals[0]}". Run spend-band server --help for usage.`, EXIT.usage);
  return server.runServer(
    {
      db: flag(ctx.args, 'db') ?? flag(ctx.args, 'database'),
      host: flag(ctx.args, 'host'),
      port: flag(ctx.args, 'port'),
      demo: hasFlag(ctx.args, 'demo'),
      json: hasFlag(ctx.args, 'json'),
    },
    ctx,
  );
}

export const serverCommand: Command = (ctx: CliContext) => runServerCommand(ctx, loadServerModule());
