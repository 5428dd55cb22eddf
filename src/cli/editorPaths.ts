// Where VS Code keeps a user's settings and the extension's files, for the CLI to read what the editor
// wrote (no zod, no config parsing here: `spend-band usage` loads this too).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * VS Code's user folders on this machine, most likely first (stable, Insiders, VSCodium, code-server):
 * settings.json and globalStorage/ live there.
 */
export function vscodeUserDirs(env: NodeJS.ProcessEnv): string[] {
  if (env.SPEND_BAND_VSCODE_USER_DIR) return [env.SPEND_BAND_VSCODE_USER_DIR];
  const home = env.HOME || homedir();
  const products = ['Code', 'Code - Insiders', 'VSCodium'];
  let bases: string[];
  if (process.platform === 'darwin') bases = [join(home, 'Library', 'Application Support')];
  else if (process.platform === 'win32') bases = [env.APPDATA || join(home, 'AppData', 'Roaming')];
  else bases = [env.XDG_CONFIG_HOME || join(home, '.config')];
  const dirs = bases.flatMap((base) => products.map((p) => join(base, p, 'User')));
  dirs.push(join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'code-server', 'User'));
  return dirs;
}

/** The extension's session journal in each VS Code user folder that has one (the extension writes it in its global storage). */
export function extensionJournals(env: NodeJS.ProcessEnv): string[] {
  return vscodeUserDirs(env)
    .map((dir) => join(dir, 'globalStorage', 'spend-band.spend-band', 'sessions.jsonl'))
    .filter((path) => existsSync(path));
}
