// "Install Claude Code Hook…" (Bands view overflow menu): the same as `spend-band hook install`, with the
// hook's own entry that ships in the extension (dist/spend-band-hook.js) as the hook's command. It shows what it will change and asks first;
// the settings merge, backup and idempotence are flows/agents/claudeHooks.ts.
import * as path from 'node:path';
import {
  defaultClaudeSettingsPath,
  fastEntryCommand,
  HOOK_ENTRY,
  installClaudeHooks,
  SettingsFileError,
} from '../flows/agents/claudeHooks';
import { showErrorMessage, showInformationMessage } from './notify';

export interface InstallHookUi {
  confirm(message: string, detail: string, action: string): Thenable<string | undefined>;
  info(message: string): void;
  error(message: string): void;
}

const defaultUi: InstallHookUi = {
  confirm: (message, detail, action) => showInformationMessage(message, { modal: true, detail }, action),
  info: (message) => void showInformationMessage(message),
  error: (message) => void showErrorMessage(message),
};

/** Returns what was done: 'installed', 'unchanged', 'cancelled' or 'failed'. */
export async function installClaudeHook(
  extensionPath: string,
  settingsPath = defaultClaudeSettingsPath(process.env),
  ui: InstallHookUi = defaultUi,
): Promise<string> {
  const command = fastEntryCommand('node', path.join(extensionPath, 'dist', HOOK_ENTRY), 'hook');
  try {
    const preview = installClaudeHooks({ settingsPath, command, dryRun: true, now: new Date() });
    if (preview.changes.length === 0) {
      ui.info(`Spend Band: the Claude Code hooks are already in ${settingsPath}.`);
      return 'unchanged';
    }
    const action = 'Install';
    const chosen = await ui.confirm(
      `Add Spend Band's pre-flight hooks to ${settingsPath}?`,
      `${preview.changes.join('; ')}. Your other hooks and settings stay as they are; a backup of the file is kept. Sub-agents and claude -p runs will then be checked against your band before they start.`,
      action,
    );
    if (chosen !== action) return 'cancelled';
    const done = installClaudeHooks({ settingsPath, command, dryRun: false, now: new Date() });
    ui.info(
      `Spend Band: ${done.changes.join(', ')} in ${settingsPath}.${done.backup ? ` Backup: ${done.backup}.` : ''} Restart Claude Code to load them.`,
    );
    return 'installed';
  } catch (error) {
    ui.error(
      error instanceof SettingsFileError
        ? `Spend Band: ${error.message}`
        : `Spend Band: could not install the hook: ${(error as Error).message}`,
    );
    return 'failed';
  }
}
