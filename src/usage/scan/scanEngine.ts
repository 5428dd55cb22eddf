// The scan itself: list the log files, compare each with what the index remembers, read only the
// new bytes, count them, and persist the index. Two ways to keep the per-file index:
//   - a meter that refreshes again and again (`longRunning`, the extension) keeps it in a Map beside
//     a cached folder listing, so that a refresh only stats the files (incrementalScan.ts);
//   - a one-shot scan (the CLI) holds no list of files at all: it walks the folders in path order
//     beside the previous file table (oneShotScan.ts), so its memory does not grow with the history.
// And two kinds of I/O:
//   - `threaded`: synchronous file I/O on the calling thread (a worker, or the CLI's main thread),
//     with parser threads (`helperScript`) for a large first scan (readFiles.ts);
//   - in-process and non-blocking: promise-based I/O, one chunk at a time, for when no worker script
//     is available (the caller's thread is never held for long).
import { stat } from 'node:fs/promises';
import { loadPricing, type Pricing } from '../prices/prices';
import { loadIndex, saveIndex } from '../store/scanIndex';
import { UsageStore } from '../store/usageStore';
import type { FileState } from '../store/fileTable';
import type { ScanStats } from '../usageSnapshot';
import { IncrementalScan } from './incrementalScan';
import { OneShotScan } from './oneShotScan';
import type { RefreshHooks, ThreadOptions } from './readFiles';

export { AbortedError } from './scanErrors';
export type { RefreshHooks } from './readFiles';

export interface ScanEngineOptions extends ThreadOptions {
  claudeDirs: readonly string[];
  codexDirs: readonly string[];
  statePath: string;
  pricesOverridePath?: string | undefined;
  /** synchronous I/O on this thread (it must be a worker, or a process with nothing else to do) */
  threaded: boolean;
  /** refreshed again and again (not a CLI's one scan): keep the folder listing, the per-file index and the rollups' sums in memory between refreshes */
  longRunning?: boolean | undefined;
  /** distinct requests the dedupe table keeps in memory at most (default: DEFAULT_BUDGET, see dedupeTable.ts) */
  dedupeBudget?: number | undefined;
}

/**
 * Milliseconds from a monotonic clock. Not `performance.now()`: its first use loads perf_hooks,
 * ~6 ms of a CLI run that takes ~140 ms on no logs.
 */
function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** persist(false) writes at most this often, unless this many bytes were read since the last write */
const PERSIST_INTERVAL_MS = 30_000;
const PERSIST_EAGER_BYTES = 16 * 1024 * 1024;

export class ScanEngine {
  /** everything counted; undefined until the first refresh (loaded from the index, or new) */
  private store: UsageStore | undefined;
  /** the per-file index and how the files are walked: one of the two scans, made with the store */
  private scan: OneShotScan | IncrementalScan | undefined;
  private pricing: Pricing | undefined;
  /** the price override file's mtime and size when it was last read */
  private pricesStamp = '';
  /** the index in memory differs from the one on disk */
  private dirty = false;
  private savedAt = 0;
  private unsavedBytes = 0;
  private persistError: string | undefined;

  constructor(private readonly options: ScanEngineOptions) {}

  /** A one-shot engine walks in order with synchronous I/O; one without its own thread keeps a Map too. */
  private get inOrder(): boolean {
    return !this.options.longRunning && this.options.threaded;
  }

  /**
   * Reads what changed since the last refresh. Returns the store with everything counted (read it
   * before the next refresh: `columns()` for the rollups, or `visitRequests` to add them up).
   */
  async refresh(hooks: RefreshHooks = {}): Promise<{ store: UsageStore; stats: ScanStats }> {
    const started = nowMs();
    const o = this.options;
    const pricing = await this.currentPricing();
    let fullScan = false;
    if (!this.store) {
      const loaded = loadIndex(o.statePath, pricing, o.dedupeBudget, !this.inOrder);
      if (loaded) {
        this.store = loaded.store;
        this.scan = loaded.files instanceof Map ? this.incremental(loaded.files) : new OneShotScan(o, loaded.files);
        // The file is as fresh as the index: a small change is not worth writing it all again yet
        // (17 MiB at 2 GB of logs, which a refresh asked for meanwhile would wait behind).
        this.savedAt = Date.now();
      } else {
        this.store = new UsageStore(pricing, o.statePath, o.dedupeBudget);
        this.scan = this.inOrder ? new OneShotScan(o, undefined) : this.incremental(undefined);
        fullScan = true;
      }
    }
    const store = this.store;
    if (o.longRunning) store.keepRollups();
    if (pricing !== this.pricing) {
      store.reprice(pricing);
      this.pricing = pricing;
    }
    const counts = await this.scan!.refresh(store, hooks);
    const changed = store.takeChanged();
    const stats: ScanStats = {
      filesTotal: counts.filesTotal,
      filesRead: counts.filesRead,
      bytesRead: counts.bytesRead,
      requestsChanged: changed,
      durationMs: nowMs() - started,
      fullScan,
      ...(this.persistError ? { indexError: this.persistError } : {}),
      ...(counts.undecodableNames.length > 0 ? { undecodableNames: counts.undecodableNames } : {}),
    };
    if (counts.filesRead > 0 || fullScan || counts.indexChanged) this.dirty = true;
    this.unsavedBytes += counts.bytesRead;
    return { store, stats };
  }

  private incremental(files: Map<string, FileState> | undefined): IncrementalScan {
    const o = this.options;
    return new IncrementalScan({ ...o, cacheFolders: o.longRunning === true }, files);
  }

  /**
   * Write the index if the last refreshes changed it. Without `force`, a small change is written at
   * most every 30 s: the extension refreshes often, and an index a little behind only means a few
   * bytes read again at the next start (dedupe keeps them from counting twice).
   */
  persist(force = true): void {
    if (!this.dirty || !this.store || !this.scan) return;
    const now = Date.now();
    if (!force && this.unsavedBytes < PERSIST_EAGER_BYTES && now - this.savedAt < PERSIST_INTERVAL_MS) return;
    try {
      saveIndex(
        this.options.statePath,
        this.store,
        this.scan instanceof IncrementalScan ? this.scan.files : this.scan.fileTable!,
      );
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
    if (this.scan instanceof OneShotScan) this.scan.close();
    this.scan = undefined;
  }

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
}
