// Reading the files a scan planned with synchronous I/O: on parser threads when there are cores
// to spare and enough bytes to be worth their start, else on the scanning thread.
import { availableParallelism } from 'node:os';
import { newScratch, parseFileSync, type FileRecords, type FileResult, type FileTask } from '../agents/logParser';
import type { UsageStore } from '../store/usageStore';
import type { ScanProgress } from '../usageSnapshot';
import { ParserPool, type PoolTask } from './parserPool';
import { AbortedError } from './scanErrors';

export interface RefreshHooks {
  onProgress?: ((p: ScanProgress) => void | Promise<void>) | undefined;
  isAborted?: (() => boolean) | undefined;
}

/** What one refresh of either scan did. */
export interface ScanCounts {
  filesTotal: number;
  filesRead: number;
  bytesRead: number;
  /** the per-file index differs from the one persisted (beyond the files read: files gone, moved or touched) */
  indexChanged: boolean;
  /** log files whose names are not valid UTF-8 (not read; at most a few named) */
  undecodableNames: string[];
}

/** A path read from a folder listing whose name was not valid UTF-8 (the replacement character stands for its bytes). */
export function undecodable(path: string): boolean {
  return path.includes('\uFFFD');
}

export interface ThreadOptions {
  /** script that runs `runParserWorker` (dist/scanWorker.js): parser threads for large scans */
  helperScript?: string | undefined;
  /** parser threads at most (default: defaultHelpers(); this thread parses too) */
  maxHelpers?: number | undefined;
  /** start parser threads only when at least this many bytes are to be read (default 24 MiB) */
  helperThresholdBytes?: number | undefined;
}

/** Below this many bytes to read, starting parser threads costs more than it saves. */
const HELPER_THRESHOLD_BYTES = 24 * 1024 * 1024;

/**
 * Parser threads besides the scanning thread: one core is left for the editor or the agent the
 * person is running, so a 2-core machine scans on one thread (it measured as fast there, without
 * a second isolate's memory and JIT warm-up); 4 cores get 2 helpers, 8 get 3.
 */
export function defaultHelpers(): number {
  return Math.max(0, Math.min(3, availableParallelism() - 2));
}

export function checkAborted(hooks: RefreshHooks): void {
  if (hooks.isAborted?.()) throw new AbortedError();
}

/** How many parser threads `o` asks for (0 without a script to run them). */
export function helpersWanted(o: ThreadOptions): number {
  return o.helperScript ? (o.maxHelpers ?? defaultHelpers()) : 0;
}

/**
 * Read `tasks` with synchronous I/O: with parser threads (started into `threads.pool` once, closed
 * by the caller) when they are wanted and the bytes are worth it, or when they were started before
 * the walk (a first scan, see OneShotScan), else on this thread. Each file's
 * result goes to `accept`; the records of a large file this thread reads reach the store in batches
 * as they come (see RECORD_BATCH).
 */
export async function readThreaded(
  o: ThreadOptions,
  store: UsageStore,
  tasks: PoolTask[],
  accept: (result: FileResult) => void,
  progress: ScanProgress,
  hooks: RefreshHooks,
  threads: { pool?: ParserPool },
): Promise<void> {
  const applyBatch = (task: FileTask, records: FileRecords) => store.apply(task.agent, records);
  const helpers = helpersWanted(o);
  const bytes = tasks.reduce((n, t) => n + t.bytes, 0);
  const worth = threads.pool !== undefined || bytes >= (o.helperThresholdBytes ?? HELPER_THRESHOLD_BYTES);
  if (helpers > 0 && tasks.length > 1 && worth) {
    threads.pool ??= new ParserPool(o.helperScript!, helpers);
    await threads.pool.parse(
      tasks,
      accept,
      applyBatch,
      async () => hooks.onProgress?.({ ...progress }),
      hooks.isAborted,
    );
    return;
  }
  const shared = newScratch(false);
  for (const t of tasks) {
    checkAborted(hooks);
    accept(parseFileSync(t.task, shared, undefined, hooks.isAborted, (records) => applyBatch(t.task, records)));
    checkAborted(hooks);
    await hooks.onProgress?.({ ...progress });
  }
}
