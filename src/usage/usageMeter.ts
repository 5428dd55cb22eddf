// The one object the extension and the CLI use to measure personal usage from local agent logs.
// With `workerScript` the scan runs in a worker thread (the extension host's thread only receives
// compact columns); without it the scan runs here with non-blocking reads, one chunk at a time.
import { setFlagsFromString } from 'node:v8';
import { isMainThread, Worker } from 'node:worker_threads';
import { ScanEngine, AbortedError } from './scan/scanEngine';
import type { CoordinatorData, CoordinatorReply } from './scan/scanWorker';
import { snapshotFromColumns, snapshotFromStore, type ScanProgress, type UsageSnapshot } from './usageSnapshot';

export interface UsageMeterOptions {
  claudeDirs: string[];
  codexDirs: string[];
  /** the persisted incremental index (per-file offsets + counted requests) */
  statePath: string;
  /** a user JSON price file merged over the bundled table (see prices.ts) */
  pricesOverridePath?: string | undefined;
  /** absolute path to dist/scanWorker.js; when absent, scan in-process in chunks */
  workerScript?: string | undefined;
  /**
   * Run the scan on the calling thread with synchronous I/O, using `workerScript` only for parser
   * threads. For the CLI, whose main thread has nothing else to do; never in the extension host.
   */
  scanInThisThread?: boolean | undefined;
  /** parser threads at most for a large scan (default: one less than the cores, at most 3) */
  maxHelpers?: number | undefined;
  /** start parser threads only above this many bytes to read (default 24 MiB) */
  helperThresholdBytes?: number | undefined;
  /** distinct requests kept in memory by the dedupe table (the rest on disk; default in dedupeTable.ts) */
  dedupeBudget?: number | undefined;
  /**
   * With scanInThisThread, for a caller that only adds the usage up (`spend-band usage`): the
   * snapshot's eachEvent reads the counted requests one by one from the store (in memory and on
   * disk) instead of building the rollups' columns (~57 bytes a rollup, which grew with the logs).
   * The snapshot reads the store until the meter is disposed: dispose after using it.
   */
  streamRequests?: boolean | undefined;
}

export interface RefreshOptions {
  signal?: AbortSignal | undefined;
  onProgress?: ((p: ScanProgress) => void) | undefined;
}

interface Pending {
  resolve: (s: UsageSnapshot) => void;
  reject: (e: Error) => void;
  onProgress?: ((p: ScanProgress) => void) | undefined;
}

