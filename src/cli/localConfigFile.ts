// The local band definitions the CLI reads, and where they come from. Two places, one truth:
//   - the CLI's own config file (--config, SPEND_BAND_CONFIG, ~/.config/spend-band/config.json) when
//     it exists: someone without the editor, or a file kept in a dotfiles repository;
//   - else the editor's user settings (`spendBand.local.*` in VS Code's settings.json): a person who set
//     bands up in the editor expects `spend-band status` in its terminal to show the same bands, the
//     same classes and the same usage, with nothing more to set up. The settings file is read, never
//     written; its place is VS Code's per-platform user folder (or SPEND_BAND_VSCODE_USER_DIR).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT } from '../domain/exitCodes';
import { LocalConfigError, parseLocalConfig, validateLocalConfig, type LocalConfig } from '../domain/localConfig';
import { CliError } from './cliError';
import { vscodeUserDirs } from './editorPaths';

/** Read the local config file; a missing file is an empty config, a broken one an error naming line and field. */
export async function readLocalConfigFile(path: string): Promise<{ config: LocalConfig; found: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { config: {}, found: false };
    throw new CliError(
      `cannot read ${path}: ${(error as Error).message}. Check the path given by --config or SPEND_BAND_CONFIG.`,
      EXIT.usage,
    );
  }
  try {
    return { config: parseLocalConfig(text, path), found: true };
  } catch (error) {
    if (error instanceof LocalConfigError)
      throw new CliError(`${error.message}. Fix the file and run again.`, EXIT.usage);
    throw error;
  }
}

/** JSON with comments and trailing commas (VS Code's settings.json) as plain JSON text; strings are kept as they are. */
export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  // a comma before a closing bracket or brace (outside strings: those were copied whole above, so
  // rerun the same walk to stay out of them)
  let clean = '';
  for (let k = 0; k < out.length; k++) {
    const c = out[k]!;
    if (c === '"') {
      let j = k + 1;
      while (j < out.length && out[j] !== '"') j += out[j] === '\\' ? 2 : 1;
      clean += out.slice(k, j + 1);
      k = j;
      continue;
    }
    if (c === ',') {
      let j = k + 1;
      while (j < out.length && /\s/.test(out[j]!)) j++;
      if (out[j] === '}' || out[j] === ']') continue;
    }
    clean += c;
  }
  return clean;
}

/** `spendBand.local.*` of a VS Code settings file as a local config, or undefined when it sets none. */
export async function localConfigFromVscodeSettings(path: string): Promise<LocalConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  let settings: Record<string, unknown>;
  try {
    settings = JSON.parse(stripJsonComments(text.replace(/^\uFEFF/, ''))) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(
      `cannot read the editor settings ${path}: ${(error as Error).message}. Fix the file, or write the bands to the CLI's own config file (--config).`,
      EXIT.usage,
    );
  }
  if (!settings || typeof settings !== 'object') return undefined;
  const bands = settings['spendBand.local.bands'];
  const seats = settings['spendBand.local.seats'];
  if (bands === undefined && seats === undefined) return undefined;
  const cap = settings['spendBand.local.perRunCapUsd'];
  const raw = {
    ...(settings['spendBand.local.currency'] !== undefined ? { currency: settings['spendBand.local.currency'] } : {}),
    ...(settings['spendBand.local.timezone'] ? { timezone: settings['spendBand.local.timezone'] } : {}),
    ...(settings['spendBand.local.role'] ? { role: settings['spendBand.local.role'] } : {}),
    ...(seats !== undefined ? { seats } : {}),
    ...(bands !== undefined ? { bands } : {}),
    ...(typeof cap === 'number' ? { per_run_cap_usd: cap } : {}),
  };
  try {
    return validateLocalConfig(raw, `${path} (spendBand.local.*)`);
  } catch (error) {
    if (error instanceof LocalConfigError)
      throw new CliError(`${error.message}. Fix the setting in the editor and run again.`, EXIT.usage);
    throw error;
  }
}

/**
 * The local bands: the CLI's config file when it exists; else the first VS Code user settings that
 * set `spendBand.local.*`. `origin` names where they came from (for the person and --json).
 */
export async function readLocalBands(
  configFile: string,
  env: NodeJS.ProcessEnv,
): Promise<{ config: LocalConfig; found: boolean; origin: string }> {
  const own = await readLocalConfigFile(configFile);
  if (own.found) return { ...own, origin: configFile };
  for (const dir of vscodeUserDirs(env)) {
    const path = join(dir, 'settings.json');
    const config = await localConfigFromVscodeSettings(path);
    if (config) return { config, found: true, origin: path };
  }
  return { config: {}, found: false, origin: configFile };
}
