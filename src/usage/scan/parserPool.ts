// Parser threads for a large scan: they pull batches of files (two in flight each, so none waits for
// the next) while the scanning thread parses files from the same queue between counting their
// results. Started once per refresh, used for one or more lists of files, then stopped.
import { Worker } from 'node:worker_threads';
import { newScratch, parseFileSync, type FileRecords, type FileResult, type FileTask } from '../agents/logParser';
import { AbortedError } from './scanErrors';

/** A parser thread is handed files in batches of about this many bytes. */
const BATCH_BYTES = 8 * 1024 * 1024;
/**
 * Files larger than this are parsed on the scanning thread, which takes their records in batches as
 * they come; a parser thread hands a file's records back whole (a copy to transfer).
 */
const HELPER_FILE_MAX_BYTES = 64 * 1024 * 1024;

export interface PoolTask {
  task: FileTask;
  /** bytes to read */
  bytes: number;
}

export class ParserPool {
  private readonly workers: Worker[] = [];
  private readonly stopped = new Set<Worker>();
  private failure: unknown;
  private outstanding = 0;
  private wake: (() => void) | undefined;
  private queue: PoolTask[] = [];
  private onResult: ((result: FileResult) => void) | undefined;
  private readonly shared = newScratch(false);

  constructor(
    private readonly script: string,
    private readonly count: number,
  ) {}

  /**
   * Parse `tasks` (biggest first, so that no thread is left with one huge file at the end), handing
   * each result to `onResult` on this thread; `onRecords` takes the records of a file this thread
   * parses in batches as they come; `afterEach` runs after each file this thread parsed.
   */
  async parse(
    tasks: PoolTask[],
    onResult: (result: FileResult) => void,
    onRecords: (task: FileTask, records: FileRecords) => void,
    afterEach: () => Promise<void>,
    isAborted?: () => boolean,
  ): Promise<void> {
    this.queue = tasks.slice().sort((a, b) => b.bytes - a.bytes);
    this.onResult = onResult;
    this.start(Math.min(this.count, Math.ceil(tasks.reduce((n, t) => n + t.bytes, 0) / BATCH_BYTES), tasks.length - 1));
    for (const w of this.workers) {
      this.send(w);
      this.send(w);
    }
    for (;;) {
      if (isAborted?.()) throw new AbortedError();
      if (this.failure) throw this.failure;
      const p = this.queue.shift();
      if (p) {
        onResult(parseFileSync(p.task, this.shared, undefined, isAborted, (records) => onRecords(p.task, records)));
        await afterEach();
        // Let the parser threads' messages in (their results, their requests for more).
        await new Promise<void>((resolve) => setImmediate(resolve));
      } else if (this.outstanding > 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
      } else {
        break;
      }
    }
    if (this.failure) throw this.failure;
  }

  close(): void {
    for (const w of this.workers) {
      this.stopped.add(w);
      void w.terminate();
    }
    this.workers.length = 0;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private start(wanted: number): void {
    while (this.workers.length < wanted) {
      const w = new Worker(this.script, {
        workerData: { role: 'parser' },
        resourceLimits: { maxYoungGenerationSizeMb: 4 },
      });
      this.workers.push(w);
      w.on('message', (message: { type: string; results?: FileResult[]; error?: string }) => {
        if (this.failure) return;
        this.outstanding--;
        if (message.type === 'parsed') {
          try {
            for (const result of message.results!) this.onResult!(result);
          } catch (error) {
            this.failure = error;
          }
          if (!this.failure) this.send(w);
        } else {
          this.failure = new Error(message.error);
        }
        this.notify();
      });
      w.on('error', (error) => {
        this.failure ??= error;
        this.notify();
      });
      w.on('exit', (code) => {
        if (!this.stopped.has(w))
          this.failure ??= new Error(`a usage parser thread stopped (exit ${code}); run the scan again`);
        this.notify();
      });
    }
  }

  private send(w: Worker): void {
    const batch: FileTask[] = [];
    let bytes = 0;
    // The queue is biggest first: the files too large for a parser thread are at its head, left to this thread.
    let at = 0;
    while (at < this.queue.length && this.queue[at]!.bytes > HELPER_FILE_MAX_BYTES) at++;
    while (at < this.queue.length && (batch.length === 0 || bytes < BATCH_BYTES)) {
      const p = this.queue.splice(at, 1)[0]!;
      batch.push(p.task);
      bytes += p.bytes;
    }
    if (batch.length === 0) return;
    this.outstanding++;
    w.postMessage({ type: 'parse', tasks: batch });
  }
}
