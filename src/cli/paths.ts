// Where the CLI finds its config file and cache (docs/contract/cli.md).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { flag, type ParsedArgs } from './args';

export function configPath(args: ParsedArgs, env: NodeJS.ProcessEnv): string {
  return (
    flag(args, 'config') ??
    env.SPEND_BAND_CONFIG ??
    join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'spend-band', 'config.json')
  );
}

export function cacheDir(args: ParsedArgs, env: NodeJS.ProcessEnv): string {
  return (
    flag(args, 'cache-dir') ??
    env.SPEND_BAND_CACHE ??
    join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'spend-band')
  );
}
