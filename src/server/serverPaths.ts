// Where the reference server keeps its database: --db, else SPEND_BAND_DB, else the XDG data folder.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function serverDbPath(dbFlag: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  return (
    dbFlag ??
    env.SPEND_BAND_DB ??
    join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'spend-band', 'server.db')
  );
}