export class UsageMeter {
  private engine: ScanEngine | undefined;
  private worker: Worker | undefined;
  private abortView: Int32Array | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** in-process refreshes run one after another */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: UsageMeterOptions) {}

  refresh(options: RefreshOptions = {}): Promise<UsageSnapshot> {
    if (options.signal?.aborted) return Promise.reject(new AbortedError());
    if (this.options.workerScript && !this.options.scanInThisThread) return this.refreshInWorker(options);
    const run = this.chain.then(() => this.refreshHere(options));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async refreshHere(options: RefreshOptions): Promise<UsageSnapshot> {
    const o = this.options;
    if (o.scanInThisThread && isMainThread) tuneV8ForOneScan();
    this.engine ??= new ScanEngine({
      claudeDirs: o.claudeDirs,
      codexDirs: o.codexDirs,
      statePath: o.statePath,
      pricesOverridePath: o.pricesOverridePath,
      threaded: Boolean(o.scanInThisThread),
      helperScript: o.scanInThisThread ? o.workerScript : undefined,
      maxHelpers: o.maxHelpers,
      helperThresholdBytes: o.helperThresholdBytes,
      longRunning: !o.scanInThisThread,
      dedupeBudget: o.dedupeBudget,
    });
    const { store, stats } = await this.engine.refresh({
      isAborted: () => options.signal?.aborted === true,
      onProgress: options.onProgress,
    });
    if (o.scanInThisThread) {
      // A one-shot scan (the CLI) saves now, so that a failure to save is told with this result.
      this.engine.persist();
      const failure = this.engine.persistFailure;
      if (failure) stats.indexError = failure;
      if (o.streamRequests) return snapshotFromStore(store, new Date(), stats);
      return snapshotFromColumns(store.columns(), new Date(), stats);
    }
    const snapshot = snapshotFromColumns(store.columns(), new Date(), stats);
    setImmediate(() => this.engine?.persist(false));
    return snapshot;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const o = this.options;
    const abort = new SharedArrayBuffer(4);
    this.abortView = new Int32Array(abort);
    const data: CoordinatorData = {
      role: 'coordinator',
      claudeDirs: o.claudeDirs,
      codexDirs: o.codexDirs,
      statePath: o.statePath,
      pricesOverridePath: o.pricesOverridePath,
      abort,
      maxHelpers: o.maxHelpers,
      helperThresholdBytes: o.helperThresholdBytes,
      dedupeBudget: o.dedupeBudget,
    };
    const worker = new Worker(o.workerScript!, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    worker.unref();
    worker.on('message', (reply: CoordinatorReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      if (reply.type === 'progress') {
        p.onProgress?.(reply.progress);
        return;
      }
      this.settled(reply.id);
      if (reply.type === 'result') p.resolve(snapshotFromColumns(reply.columns, new Date(), reply.stats));
      else p.reject(reply.aborted ? new AbortedError() : new Error(reply.message));
    });
    const crashed = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(new Error(`the usage scan thread stopped (${error.message}); the next refresh starts it again`));
      }
    };
    worker.on('error', crashed);
    worker.on('exit', (code) => crashed(new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
  }

  private refreshInWorker(options: RefreshOptions): Promise<UsageSnapshot> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<UsageSnapshot>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress: options.onProgress });
      worker.ref();
      options.signal?.addEventListener(
        'abort',
        () => {
          if (!this.pending.has(id)) return;
          const view = this.abortView!;
          // Cancels this refresh and any earlier one still queued in the worker.
          if (Atomics.load(view, 0) < id) Atomics.store(view, 0, id);
          this.settled(id);
          reject(new AbortedError());
        },
        { once: true },
      );
      worker.postMessage({ type: 'refresh', id });
    });
  }

  /** Stop the worker (its index was saved after each refresh). */
  async dispose(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new AbortedError());
    }
    if (worker) {
      // Let it finish saving the index, then stop; a stuck worker is stopped after 5 s.
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ type: 'close' });
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      clearTimeout(timer);
    }
    await this.chain;
    this.engine?.persist();
    this.engine?.close();
    this.engine = undefined;
  }
}

let v8Tuned = false;

/**
 * A scan on a CLI's main thread: inline less (the parser is compiled while it runs), keep V8's young generation at its initial size and let its old
 * generation grow less eagerly. Left alone, V8
 * doubles it (up to 16 MiB a semi-space) as the scan's long-lived per-file objects survive
 * scavenges, which costs the CLI's peak RSS and saves no CPU time (figures in usage/README.md). The flag is
 * read each time V8 would grow the young generation, so setting it now takes effect; it is
 * process-wide, which is why only the CLI's main thread (scanInThisThread) sets it, never the
 * extension host (its scan runs in a worker whose young generation is capped by resourceLimits).
 * `--optimize-for-size` makes V8 grow its old generation less eagerly (less peak, same scan time).
 */
function tuneV8ForOneScan(): void {
  if (v8Tuned) return;
  v8Tuned = true;
  try {
    setFlagsFromString('--semi-space-growth-factor=1');
    setFlagsFromString('--optimize-for-size');
    // Less inlining: TurboFan spent ~0.7 s of CPU compiling the parser for a 0.65 s scan of 200 MB,
    // and the scan ran unoptimized code meanwhile; with this it reaches optimized code sooner
    // (200 MB, 10 runs each, alternating: median 599 ms against 632).
    setFlagsFromString('--max-inlined-bytecode-size-cumulative=150');
  } catch {
    // an engine without the flag: only the memory figure suffers
  }
}
