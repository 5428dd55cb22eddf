// Where the agents write their logs, and the list of log files under those folders.
//   Claude Code: <config dir>/projects/<project>/<session>.jsonl and <session>/subagents/*.jsonl
//   Codex CLI:   <CODEX_HOME>/sessions/YYYY/MM/DD/rollout-*.jsonl and <CODEX_HOME>/archived_sessions/
import { readdirSync, realpathSync, type Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import type { Agent } from '../agents/logParser';

export interface LogFile {
  path: string;
  agent: Agent;
}

/** CLAUDE_CONFIG_DIR (comma-separated) else ~/.config/claude and ~/.claude. */
export function defaultClaudeDirs(env: NodeJS.ProcessEnv, home = homedir()): string[] {
  const configured = (env.CLAUDE_CONFIG_DIR ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  if (configured.length > 0) return configured;
  return [join(env.XDG_CONFIG_HOME || join(home, '.config'), 'claude'), join(home, '.claude')];
}

/** CODEX_HOME else ~/.codex. */
export function defaultCodexDirs(env: NodeJS.ProcessEnv, home = homedir()): string[] {
  const configured = env.CODEX_HOME?.trim();
  return [configured || join(home, '.codex')];
}

/** The folders the log files are listed from, with the agent whose logs each holds. */
export function logRoots(claudeDirs: readonly string[], codexDirs: readonly string[]): { dir: string; agent: Agent }[] {
  return [
    ...claudeDirs.map((d) => ({ dir: join(d, 'projects'), agent: 'claude_code' as const })),
    ...codexDirs.flatMap((d) => [
      { dir: join(d, 'sessions'), agent: 'codex' as const },
      { dir: join(d, 'archived_sessions'), agent: 'codex' as const },
    ]),
  ];
}

const MAX_DEPTH = 8;

/** The log roots, each real folder once (a config dir that is a symlink to another, or listed twice), with its real path. */
function realRoots(
  claudeDirs: readonly string[],
  codexDirs: readonly string[],
): { dir: string; real: string; agent: Agent }[] {
  const roots: { dir: string; real: string; agent: Agent }[] = [];
  for (const root of logRoots(claudeDirs, codexDirs)) {
    const real = realpathOrSelf(root.dir);
    if (!roots.some((r) => r.real === real)) roots.push({ ...root, real });
  }
  return roots;
}

const inside = (path: string, folder: string) => path.startsWith(folder + sep);

/**
 * The roots that lie inside another root (a CODEX_HOME under a Claude projects folder), by real path,
 * with their agent: a walk that reaches one leaves it to its own root, or reads it with its own agent,
 * so that each file is listed once, by the agent that wrote it.
 */
export function nestedRoots(claudeDirs: readonly string[], codexDirs: readonly string[]): ReadonlyMap<string, Agent> {
  return nestedOf(realRoots(claudeDirs, codexDirs));
}

function nestedOf(roots: readonly { real: string; agent: Agent }[]): ReadonlyMap<string, Agent> {
  return new Map(roots.filter((r) => roots.some((o) => inside(r.real, o.real))).map((r) => [r.real, r.agent]));
}

/** The nested root a folder is (see nestedRoots), if any; the real path is looked up only when there are some. */
function nestedAt(nested: ReadonlyMap<string, Agent> | undefined, path: string): Agent | undefined {
  return nested && nested.size > 0 ? nested.get(realpathOrSelf(path)) : undefined;
}

/** A folder's log files into `out` and its subfolders (when `depth` allows; not `nested` roots) into `subdirs`. */
export function collectLogEntries(
  entries: Dirent[],
  dir: string,
  agent: Agent,
  depth: number,
  out: LogFile[],
  subdirs: string[],
  nested?: ReadonlyMap<string, Agent>,
): void {
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (depth < MAX_DEPTH && !nestedAt(nested, path)) subdirs.push(path);
    } else if ((entry.isFile() || entry.isSymbolicLink()) && entry.name.endsWith('.jsonl')) {
      out.push({ path, agent });
    }
  }
}

/**
 * The walk over the log folders, apart from its I/O: it yields each folder to read and is handed back
 * its entries (undefined when it cannot be read: a folder that does not exist is simply empty), so
 * the same walk runs with synchronous or promise-based I/O. Returns all log files, sorted by path.
 */
