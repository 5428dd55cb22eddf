// The scan itself: list the log files, compare each with what the index remembers, read only the
// new bytes, count them, and persist the index. Two ways to keep the per-file index:
//   - a meter that refreshes again and again (`longRunning`, the extension) keeps it in a Map beside
//     a cached folder listing, so that a refresh only stats the files;
//   - a one-shot scan (the CLI) holds no list of files at all: it walks the folders in path order,
//     reads the previous index's file table in step (same order), and writes the new table to a
//     scratch file as it goes (see fileTable.ts), so its memory does not grow with the history.
// And two kinds of I/O:
//   - `threaded`: synchronous file I/O on the calling thread (a worker, or the CLI's main thread),
//     with parser threads (`helperScript`) for a large first scan;
//   - in-process and non-blocking: promise-based I/O, one chunk at a time, for when no worker script
//     is available (the caller's thread is never held for long).
import { statSync, openSync, closeSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { spillPathBeside } from './dedupeTable';
import { alongTable, FileTableWriter, type FileState, type FileTableRef } from './fileTable';
import { LogFolderCache } from './logFolderCache';
import { listLogFiles, listLogFilesSync, walkLogFilesInOrder, type LogFile } from './logFiles';
import { newScratch, parseFileAsync, parseFileSync, tailHashAsync, tailHashSync, type FileRecords, type FileResult, type FileTask } from './logParser';
import { ParserPool, type PoolTask } from './parserPool';
import { loadPricing, type Pricing } from './prices';
import { AbortedError } from './scanErrors';
import { loadIndex, saveIndex } from './scanIndex';
import type { ScanProgress, ScanStats } from './usageSnapshot';
import { UsageStore } from './usageStore';

export { AbortedError } from './scanErrors';

export interface ScanEngineOptions {
  claudeDirs: readonly string[];
  codexDirs: readonly string[];
  statePath: string;
  pricesOverridePath?: string | undefined;
  /** synchronous I/O on this thread (it must be a worker, or a process with nothing else to do) */
  threaded: boolean;
  /** script that runs `runParserWorker` (dist/scanWorker.js): parser threads for large scans */
  helperScript?: string | undefined;
  /** parser threads at most (default: defaultHelpers(); this thread parses too) */
  maxHelpers?: number | undefined;
  /** start parser threads only when at least this many bytes are to be read (default 24 MiB) */
  helperThresholdBytes?: number | undefined;
  /** refreshed again and again (not a CLI's one scan): keep the folder listing, the per-file index and the rollups' sums in memory between refreshes */
  longRunning?: boolean | undefined;
  /** distinct requests the dedupe table keeps in memory at most (default: DEFAULT_BUDGET, see dedupeTable.ts) */
  dedupeBudget?: number | undefined;
}

export interface RefreshHooks {
  onProgress?: ((p: ScanProgress) => void | Promise<void>) | undefined;
  isAborted?: (() => boolean) | undefined;
}

/** Below this many bytes to read, starting parser threads costs more than it saves. */
const HELPER_THRESHOLD_BYTES = 24 * 1024 * 1024;
/** persist(false) writes at most this often, unless this many bytes were read since the last write */
const PERSIST_INTERVAL_MS = 30_000;
const PERSIST_EAGER_BYTES = 16 * 1024 * 1024;
/** statSync's options: a file gone since it was listed is undefined, not an exception (thrown and caught per file). */
const STAT_QUIETLY = { throwIfNoEntry: false } as const;
/** Stats in flight at once in a refresh with non-blocking I/O. */
const STAT_BATCH = 64;
/** A one-shot scan reads the files it walked in groups of at most this many files or bytes. */
const GROUP_FILES = 2048;
const GROUP_BYTES = 128 * 1024 * 1024;
/** A one-shot scan remembers at most this many vanished files, to continue files that moved (beyond: read again, dedupe keeps the counts). */
const MOVED_MAX = 8192;

/**
 * Parser threads besides the scanning thread: one core is left for the editor or the agent the
 * person is running, so a 2-core machine scans on one thread (it measured as fast there, without
 * a second isolate's memory and JIT warm-up); 4 cores get 2 helpers, 8 get 3.
 */
export function defaultHelpers(): number {
  return Math.max(0, Math.min(3, availableParallelism() - 2));
}

/** What a file's stat said, without the Stats object (five Dates and a dozen numbers per file, kept for the whole scan). */
interface FileStat {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

interface Planned {
  file: LogFile;
  stats: FileStat;
  task: FileTask;
}

/** What to do with a file, from what the index remembers of it and its stat. */
type FilePlan = 'whole' | 'unchanged' | 'touched' | 'append';

/**
 * New, rotated (same path, new inode) or truncated: read whole. Same size and mtime: unchanged.
 * Otherwise, when bytes were read before, 'checkTail': the bytes before the offset must be the ones
 * read (then afterTailCheck says what to do). Synchronous, so that the refresh of thousands of
 * unchanged files makes no promise per file.
 */
function planFile(file: LogFile, st: FileStat, prev: FileState | undefined): FilePlan | 'checkTail' {
  if (!prev || prev.agent !== file.agent || prev.dev !== st.dev || prev.ino !== st.ino) return 'whole';
  if (st.size < prev.offset) return 'whole';
  if (st.size === prev.size && st.mtimeMs === prev.mtimeMs) return 'unchanged';
  return prev.offset > 0 ? 'checkTail' : afterTailCheck(st, prev, true);
}

/** A file rewritten under the same name and inode is read whole; one touched with nothing new only has its mtime remembered; else the appended bytes are read. */
function afterTailCheck(st: FileStat, prev: FileState, tailMatches: boolean): FilePlan {
  if (!tailMatches) return 'whole';
  return st.size === prev.offset ? 'touched' : 'append';
}

function taskFor(file: LogFile, plan: FilePlan, prev: FileState | undefined): FileTask {
  return plan === 'append' ? { path: file.path, agent: file.agent, from: prev!.offset, codex: prev!.codex } : { path: file.path, agent: file.agent, from: 0 };
}

function stateAfter(file: LogFile, st: FileStat, result: FileResult): FileState {
  return { agent: file.agent, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, offset: result.end, tailHash: result.tailHash, codex: result.codex };
}

/** A file of a one-shot scan's group: its state is known (unchanged or touched), or it is to be read. */
interface GroupItem {
  file: LogFile;
  stats: FileStat;
  state?: FileState | undefined;
  task?: FileTask | undefined;
}

export class ScanEngine {
  private store: UsageStore | undefined;
  /** the per-file index of a long-running engine */
  private files: Map<string, FileState> | undefined;
  /** the per-file index of a one-shot engine: the file table in the index, or the one the last refresh wrote */
  private table: FileTableRef | undefined;
  private pricing: Pricing | undefined;
  private pricesStamp = '';
  /** Only for a long-running engine: a one-shot scan has no next listing (and it measured as 2-3 MiB more peak memory in the CLI). */
  private readonly folders: LogFolderCache | undefined;

  constructor(private readonly options: ScanEngineOptions) {
    if (options.longRunning) this.folders = new LogFolderCache(options.claudeDirs, options.codexDirs);
  }

  /** A one-shot engine walks in order with synchronous I/O; one without its own thread keeps a Map too. */
  private get inOrder(): boolean {
    return !this.options.longRunning && this.options.threaded;
  }

  /**
   * Reads what changed since the last refresh. Returns the store with everything counted (read it
   * before the next refresh: `columns()` for the rollups, or `visitRequests` to add them up).
   */
  async refresh(hooks: RefreshHooks = {}): Promise<{ store: UsageStore; stats: ScanStats }> {
    const started = performance.now();
    const o = this.options;
    const pricing = await this.currentPricing();
    let fullScan = false;
    if (!this.store) {
      const loaded = loadIndex(o.statePath, pricing, o.dedupeBudget, !this.inOrder);
      if (loaded) {
        this.store = loaded.store;
        if (loaded.files instanceof Map) this.files = loaded.files;
        else this.table = loaded.files;
        // The file is as fresh as the index: a small change is not worth writing it all again yet
        // (17 MiB at 2 GB of logs, which a refresh asked for meanwhile would wait behind).
        this.savedAt = Date.now();
      } else {
        this.store = new UsageStore(pricing, o.statePath, o.dedupeBudget);
        if (!this.inOrder) this.files = new Map();
        fullScan = true;
      }
    }
    const store = this.store;
    if (o.longRunning) store.keepRollups();
    if (pricing !== this.pricing) {
      store.reprice(pricing);
      this.pricing = pricing;
    }
    const counts = this.inOrder ? await this.scanInOrder(store, hooks) : await this.scanListed(store, this.files!, hooks);
    const changed = store.takeChanged();
    const stats: ScanStats = {
      filesTotal: counts.filesTotal,
      filesRead: counts.filesRead,
      bytesRead: counts.bytesRead,
      requestsChanged: changed,
      durationMs: performance.now() - started,
      fullScan,
      ...(this.persistError ? { indexError: this.persistError } : {}),
    };
    if (counts.filesRead > 0 || fullScan) this.dirty = true;
    this.unsavedBytes += counts.bytesRead;
    return { store, stats };
  }

  private check(hooks: RefreshHooks): void {
    if (hooks.isAborted?.()) throw new AbortedError();
  }

  /** The file's stat, or undefined when it is gone or not a regular file. */
  private statQuietly(path: string): FileStat | undefined {
    let st: Stats | undefined;
    try {
      st = statSync(path, STAT_QUIETLY);
    } catch {
      return undefined;
    }
    return st?.isFile() ? { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs } : undefined;
  }

  /**
   * A one-shot scan: walk the log files in path order, beside the previous file table in the same
   * order, reading the files that changed in groups, and write the new table as it goes.
   */
  private async scanInOrder(store: UsageStore, hooks: RefreshHooks): Promise<{ filesTotal: number; filesRead: number; bytesRead: number }> {
    const o = this.options;
    const old = this.table;
    const moved = old && old.count > 0 ? this.vanishedByIdentity(old) : undefined;
    const writer = new FileTableWriter(() => spillPathBeside(o.statePath));
    const progress: ScanProgress = { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 };
    let filesTotal = 0;
    let filesRead = 0;
    /** whether the new table differs from the old beyond the files read (files gone, moved or touched) */
    let tableChanged = false;
    const threads: { pool?: ParserPool } = {};
    let group: GroupItem[] = [];
    let groupBytes = 0;

    const readGroup = async () => {
      const items = group;
      group = [];
      groupBytes = 0;
      const toRead: PoolTask[] = [];
      const itemOf = new Map<string, GroupItem>();
      for (const item of items) {
        if (!item.task) continue;
        toRead.push({ task: item.task, bytes: Math.max(0, item.stats.size - item.task.from) });
        itemOf.set(item.file.path, item);
      }
      const accept = (result: FileResult) => {
        const item = itemOf.get(result.path)!;
        store.apply(result.agent, result.records);
        store.skippedLines += result.skipped;
        item.state = stateAfter(item.file, item.stats, result);
        progress.filesDone++;
        progress.bytesDone += Math.max(0, item.stats.size - item.task!.from);
      };
      await this.readThreaded(store, toRead, accept, progress, hooks, threads);
      filesRead += toRead.length;
      for (const item of items) writer.add(item.file.path, item.state!);
    };

    try {
      // Files of the previous table that are gone are forgotten (their usage stays counted).
      for (const { file, prev: listed } of alongTable(walkLogFilesInOrder(o.claudeDirs, o.codexDirs), old, () => (tableChanged = true))) {
        const st = this.statQuietly(file.path);
        if (!st) continue;
        filesTotal++;
        // A file moved (Codex archiving a rollout) continues where it was.
        const movedFrom = listed ? undefined : moved?.get(`${st.dev}:${st.ino}`);
        if (movedFrom) tableChanged = true;
        const prev = listed ?? movedFrom;
        let plan = planFile(file, st, prev);
        if (plan === 'checkTail') plan = afterTailCheck(st, prev!, this.tailHashSync(file.path, prev!.offset) === prev!.tailHash);
        if (plan === 'unchanged' || plan === 'touched') {
          if (plan === 'touched') tableChanged = true;
          group.push({ file, stats: st, state: plan === 'touched' ? { ...prev!, size: st.size, mtimeMs: st.mtimeMs } : prev });
        } else {
          const task = taskFor(file, plan, prev);
          group.push({ file, stats: st, task });
          const bytes = Math.max(0, st.size - task.from);
          groupBytes += bytes;
          progress.filesTotal++;
          progress.bytesTotal += bytes;
        }
        if (group.length >= GROUP_FILES || groupBytes >= GROUP_BYTES) await readGroup();
      }
      await readGroup();
      this.check(hooks);
      await hooks.onProgress?.({ ...progress });
    } catch (error) {
      writer.discard();
      throw error;
    } finally {
      threads.pool?.close();
    }
    if (old) old.source.close();
    this.table = writer.finish();
    if (tableChanged) this.dirty = true;
    return { filesTotal, filesRead, bytesRead: progress.bytesDone };
  }

  /**
   * Read `tasks` with synchronous I/O: with parser threads (started into `threads.pool` once, closed
   * by the caller) when they are wanted and the bytes are worth it, else on this thread. Each file's
   * result goes to `accept`; the records of a large file this thread reads reach the store in batches
   * as they come (see RECORD_BATCH).
   */
  private async readThreaded(store: UsageStore, tasks: PoolTask[], accept: (result: FileResult) => void, progress: ScanProgress, hooks: RefreshHooks, threads: { pool?: ParserPool }): Promise<void> {
    const o = this.options;
    const applyBatch = (task: FileTask, records: FileRecords) => store.apply(task.agent, records);
    const helpers = o.helperScript ? (o.maxHelpers ?? defaultHelpers()) : 0;
    const bytes = tasks.reduce((n, t) => n + t.bytes, 0);
    if (helpers > 0 && tasks.length > 1 && bytes >= (o.helperThresholdBytes ?? HELPER_THRESHOLD_BYTES)) {
      threads.pool ??= new ParserPool(o.helperScript!, helpers);
      await threads.pool.parse(tasks, accept, applyBatch, async () => hooks.onProgress?.({ ...progress }), hooks.isAborted);
      return;
    }
    const shared = newScratch(false);
    for (const t of tasks) {
      this.check(hooks);
      accept(parseFileSync(t.task, shared, undefined, hooks.isAborted, (records) => applyBatch(t.task, records)));
      this.check(hooks);
      await hooks.onProgress?.({ ...progress });
    }
  }

  /**
   * The previous table's files that are gone from their path, by identity (device:inode), so that a
   * file moved since continues where it was. A first pass over the walk and the table; at most
   * MOVED_MAX are remembered (a file moved beyond that is read again: dedupe keeps it from counting twice).
   */
  private vanishedByIdentity(old: FileTableRef): Map<string, FileState> {
    const gone = new Map<string, FileState>();
    const forget = (_path: string, state: FileState) => {
      if (gone.size < MOVED_MAX) gone.set(`${state.dev}:${state.ino}`, state);
    };
    for (const _file of alongTable(walkLogFilesInOrder(this.options.claudeDirs, this.options.codexDirs), old, forget)) {
      // only the files gone count here
    }
    return gone;
  }

  /** A long-running scan: the listing (cached), the per-file Map, and the files that changed read with the parser threads or in chunks. */
  private async scanListed(store: UsageStore, index: Map<string, FileState>, hooks: RefreshHooks): Promise<{ filesTotal: number; filesRead: number; bytesRead: number }> {
    const o = this.options;
    const files = this.folders
      ? o.threaded
        ? this.folders.listSync()
        : await this.folders.list()
      : o.threaded
        ? listLogFilesSync(o.claudeDirs, o.codexDirs)
        : await listLogFiles(o.claudeDirs, o.codexDirs);
    const { tasks, planned } = await this.plan(files, index);
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
        await this.readThreaded(store, tasks.map((p) => ({ task: p.task, bytes: bytesOf(p) })), acceptWhole, progress, hooks, threads);
      } finally {
        threads.pool?.close();
      }
      await hooks.onProgress?.({ ...progress });
    } else {
      let lastYield = performance.now();
      for (const p of tasks) {
        this.check(hooks);
        const result = await parseFileAsync(p.task, async (n) => {
          progress.bytesDone += n;
          this.check(hooks);
          if (performance.now() - lastYield > 8) {
            await new Promise<void>((resolve) => setImmediate(resolve));
            lastYield = performance.now();
          }
          await hooks.onProgress?.({ ...progress });
        });
        this.check(hooks);
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
          this.dirty = true;
        }
      }
      this.prunedFor = files;
    }
    if (planned !== files.length) this.dirty = true;
    return { filesTotal: files.length, filesRead: tasks.length, bytesRead: progress.bytesDone };
  }

  private dirty = false;
  /**
   * The file list the index was last pruned to. The folder cache hands out the same array while no
   * folder changed, and the index only ever gains paths of the list: nothing to forget then.
   */
  private prunedFor: LogFile[] | undefined;

  /**
   * Write the index if the last refreshes changed it. Without `force`, a small change is written at
   * most every 30 s: the extension refreshes often, and an index a little behind only means a few
   * bytes read again at the next start (dedupe keeps them from counting twice).
   */
  persist(force = true): void {
    if (!this.dirty || !this.store) return;
    const now = Date.now();
    if (!force && this.unsavedBytes < PERSIST_EAGER_BYTES && now - this.savedAt < PERSIST_INTERVAL_MS) return;
    try {
      saveIndex(this.options.statePath, this.store, this.files ?? this.table!);
      this.dirty = false;
      this.savedAt = now;
      this.unsavedBytes = 0;
      this.persistError = undefined;
    } catch (error) {
      // Not fatal: the usage is right, only the next start will read more. Said on the next refresh.
      this.persistError = `could not save the usage index ${this.options.statePath} (${(error as Error).message}); check that its folder is writable`;
    }
  }

  /** Why the last persist failed (a sentence to act on), or undefined when it worked. */
  get persistFailure(): string | undefined {
    return this.persistError;
  }

  /** Let go of the files the index keeps open (after the last persist). */
  close(): void {
    this.store?.close();
    this.store = undefined;
    this.files = undefined;
    if (this.table) this.table.source.close();
    this.table = undefined;
  }

  private persistError: string | undefined;
  private savedAt = 0;
  private unsavedBytes = 0;

  private async currentPricing(): Promise<Pricing> {
    const path = this.options.pricesOverridePath;
    let stamp = '';
    if (path) {
      try {
        const s = await stat(path);
        stamp = `${s.mtimeMs}:${s.size}`;
      } catch {
        stamp = 'absent';
      }
    }
    if (!this.pricing || stamp !== this.pricesStamp) {
      const pricing = loadPricing(path);
      this.pricesStamp = stamp;
      if (!this.pricing || pricing.fingerprint !== this.pricing.fingerprint) return pricing;
    }
    return this.pricing;
  }

  /**
   * What to read of each file: nothing, the appended bytes, or all of it (new, rotated, truncated).
   * Returns the files to read, and how many files were planned (stat-ed, each file once).
   */
  private async plan(files: LogFile[], index: Map<string, FileState>): Promise<{ tasks: Planned[]; planned: number }> {
    const threaded = this.options.threaded;
    const tasks: Planned[] = [];
    let planned = 0;
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
      if (plan === 'checkTail') plan = afterTailCheck(st, prev!, (await this.tailHash(file.path, prev!.offset)) === prev!.tailHash);
      if (plan === 'unchanged') {
        if (!index.has(file.path)) index.set(file.path, prev!);
        continue;
      }
      if (plan === 'touched') {
        // nothing new: remember the new mtime
        index.set(file.path, { ...prev!, size: st.size, mtimeMs: st.mtimeMs });
        this.dirty = true;
        continue;
      }
      tasks.push({ file, stats: st, task: taskFor(file, plan, prev) });
    }
    return { tasks, planned };
  }

  /** The hash of the bytes before `offset` (-1 when the file cannot be read). */
  private tailHashSync(path: string, offset: number): number {
    try {
      const fd = openSync(path, 'r');
      try {
        return tailHashSync(fd, offset);
      } finally {
        closeSync(fd);
      }
    } catch {
      return -1;
    }
  }

  private async tailHash(path: string, offset: number): Promise<number> {
    if (this.options.threaded) return this.tailHashSync(path, offset);
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
