// The usage-scan worker (bundled to dist/scanWorker.js). Two roles:
//   - coordinator (UsageMeter's worker): owns the ScanEngine and its index, answers `refresh` with
//     compact columns, persists the index after answering;
//   - parser (started by a coordinator for a large scan): parses the files it is handed.
// The extension host's thread only posts messages and receives the columns.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { newScratch, parseFileSync, type FileResult, type FileTask } from '../agents/logParser';
import { ScanEngine, AbortedError } from './scanEngine';
import type { ScanProgress } from '../usageSnapshot';
import type { UsageColumns } from '../store/usageStore';

export interface CoordinatorData {
  role: 'coordinator';
  claudeDirs: string[];
  codexDirs: string[];
  statePath: string;
  pricesOverridePath?: string | undefined;
  /** Int32Array over it: [0] = the highest refresh id that was cancelled */
  abort: SharedArrayBuffer;
  maxHelpers?: number | undefined;
  helperThresholdBytes?: number | undefined;
  dedupeBudget?: number | undefined;
}

export type CoordinatorReply =
  | { type: 'progress'; id: number; progress: ScanProgress }
  | { type: 'result'; id: number; columns: UsageColumns; stats: import('../usageSnapshot').ScanStats }
  | { type: 'error'; id: number; message: string; aborted: boolean };

export function columnBuffers(c: UsageColumns): ArrayBuffer[] {
  return [
    c.sessionAgent,
    c.sessionId,
    c.sessionProject,
    c.bucketSession,
    c.bucketMinute,
    c.bucketModel,
    c.bucketTokens,
    c.bucketCost,
    c.bucketRequests,
    c.bucketPriced,
  ].map((a) => a.buffer as ArrayBuffer);
}

function resultBuffers(results: FileResult[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const r of results) {
    const x = r.records;
    for (const a of [x.keyHi, x.keyLo, x.timestampMs, x.tokens, x.model, x.session, x.project])
      out.push(a.buffer as ArrayBuffer);
  }
  return out;
}

function runParser(): void {
  // Results go to another thread: copies (transferred), so the scratch can be reused.
  const shared = newScratch(true);
  parentPort!.on('message', (message: { type: string; tasks: FileTask[] }) => {
    if (message.type !== 'parse') return;
    try {
      const results = message.tasks.map((task) => parseFileSync(task, shared));
      parentPort!.postMessage({ type: 'parsed', results }, resultBuffers(results));
    } catch (error) {
      parentPort!.postMessage({ type: 'error', error: error instanceof Error ? error.message : String(error) });
    }
  });
  // Files are handed out only to a thread that is ready (see ParserPool).
  parentPort!.postMessage({ type: 'ready' });
}

function runCoordinator(data: CoordinatorData): void {
  const aborted = new Int32Array(data.abort);
  const engine = new ScanEngine({
    claudeDirs: data.claudeDirs,
    codexDirs: data.codexDirs,
    statePath: data.statePath,
    pricesOverridePath: data.pricesOverridePath,
    threaded: true,
    helperScript: __filename,
    maxHelpers: data.maxHelpers,
    helperThresholdBytes: data.helperThresholdBytes,
    longRunning: true,
    dedupeBudget: data.dedupeBudget,
  });
  const post = (reply: CoordinatorReply, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(reply, transfer);
  // Refreshes run one after another: the engine and its index are not re-entrant.
  let chain: Promise<void> = Promise.resolve();
  parentPort!.on('message', (message: { type: string; id: number }) => {
    if (message.type === 'close') {
      void chain.then(() => {
        engine.persist();
        engine.close();
        parentPort!.close();
      });
      return;
    }
    if (message.type !== 'refresh') return;
    const id = message.id;
    chain = chain.then(async () => {
      const isAborted = () => Atomics.load(aborted, 0) >= id;
      let lastProgress = 0;
      try {
        if (isAborted()) throw new AbortedError();
        const { store, stats } = await engine.refresh({
          isAborted,
          onProgress: (progress) => {
            const now = performance.now();
            if (now - lastProgress < 50 && progress.filesDone !== progress.filesTotal) return;
            lastProgress = now;
            post({ type: 'progress', id, progress });
          },
        });
        const columns = store.columns();
        post({ type: 'result', id, columns, stats }, columnBuffers(columns));
        engine.persist(false);
      } catch (error) {
        post({
          type: 'error',
          id,
          message: error instanceof Error ? error.message : String(error),
          aborted: error instanceof AbortedError,
        });
      }
    });
  });
}

if (!isMainThread && parentPort) {
  const data = workerData as { role?: string } | undefined;
  if (data?.role === 'parser') runParser();
  else if (data?.role === 'coordinator') runCoordinator(data as CoordinatorData);
}
