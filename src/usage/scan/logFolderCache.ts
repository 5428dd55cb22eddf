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
import type { Agent } from '../agents/logParser';
import { collectLogEntries, logRoots, nestedRoots, type LogFile } from './logFiles';

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
type Request = { op: 'stat' | 'readdir'; paths: string[] };
type Walk = Generator<Request, LogFile[], (Stats | Dirent[] | undefined)[]>;
/** Folders stat-ed, then read, at once. */
const BATCH = 64;

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
      next = walk.next(
        r.paths.map((path) => {
          try {
            return r.op === 'stat' ? statSync(path) : readdirSync(path, { withFileTypes: true });
          } catch {
            return undefined;
          }
        }),
      );
    }
    return next.value;
  }

  /** As listSync, with non-blocking I/O (a batch of folders at a time in libuv's threads). */
  async list(): Promise<LogFile[]> {
    const walk = this.walk();
    let next = walk.next();
    while (!next.done) {
      const r = next.value;
      next = walk.next(
        await Promise.all(
          r.paths.map((path) =>
            (r.op === 'stat' ? stat(path) : readdir(path, { withFileTypes: true })).catch(() => undefined),
          ),
        ),
      );
    }
    return next.value;
  }

  /**
   * Level by level, BATCH folders at a time: they are stat-ed together, then those that changed are
   * read. Bounded batches rather than whole levels, so that the entries and stats of a level of
   * 1 400 folders are never all held at once.
   */
  private *walk(): Walk {
    const now = this.now();
    const full = now - this.lastFullAt >= this.fullRelistMs;
    if (full) this.lastFullAt = now;
    const seen = new Map<string, Folder>();
    const parts: LogFile[][] = [];
    let changed = !this.files;
    let read = 0;
    let level = logRoots(this.claudeDirs, this.codexDirs).map((r) => ({ path: r.dir, agent: r.agent, depth: 0 }));
    const nested = nestedRoots(this.claudeDirs, this.codexDirs);
    const keep = (path: string, folder: Folder, next: typeof level) => {
      seen.set(path, folder);
      if (folder.files.length > 0) parts.push(folder.files);
      for (const s of folder.subdirs) next.push({ path: s, agent: folder.agent, depth: folder.depth + 1 });
    };
    while (level.length > 0) {
      const next: typeof level = [];
      for (let at = 0; at < level.length; at += BATCH) {
        const batch = level.slice(at, at + BATCH);
        const stats = (yield { op: 'stat', paths: batch.map((l) => l.path) }) as (Stats | undefined)[];
        const toRead: { path: string; agent: Agent; depth: number; st: Stats; prev: Folder | undefined }[] = [];
        for (let i = 0; i < batch.length; i++) {
          const { path, agent, depth } = batch[i]!;
          const st = stats[i];
          const prev = this.folders.get(path);
          if (!st || !st.isDirectory()) {
            if (prev) changed = true; // gone
            continue;
          }
          if (
            !full &&
            prev?.settled &&
            prev.ino === st.ino &&
            prev.dev === st.dev &&
            prev.mtimeMs === st.mtimeMs &&
            prev.ctimeMs === st.ctimeMs &&
            prev.agent === agent &&
            prev.depth === depth
          ) {
            keep(path, prev, next);
          } else {
            toRead.push({ path, agent, depth, st, prev });
          }
        }
        if (toRead.length > 0) {
          const listings = (yield { op: 'readdir', paths: toRead.map((f) => f.path) }) as (Dirent[] | undefined)[];
          read += toRead.length;
          for (let i = 0; i < toRead.length; i++) {
            const { path, agent, depth, st, prev } = toRead[i]!;
            const entries = listings[i];
            if (!entries) {
              changed = true;
              continue;
            }
            let files: LogFile[] = [];
            let subdirs: string[] = [];
            collectLogEntries(entries, path, agent, depth, files, subdirs, nested);
            // A folder read again with the same entries (a recent one, or the safety pass) keeps its
            // lists, so that the sorted list is not rebuilt.
            if (prev && prev.agent === agent && samePaths(prev.files, files) && sameStrings(prev.subdirs, subdirs)) {
              files = prev.files;
              subdirs = prev.subdirs;
            } else {
              changed = true;
            }
            // The stat was taken before the read: an entry made after it changes the times unless
            // they were too recent to tell apart (see SETTLE_MS).
            const settled = now - st.mtimeMs > this.settleMs && now - st.ctimeMs > this.settleMs;
            keep(
              path,
              {
                agent,
                depth,
                dev: st.dev,
                ino: st.ino,
                mtimeMs: st.mtimeMs,
                ctimeMs: st.ctimeMs,
                settled,
                files,
                subdirs,
              },
              next,
            );
          }
        }
      }
      level = next;
    }
    if (seen.size !== this.folders.size) changed = true;
    this.folders = seen;
    this.foldersRead = read;
    if (changed) this.files = parts.flat().sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return this.files!;
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
