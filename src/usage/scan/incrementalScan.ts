// The incremental scan of a meter that refreshes again and again (the extension): it keeps the
// per-file index in a Map beside a cached folder listing, so that a refresh only stats the files.
// With a thread of its own (`threaded`) it reads with synchronous I/O and parser threads; without
// one, with promise-based I/O one chunk at a time, so the caller's thread is never held for long.
import { statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { parseFileAsync, tailHashAsync, type FileResult, type FileTask } from '../agents/logParser';
import type { FileState } from '../store/fileTable';
import type { UsageStore } from '../store/usageStore';
import type { ScanProgress } from '../usageSnapshot';
import { afterTailCheck, planFile, stateAfter, STAT_QUIETLY, tailHashOfPath, taskFor, type FileStat } from './filePlan';
import { LogFolderCache } from './logFolderCache';
import { listLogFiles, listLogFilesSync, type LogFile } from './logFiles';
import type { ParserPool } from './parserPool';
import {
  checkAborted,
  readThreaded,
  undecodable,
  type RefreshHooks,
  type ScanCounts,
  type ThreadOptions,
} from './readFiles';

export interface IncrementalOptions extends ThreadOptions {
  claudeDirs: readonly string[];
  codexDirs: readonly string[];
  /** synchronous I/O on this thread (it must be a worker) */
  threaded: boolean;
  /** keep the folder listing between refreshes (a long-running meter) */
  cacheFolders: boolean;
}

/** Stats in flight at once in a refresh with non-blocking I/O. */
const STAT_BATCH = 64;

interface Planned {
  file: LogFile;
  stats: FileStat;
  task: FileTask;
}

export class IncrementalScan {
  /** the per-file index, by path */
  readonly files: Map<string, FileState>;
  /** Only for a long-running meter: a one-shot scan has no next listing (and it measured as 2-3 MiB more peak memory in the CLI). */
  private readonly folders: LogFolderCache | undefined;
  /**
   * The file list the index was last pruned to. The folder cache hands out the same array while no
   * folder changed, and the index only ever gains paths of the list: nothing to forget then.
   */
  private prunedFor: LogFile[] | undefined;

  constructor(
    private readonly options: IncrementalOptions,
    files: Map<string, FileState> | undefined,
  ) {
    this.files = files ?? new Map();
    if (options.cacheFolders) this.folders = new LogFolderCache(options.claudeDirs, options.codexDirs);
  }

  /** The listing (cached), the per-file Map, and the files that changed read with the parser threads or in chunks. */
  async refresh(store: UsageStore, hooks: RefreshHooks): Promise<ScanCounts> {
    const o = this.options;
    const index = this.files;
    const files = this.folders
      ? o.threaded
        ? this.folders.listSync()
        : await this.folders.list()
      : o.threaded
        ? listLogFilesSync(o.claudeDirs, o.codexDirs)
        : await listLogFiles(o.claudeDirs, o.codexDirs);
    const { tasks, planned, touched } = await this.plan(files, index);
    let indexChanged = touched;
    const progress: ScanProgress = {
      filesDone: 0,
      filesTotal: tasks.length,
      bytesDone: 0,
      bytesTotal: tasks.reduce((n, p) => n + Math.max(0, p.stats.size - p.task.from), 0),
    };
    await hooks.onProgress?.({ ...progress });

    const byPath = new Map(tasks.map((p) => [p.file.path, p]));
    const accept = (result: FileResult) => {
      const p = byPath.get(result.path)!;
      store.apply(result.agent, result.records);
      store.skippedLines += result.skipped;
      index.set(result.path, stateAfter(p.file, p.stats, result));
      progress.filesDone++;
    };
    const bytesOf = (p: Planned) => Math.max(0, p.stats.size - p.task.from);
    const acceptWhole = (result: FileResult) => {
      accept(result);
      progress.bytesDone += bytesOf(byPath.get(result.path)!);
    };

    if (o.threaded) {
      const threads: { pool?: ParserPool } = {};
      try {
        await readThreaded(
          o,
          store,
          tasks.map((p) => ({ task: p.task, bytes: bytesOf(p) })),
          acceptWhole,
          progress,
          hooks,
          threads,
        );
      } finally {
        threads.pool?.close();
      }
      await hooks.onProgress?.({ ...progress });
    } else {
      let lastYield = performance.now();
      for (const p of tasks) {
        checkAborted(hooks);
        const result = await parseFileAsync(p.task, async (n) => {
          progress.bytesDone += n;
          checkAborted(hooks);
          if (performance.now() - lastYield > 8) {
            await new Promise<void>((resolve) => setImmediate(resolve));
            lastYield = performance.now();
          }
          await hooks.onProgress?.({ ...progress });
        });
        checkAborted(hooks);
        accept(result);
        await hooks.onProgress?.({ ...progress });
      }
    }

    // Files that vanished are forgotten; what they counted stays (Claude Code deletes old transcripts,
    // the usage still happened).
    if (files !== this.prunedFor) {
      const present = new Set(files.map((f) => f.path));
      for (const path of index.keys()) {
        if (!present.has(path)) {
          index.delete(path);
          indexChanged = true;
        }
      }
      this.prunedFor = files;
    }
    if (planned !== files.length) indexChanged = true;
    return {
      filesTotal: files.length,
      filesRead: tasks.length,
      bytesRead: progress.bytesDone,
      indexChanged,
      undecodableNames: files.filter((f) => undecodable(f.path)).map((f) => f.path),
    };
  }

  /**
   * What to read of each file: nothing, the appended bytes, or all of it (new, rotated, truncated).
   * Returns the files to read, how many files were planned (stat-ed, each file once), and whether a
   * file was touched with nothing new (its mtime remembered).
   */
  private async plan(
    files: LogFile[],
    index: Map<string, FileState>,
  ): Promise<{ tasks: Planned[]; planned: number; touched: boolean }> {
    const threaded = this.options.threaded;
    const tasks: Planned[] = [];
    let planned = 0;
    let touched = false;
    // Identities seen (device:inode), kept as inode → device: no string made per file.
    const seenIno = new Map<number, number>();
    let seenMore: Set<string> | undefined;
    let lostByInode: Map<string, FileState> | undefined;
    if (files !== this.prunedFor) {
      lostByInode = new Map();
      const present = new Set(files.map((f) => f.path));
      for (const [path, state] of index) if (!present.has(path)) lostByInode.set(`${state.dev}:${state.ino}`, state);
    }

    // Without a thread of its own, the stats go to libuv's threads a batch at a time: one after
    // another, each await cost ~50 µs (300 ms a refresh at 2 GB of logs).
    let batch: (Stats | undefined)[] = [];
    let batchStart = 0;
    for (let n = 0; n < files.length; n++) {
      const file = files[n]!;
      let stats: Stats | undefined;
      if (threaded) {
        try {
          stats = statSync(file.path, STAT_QUIETLY);
        } catch {
          continue;
        }
      } else {
        if (n === batchStart + batch.length) {
          batchStart = n;
          batch = await Promise.all(files.slice(n, n + STAT_BATCH).map((f) => stat(f.path).catch(() => undefined)));
        }
        stats = batch[n - batchStart];
      }
      if (!stats?.isFile()) continue;
      // The same file reached twice (a config dir that is a symlink to the other) is read once.
      const dev = stats.dev;
      const ino = stats.ino;
      const firstDev = seenIno.get(ino);
      if (firstDev === undefined) {
        seenIno.set(ino, dev);
      } else {
        if (firstDev === dev) continue;
        const identity = `${dev}:${ino}`;
        seenMore ??= new Set();
        if (seenMore.has(identity)) continue;
        seenMore.add(identity);
      }
      planned++;
      // A file moved (Codex archiving a rollout) continues where it was.
      const prev = index.get(file.path) ?? lostByInode?.get(`${dev}:${ino}`);
      const st: FileStat = { dev, ino, size: stats.size, mtimeMs: stats.mtimeMs };
      let plan = planFile(file, st, prev);
      if (plan === 'checkTail')
        plan = afterTailCheck(st, prev!, (await this.tailHash(file.path, prev!.offset)) === prev!.tailHash);
      if (plan === 'unchanged') {
        if (!index.has(file.path)) index.set(file.path, prev!);
        continue;
      }
      if (plan === 'touched') {
        // nothing new: remember the new mtime
        index.set(file.path, { ...prev!, size: st.size, mtimeMs: st.mtimeMs });
        touched = true;
        continue;
      }
      tasks.push({ file, stats: st, task: taskFor(file, plan, prev) });
    }
    return { tasks, planned, touched };
  }

  private async tailHash(path: string, offset: number): Promise<number> {
    if (this.options.threaded) return tailHashOfPath(path, offset);
    try {
      const handle = await open(path, 'r');
      try {
        return await tailHashAsync(handle, offset);
      } finally {
        await handle.close();
      }
    } catch {
      return -1;
    }
  }
}
