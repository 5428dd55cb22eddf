// Adding Spend Band's hooks to a Claude Code settings file (https://code.claude.com/docs/en/hooks:
// `hooks.<Event>[] = { matcher, hooks: [{ type: "command", command, timeout }] }`), shared by
// `spend-band hook install` and the extension's "Install Claude Code Hook". Other hooks and settings
// are kept as they are; our entries are found by their command and updated in place, so running it
// again changes nothing. A backup of the file is kept before the first change, and the new file is
// written to a temp file and renamed. A file that is not a JSON object is refused, unchanged.
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Tools that start work the user does not watch step by step (sub-agents, workflows, schedules). */
export const HOOK_TOOL_MATCHER = 'Agent|Task|Workflow|CronCreate|ScheduleWakeup';
/** Seconds Claude Code gives the hook; the hook itself gives up on the endpoint after 1 s. */
export const HOOK_TIMEOUT_SECONDS = 10;

export class SettingsFileError extends Error {
  override name = 'SettingsFileError';
}

export function defaultClaudeSettingsPath(env: NodeJS.ProcessEnv): string {
  return join(env.CLAUDE_CONFIG_DIR || join(homedir(), '.claude'), 'settings.json');
}

interface CommandHook {
  type: string;
  command?: string;
  timeout?: number;
  [key: string]: unknown;
}
interface MatcherGroup {
  matcher?: string;
  hooks?: CommandHook[];
  [key: string]: unknown;
}

/** The hook's and the status line's own entries in dist/ (esbuild.mjs FAST_ENTRIES). */
export const HOOK_ENTRY = 'spend-band-hook.js';
export const STATUSLINE_ENTRY = 'spend-band-statusline.js';

/** Ours: the hook's entry, or the CLI's `hook claude` that earlier versions installed (updated in place). */
const OURS =
  /(?:(?:^|[\s/"'])(?:spend-band|cli\.js)["']?\s+hook\s+claude\b)|(?:[\s/\\"']spend-band-hook\.js["']?(?:\s|$))/;

/**
 * The command Claude Code runs for the hook's or the status line's entry: node and the file by absolute
 * path (Claude Code runs them in the project's folder). On POSIX, where Claude Code runs the command with
 * a shell, NODE_EXTRA_CA_CERTS is cleared for that one process: Node 20 reads and parses that file at
 * start-up (~40 ms on the machine measured, most of the status line's time) whether or not a TLS
 * connection follows. The status line makes none; the hook gets the value in SPEND_BAND_EXTRA_CA_CERTS
 * and trusts it for an https endpoint (cli/hookCommand.ts), as Node would have.
 */
export function fastEntryCommand(
  node: string,
  script: string,
  kind: 'hook' | 'statusline',
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform === 'win32') return `"${node}" "${script}"`;
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const env =
    kind === 'hook' ? 'SPEND_BAND_EXTRA_CA_CERTS="$NODE_EXTRA_CA_CERTS" NODE_EXTRA_CA_CERTS=' : 'NODE_EXTRA_CA_CERTS=';
  return `${env} ${quote(node)} ${quote(script)}`;
}

/** The settings with our two hooks in place (added or updated), and what changed; other hooks untouched. */
export function withSpendBandHooks(
  settings: Record<string, unknown>,
  command: string,
): { settings: Record<string, unknown>; changes: string[] } {
  const next = structuredClone(settings);
  const hooks = (
    typeof next.hooks === 'object' && next.hooks !== null && !Array.isArray(next.hooks) ? next.hooks : {}
  ) as Record<string, MatcherGroup[]>;
  next.hooks = hooks;
  const changes: string[] = [];
  const want: Array<{ event: string; matcher?: string }> = [
    { event: 'PreToolUse', matcher: HOOK_TOOL_MATCHER },
    { event: 'UserPromptSubmit' },
  ];
  for (const { event, matcher } of want) {
    const groups = Array.isArray(hooks[event]) ? hooks[event]! : [];
    hooks[event] = groups;
    const entry: CommandHook = { type: 'command', command, timeout: HOOK_TIMEOUT_SECONDS };
    let found = false;
    for (const group of groups) {
      for (const [i, hook] of (group.hooks ?? []).entries()) {
        if (typeof hook.command !== 'string' || !OURS.test(hook.command)) continue;
        found = true;
        const sameMatcher = (group.matcher ?? undefined) === matcher;
        if (hook.command !== command || hook.timeout !== entry.timeout || !sameMatcher) {
          group.hooks![i] = { ...hook, ...entry };
          if (!sameMatcher && matcher !== undefined) group.matcher = matcher;
          changes.push(`updated the ${event} hook`);
        }
      }
    }
    if (!found) {
      groups.push({ ...(matcher !== undefined ? { matcher } : {}), hooks: [entry] });
      changes.push(`added a ${event} hook${matcher ? ` for ${matcher}` : ''}`);
    }
  }
  return { settings: next, changes };
}

export interface InstallResult {
  changes: string[];
  /** the settings as written (or as they would be, with dryRun) */
  text: string;
  backup?: string;
  wrote: boolean;
}

export function installClaudeHooks(options: {
  settingsPath: string;
  command: string;
  dryRun: boolean;
  now: Date;
}): InstallResult {
  const path = options.settingsPath;
  let settings: Record<string, unknown> = {};
  if (existsSync(path)) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new SettingsFileError(
        `${path} is not valid JSON (${(error as Error).message}). Fix it first; nothing was changed.`,
      );
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new SettingsFileError(`${path} does not hold a JSON object; nothing was changed.`);
    settings = json as Record<string, unknown>;
    if (
      settings.hooks !== undefined &&
      (typeof settings.hooks !== 'object' || settings.hooks === null || Array.isArray(settings.hooks))
    ) {
      throw new SettingsFileError(`"hooks" in ${path} is not an object; fix it first; nothing was changed.`);
    }
  }
  const { settings: next, changes } = withSpendBandHooks(settings, options.command);
  const text = `${JSON.stringify(next, null, 2)}\n`;
  if (options.dryRun || changes.length === 0) return { changes, text, wrote: false };
  mkdirSync(dirname(path), { recursive: true });
  let backup: string | undefined;
  if (existsSync(path)) {
    backup = `${path}.spend-band-backup-${options.now.toISOString().replace(/[:.]/g, '-')}`;
    copyFileSync(path, backup);
  }
  const temp = `${path}.spend-band-tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, path);
  return { changes, text, wrote: true, ...(backup ? { backup } : {}) };
}