function* walkLogFolders(
  claudeDirs: readonly string[],
  codexDirs: readonly string[],
): Generator<string, LogFile[], Dirent[] | undefined> {
  const out: LogFile[] = [];
  const nested = nestedRoots(claudeDirs, codexDirs);
  for (const { dir, agent } of logRoots(claudeDirs, codexDirs)) {
    const stack: { path: string; depth: number }[] = [{ path: dir, depth: 0 }];
    while (stack.length > 0) {
      const { path, depth } = stack.pop()!;
      const entries = yield path;
      if (!entries) continue;
      const subdirs: string[] = [];
      collectLogEntries(entries, path, agent, depth, out, subdirs, nested);
      for (const s of subdirs) stack.push({ path: s, depth: depth + 1 });
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** All log files, sorted by path. */
export function listLogFilesSync(claudeDirs: readonly string[], codexDirs: readonly string[]): LogFile[] {
  const walk = walkLogFolders(claudeDirs, codexDirs);
  for (let step = walk.next(); ;) {
    if (step.done) return step.value;
    let entries: Dirent[] | undefined;
    try {
      entries = readdirSync(step.value, { withFileTypes: true });
    } catch {
      entries = undefined;
    }
    step = walk.next(entries);
  }
}

/** All log files, sorted by path, with promise-based I/O. */
export async function listLogFiles(claudeDirs: readonly string[], codexDirs: readonly string[]): Promise<LogFile[]> {
  const walk = walkLogFolders(claudeDirs, codexDirs);
  for (let step = walk.next(); ;) {
    if (step.done) return step.value;
    step = walk.next(await readdir(step.value, { withFileTypes: true }).catch(() => undefined));
  }
}

const SEP = sep.charCodeAt(0);
const SLASH = 47;

/**
 * The order of walkLogFilesInOrder: by UTF-16 code unit, with the path separator before every other
 * character, so that a folder's files come right after it ("p/a/x" before "p/a-b"): the order of a
 * depth-first walk that visits each folder's entries by name.
 */
export function comparePaths(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x === SEP || x === SLASH) x = -1;
    if (y === SEP || y === SLASH) y = -1;
    return x - y;
  }
  return a.length - b.length;
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * The log files one at a time, in comparePaths order, holding no list of them: a depth-first walk
 * that keeps one sorted listing per open folder (memory grows with the largest folder and the depth,
 * not with the history). For a one-shot scan, which merges it with the index's file table in the same
 * order. A folder reached twice (a config dir that is a symlink to another, or listed twice) is
 * walked once, and a log file that is a symlink into a walked folder is not listed again. A root
 * inside another (a CODEX_HOME under a Claude projects folder) is walked where the outer walk reaches
 * it, with its own agent, so that every file comes once and in order.
 */
export function* walkLogFilesInOrder(claudeDirs: readonly string[], codexDirs: readonly string[]): Generator<LogFile> {
  const roots = realRoots(claudeDirs, codexDirs);
  const nested = nestedOf(roots);
  const outer = roots.filter((r) => !nested.has(r.real)).sort((a, b) => comparePaths(a.dir, b.dir));
  const inWalkedRoot = (path: string) => roots.some((r) => inside(path, r.real));
  for (const root of outer) {
    const stack: { dir: string; entries: Dirent[]; next: number; depth: number; agent: Agent }[] = [];
    const enter = (path: string, depth: number, agent: Agent) => {
      try {
        const entries = readdirSync(path, { withFileTypes: true });
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        stack.push({ dir: path, entries, next: 0, depth, agent });
      } catch {
        // a folder that cannot be read (or does not exist) is simply empty
      }
    };
    enter(root.dir, 0, root.agent);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const entry = top.entries[top.next++];
      if (!entry) {
        stack.pop();
        continue;
      }
      const path = join(top.dir, entry.name);
      if (entry.isDirectory()) {
        const inner = nestedAt(nested, path);
        if (inner) enter(path, 0, inner);
        else if (top.depth < MAX_DEPTH) enter(path, top.depth + 1, top.agent);
      } else if (entry.name.endsWith('.jsonl')) {
        if (entry.isFile() || (entry.isSymbolicLink() && !inWalkedRoot(realpathOrSelf(path))))
          yield { path, agent: top.agent };
      }
    }
  }
}

/** The persisted index for one set of log folders: a different set never reuses another's counts. */
export function usageIndexPath(cache: string, claudeDirs: string[], codexDirs: string[]): string {
  const key = JSON.stringify([claudeDirs.map((d) => resolve(d)).sort(), codexDirs.map((d) => resolve(d)).sort()]);
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return join(cache, `usage-index-${(h >>> 0).toString(16).padStart(8, '0')}.bin`);
}
