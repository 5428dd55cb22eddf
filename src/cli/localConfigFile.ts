import { readFile } from 'node:fs/promises';
import { LocalConfigError, parseLocalConfig, type LocalConfig } from '../domain/localConfig';
import { EXIT } from '../domain/exitCodes';
import { CliError } from './cliError';

/** Read the local config file; a missing file is an empty config, a broken one an error naming line and field. */
export async function readLocalConfigFile(path: string): Promise<{ config: LocalConfig; found: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { config: {}, found: false };
    throw new CliError(`cannot read ${path}: ${(error as Error).message}. Check the path given by --config or SPEND_BAND_CONFIG.`, EXIT.usage);
  }
  try {
    return { config: parseLocalConfig(text, path), found: true };
  } catch (error) {
    if (error instanceof LocalConfigError) throw new CliError(`${error.message}. Fix the file and run again.`, EXIT.usage);
    throw error;
  }
}
