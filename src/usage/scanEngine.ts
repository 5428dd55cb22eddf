// The scan itself: list the log files, compare each with what the index remembers, read only the
// new bytes, count them, and persist the index. Two ways to run:
//   - `threaded`: synchronous file I/O on the calling thread (a worker, or the CLI's main thread),
//     with parser threads (`helperScript`) for a large first scan;
//   - in-process and non-blocking: promise-based I/O, one chunk at a time, for when no worker script
//     is available (the caller's thread is never held for long).
import { statSync, openSync, closeSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { LogFolderCache } from './logFolderCache';
import { listLogFiles, listLogFilesSync, type LogFile } from './logFiles';
import { newScratch, parseFileAsync, parseFileSync, tailHashAsync, tailHashSync, type FileResult, type FileTask } from './logParser';
import { loadPricing, type Pricing } from './prices';
import { loadIndex, saveIndex, type FileState, type ScanIndex } from './scanIndex';
import type { ScanProgress, ScanStats } from './usageSnapshot';
import { UsageStore } from './usageStore';

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
  /** refreshed again and again (not a CLI's one scan): keep the folder listing and the rollups' sums between refreshes */
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
/** A parser thread is handed files in batches of about this many bytes. */
const BATCH_BYTES = 8 * 1024 * 1024;

/**
 * Parser threads besides the scanning thread: one core is left for the editor or the agent the
 * person is running, so a 2-core machine scans on one thread (it measured as fast there, without
 * a second isolate's memory and JIT warm-up); 4 cores get 2 helpers, 8 get 3.
 */
export function defaultHelpers(): number {
  return Math.max(0, Math.min(3, availableParallelism() - 2));
}

export class AbortedError extends Error {
  constructor() {
    super('the usage scan was cancelled');
    this.name = 'AbortError';
  }
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

export class ScanEngine {
  private index: ScanIndex | undefined;
  private pricing: Pricing | undefined;
  private pricesStamp = '';
  /** Only for a long-running engine: a one-shot scan has no next listing (and it measured as 2-3 MiB more peak memory in the CLI). */
  private readonly folders: LogFolderCache | undefined;

  constructor(private readonly options: ScanEngineOptions) {
    if (options.longRunning) this.folders = new LogFolderCache(options.claudeDirs, options.codexDirs);
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
    if (!this.index) {
      this.index = loadIndex(o.statePath, pricing, o.dedupeBudget);
      if (this.index) {
        // The file is as fresh as the index: a small change is not worth writing it all again yet
        // (17 MiB at 2 GB of logs, which a refresh asked for meanwhile would wait behind).
        this.savedAt = Date.now();
      } else {
        this.index = { files: new Map(), store: new UsageStore(pricing, o.statePath, o.dedupeBudget) };
        fullScan = true;
      }
    }
    const index = this.index;
    if (o.longRunning) index.store.keepRollups();
    if (pricing !== this.pricing) {
      index.store.reprice(pricing);
      this.pricing = pricing;
    }

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
      index.store.apply(result.agent, result.records);
      index.store.skippedLines += result.skipped;
      index.files.set(result.path, {
        agent: result.agent,
        dev: p.stats.dev,
        ino: p.stats.ino,
        size: p.stats.size,
        mtimeMs: p.stats.mtimeMs,
        offset: result.end,
        tailHash: result.tailHash,
        codex: result.codex,
      });
    };
    const check = () => {
      if (hooks.isAborted?.()) throw new AbortedError();
    };

    const helpersWanted = o.maxHelpers ?? defaultHelpers();
    if (o.threaded && o.helperScript && helpersWanted > 0 && progress.bytesTotal >= (o.helperThresholdBytes ?? HELPER_THRESHOLD_BYTES) && tasks.length > 1) {
      await this.parseWithHelpers(tasks, progress, hooks, accept);
    } else if (o.threaded) {
      const shared = newScratch(false);
      for (const p of tasks) {
        check();
        accept(parseFileSync(p.task, shared, undefined, hooks.isAborted));
        check();
        progress.filesDone++;
        progress.bytesDone += Math.max(0, p.stats.size - p.task.from);
        await hooks.onProgress?.({ ...progress });
      }
    } else {
      let lastYield = performance.now();
      for (const p of tasks) {
        check();
        const result = await parseFileAsync(p.task, async (n) => {
          progress.bytesDone += n;
          check();
          if (performance.now() - lastYield > 8) {
            await new Promise<void>((resolve) => setImmediate(resolve));
            lastYield = performance.now();
          }
          await hooks.onProgress?.({ ...progress });
        });
        check();
        accept(result);
        progress.filesDone++;
        await hooks.onProgress?.({ ...progress });
      }
    }

    // Files that vanished are forgotten; what they counted stays (Claude Code deletes old transcripts,
    // the usage still happened).
    if (files !== this.prunedFor) {
      const present = new Set(files.map((f) => f.path));
      for (const path of index.files.keys()) {
        if (!present.has(path)) {
          index.files.delete(path);
          this.dirty = true;
        }
      }
      this.prunedFor = files;
    }

    const changed = index.store.takeChanged();
    const stats: ScanStats = {
      filesTotal: files.length,
      filesRead: tasks.length,
      bytesRead: progress.bytesDone,
      requestsChanged: changed,
      durationMs: performance.now() - started,
      fullScan,
      ...(this.persistError ? { indexError: this.persistError } : {}),
    };
    if (tasks.length > 0 || fullScan || planned !== files.length) this.dirty = true;
    this.unsavedBytes += progress.bytesDone;
    return { store: index.store, stats };
  }

  private dirty = false;
  /**
   * The file list the index was last pruned to. The folder cache hands out the same array while no
   * folder changed, and the index only ever gains paths of the list: nothing to forget then.
   */
  private prunedFor: LogFile[] | undefined;

  /** Write the index if the last refresh changed it (call after handing out the result). */
  /**
   * Write the index if the last refreshes changed it. Without `force`, a small change is written at
   * most every 30 s: the extension refreshes often, and an index a little behind only means a few
   * bytes read again at the next start (dedupe keeps them from counting twice).
   */
  persist(force = true): void {
    if (!this.dirty || !this.index) return;
    const now = Date.now();
    if (!force && this.unsavedBytes < PERSIST_EAGER_BYTES && now - this.savedAt < PERSIST_INTERVAL_MS) return;
    try {
      saveIndex(this.options.statePath, this.index);
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
    this.index?.store.close();
    this.index = undefined;
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
  private async plan(files: LogFile[], index: ScanIndex): Promise<{ tasks: Planned[]; planned: number }> {
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
      for (const [path, state] of index.files) if (!present.has(path)) lostByInode.set(`${state.dev}:${state.ino}`, state);
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
      let prev = index.files.get(file.path);
      if (!prev) {
        // A file moved (Codex archiving a rollout) continues where it was.
        prev = lostByInode?.get(`${dev}:${ino}`);
      }
      let task: FileTask | undefined;
      const size = stats.size;
      const mtimeMs = stats.mtimeMs;
      if (!prev || prev.agent !== file.agent || prev.dev !== dev || prev.ino !== ino) {
        task = { path: file.path, agent: file.agent, from: 0 }; // new or rotated (same path, new inode)
      } else if (size < prev.offset) {
        task = { path: file.path, agent: file.agent, from: 0 }; // truncated
      } else if (size === prev.size && mtimeMs === prev.mtimeMs) {
        if (!index.files.has(file.path)) index.files.set(file.path, prev);
        continue;
      } else if (prev.offset > 0 && (await this.tailHash(file.path, prev.offset)) !== prev.tailHash) {
        task = { path: file.path, agent: file.agent, from: 0 }; // rewritten under the same name and inode
      } else if (size === prev.offset) {
        // touched, nothing new: remember the new mtime
        index.files.set(file.path, { ...prev, size, mtimeMs });
        this.dirty = true;
        continue;
      } else {
        task = { path: file.path, agent: file.agent, from: prev.offset, codex: prev.codex };
      }
      tasks.push({ file, stats: { dev, ino, size, mtimeMs }, task });
    }
    return { tasks, planned };
  }

  private async tailHash(path: string, offset: number): Promise<number> {
    try {
      if (this.options.threaded) {
        const fd = openSync(path, 'r');
        try {
          return tailHashSync(fd, offset);
        } finally {
          closeSync(fd);
        }
      }
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

  /**
   * Parser threads pull batches of files (two in flight each, so none waits for the next); this
   * thread parses files from the same queue between counting their results.
   */
  private async parseWithHelpers(planned: Planned[], progress: ScanProgress, hooks: RefreshHooks, accept: (r: FileResult) => void): Promise<void> {
    const o = this.options;
    // Biggest first, so that no thread is left with one huge file at the end.
    const bytesOf = (p: Planned) => Math.max(0, p.stats.size - p.task.from);
    const queue = planned.slice().sort((a, b) => bytesOf(b) - bytesOf(a));
    const count = Math.max(1, Math.min(o.maxHelpers ?? defaultHelpers(), Math.ceil(progress.bytesTotal / BATCH_BYTES), planned.length - 1));
    const sizeOf = new Map(planned.map((p) => [p.file.path, bytesOf(p)]));
    const nextBatch = (): FileTask[] => {
      const batch: FileTask[] = [];
      let bytes = 0;
      while (queue.length > 0 && (batch.length === 0 || bytes < BATCH_BYTES)) {
        const p = queue.shift()!;
        batch.push(p.task);
        bytes += bytesOf(p);
      }
      return batch;
    };
    const done = (result: FileResult) => {
      accept(result);
      progress.filesDone++;
      progress.bytesDone += sizeOf.get(result.path) ?? 0;
    };

    let failure: unknown;
    let outstanding = 0;
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const workers: Worker[] = [];
    const finished = new Set<Worker>();
    const send = (w: Worker) => {
      const batch = nextBatch();
      if (batch.length === 0) return;
      outstanding++;
      w.postMessage({ type: 'parse', tasks: batch });
    };
    for (let i = 0; i < count; i++) {
      const w = new Worker(o.helperScript!, { workerData: { role: 'parser' }, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
      workers.push(w);
      w.on('message', (message: { type: string; results?: FileResult[]; error?: string }) => {
        if (failure) return;
        outstanding--;
        if (message.type === 'parsed') {
          try {
            for (const result of message.results!) done(result);
          } catch (error) {
            failure = error;
          }
          if (!failure) send(w);
        } else {
          failure = new Error(message.error);
        }
        notify();
      });
      w.on('error', (error) => {
        failure ??= error;
        notify();
      });
      w.on('exit', (code) => {
        if (!finished.has(w)) failure ??= new Error(`a usage parser thread stopped (exit ${code}); run the scan again`);
        notify();
      });
      send(w);
      send(w);
    }
    const shared = newScratch(false);
    try {
      for (;;) {
        if (hooks.isAborted?.()) throw new AbortedError();
        if (failure) throw failure;
        const p = queue.shift();
        if (p) {
          done(parseFileSync(p.task, shared, undefined, hooks.isAborted));
          await hooks.onProgress?.({ ...progress });
          // Let the parser threads' messages in (their results, their requests for more).
          await new Promise<void>((resolve) => setImmediate(resolve));
        } else if (outstanding > 0) {
          await new Promise<void>((resolve) => (wake = resolve));
        } else {
          break;
        }
      }
      if (failure) throw failure;
      await hooks.onProgress?.({ ...progress });
    } finally {
      for (const w of workers) {
        finished.add(w);
        void w.terminate();
      }
    }
  }
}
