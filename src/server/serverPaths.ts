// Where the reference server keeps its database: --db, else SPEND_BAND_DB, else the XDG data folder.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { flag, type ParsedArgs } from '../cli/args';

export function serverDbPath(args: ParsedArgs, env: NodeJS.ProcessEnv): string {
  return flag(args, 'db') ?? env.SPEND_BAND_DB ?? join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'spend-band', 'server.db');
}
