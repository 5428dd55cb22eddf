// The list of log files for a meter that refreshes again and again. Reading every folder on every
// refresh (1 500 folders at 2 GB of logs) cost more than the rest of an incremental refresh, so a
// folder is read again only when its stat says its entries may have changed: creating, deleting or
// renaming an entry changes the folder's mtime and ctime, and a folder replaced by another has
// another inode. An append to a file changes neither; the scan still stats every file it lists.
//
// Two guards, as Git's untracked cache and Mercurial's dirstate do for the same trick:
//   - a folder whose mtime or ctime was recent when it was read (within SETTLE_MS) is read again
//     next time: a coarse timestamp (a kernel tick; 1 s on HFS+, 2 s on FAT) could give an entry
//     created just after the read the very mtime seen before it. Times older than the coarsest
//     granularity at the read cannot be given again to a later change;
//   - every FULL_RELIST_MS, every folder is read whatever its stat says: a file system that does
//     not keep folder times (some FUSE and network mounts), or a clock far off the server's,
//     delays a new file by that much at most.
// fs.watch was measured against and not chosen: one inotify watch per folder (1 500) spends a
// budget the editor's own watcher shares, events are lost on network mounts, and the refresh would
// still need a periodic full pass to be trusted.
import { readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import type { Agent } from './logParser';
import { collectLogEntries, logRoots, type LogFile } from './logFiles';

/** A folder read with an mtime or ctime less than this old is read again at the next listing (FAT's 2 s and a margin). */
const SETTLE_MS = 3_000;
/** Every folder is read at least this often. */
const FULL_RELIST_MS = 60_000;

export interface LogFolderCacheOptions {
  settleMs?: number | undefined;
  fullRelistMs?: number | undefined;
  /** wall clock in ms (tests move it forward) */
  now?: (() => number) | undefined;
}

interface Folder {
  agent: Agent;
  depth: number;
  dev: number;
  ino: number;
  mtimeMs: number;
  ctimeMs: number;
  /** its times were older than SETTLE_MS when it was read: an unchanged stat means unchanged entries */
  settled: boolean;
  files: LogFile[];
  subdirs: string[];
}

/** What the walk asks of the file system: the same walk runs with synchronous or promise-based I/O. */
type Request = { op: 'stat'; path: string } | { op: 'readdir'; path: string };
type Walk = Generator<Request, LogFile[], Stats | Dirent[] | undefined>;

export class LogFolderCache {
  private folders = new Map<string, Folder>();
  private files: LogFile[] | undefined;
  private lastFullAt = Number.NEGATIVE_INFINITY;
  private readonly settleMs: number;
  private readonly fullRelistMs: number;
  private readonly now: () => number;
  /** Folders read (not only stat-ed) by the last listing. */
  foldersRead = 0;

  constructor(
    private readonly claudeDirs: readonly string[],
    private readonly codexDirs: readonly string[],
    options: LogFolderCacheOptions = {},
  ) {
    this.settleMs = options.settleMs ?? SETTLE_MS;
    this.fullRelistMs = options.fullRelistMs ?? FULL_RELIST_MS;
    this.now = options.now ?? Date.now;
  }

  /** All log files, sorted by path (as listLogFilesSync); the same array while nothing changed. */
  listSync(): LogFile[] {
    const walk = this.walk();
    let next = walk.next();
    while (!next.done) {
      const r = next.value;
      let answer: Stats | Dirent[] | undefined;
      try {
        answer = r.op === 'stat' ? statSync(r.path) : readdirSync(r.path, { withFileTypes: true });
      } catch {
        answer = undefined;
      }
      next = walk.next(answer);
    }
    return next.value;
  }

  /** As listSync, with non-blocking I/O. */
  async list(): Promise<LogFile[]> {
    const walk = this.walk();
    let next = walk.next();
    while (!next.done) {
      const r = next.value;
      let answer: Stats | Dirent[] | undefined;
      try {
        answer = r.op === 'stat' ? await stat(r.path) : await readdir(r.path, { withFileTypes: true });
      } catch {
        answer = undefined;
      }
      next = walk.next(answer);
    }
    return next.value;
  }

  private *walk(): Walk {
    const now = this.now();
    const full = now - this.lastFullAt >= this.fullRelistMs;
    if (full) this.lastFullAt = now;
    const seen = new Map<string, Folder>();
    const parts: LogFile[][] = [];
    let changed = !this.files;
    let read = 0;
    for (const root of logRoots(this.claudeDirs, this.codexDirs)) {
      const stack: { path: string; depth: number }[] = [{ path: root.dir, depth: 0 }];
      while (stack.length > 0) {
        const { path, depth } = stack.pop()!;
        const prev = this.folders.get(path);
        const st = (yield { op: 'stat', path }) as Stats | undefined;
        if (!st || !st.isDirectory()) {
          if (prev) changed = true; // gone
          continue;
        }
        let folder: Folder | undefined;
        if (
          !full &&
          prev?.settled &&
          prev.ino === st.ino &&
          prev.dev === st.dev &&
          prev.mtimeMs === st.mtimeMs &&
          prev.ctimeMs === st.ctimeMs &&
          prev.agent === root.agent &&
          prev.depth === depth
        ) {
          folder = prev;
        } else {
          const entries = (yield { op: 'readdir', path }) as Dirent[] | undefined;
          read++;
          if (!entries) {
            changed = true;
            continue;
          }
          let files: LogFile[] = [];
          let subdirs: string[] = [];
          collectLogEntries(entries, path, root.agent, depth, files, subdirs);
          // A folder read again with the same entries (a recent one, or a file appended) keeps its
          // lists, so that the sorted list is not rebuilt.
          if (prev && prev.agent === root.agent && samePaths(prev.files, files) && sameStrings(prev.subdirs, subdirs)) {
            files = prev.files;
            subdirs = prev.subdirs;
          } else {
            changed = true;
          }
          // The stat was taken before the read: an entry made after it changes the times unless
          // they were too recent to tell apart (see SETTLE_MS).
          const settled = now - st.mtimeMs > this.settleMs && now - st.ctimeMs > this.settleMs;
          folder = { agent: root.agent, depth, dev: st.dev, ino: st.ino, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, settled, files, subdirs };
        }
        seen.set(path, folder);
        if (folder.files.length > 0) parts.push(folder.files);
        for (const s of folder.subdirs) stack.push({ path: s, depth: depth + 1 });
      }
    }
    if (seen.size !== this.folders.size) changed = true;
    this.folders = seen;
    this.foldersRead = read;
    if (changed || !this.files) {
      this.files = parts.flat().sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    }
    return this.files;
  }
}

function samePaths(a: readonly LogFile[], b: readonly LogFile[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.path !== b[i]!.path) return false;
  return true;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
