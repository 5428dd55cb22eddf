// Parser threads for a large scan: they pull batches of files (two in flight each, so none waits for
// the next) while the scanning thread parses files from the same queue between counting their
// results. Started once per refresh (or before it: `prestart`, so that a thread boots while the files
// are listed), used for one or more lists of files, then stopped. A thread gets files only once it
// says it is ready: until then the scanning thread parses them itself, so a thread that boots late
// (a busy machine) costs the scan nothing but its start.
import { Worker } from 'node:worker_threads';
import { newScratch, parseFileSync, type FileRecords, type FileResult, type FileTask } from '../agents/logParser';
import { AbortedError } from './scanErrors';

/** A parser thread is handed files in batches of about this many bytes (less near the end, see send). */
const BATCH_BYTES = 8 * 1024 * 1024;
const BATCH_MIN_BYTES = 1024 * 1024;
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
  /** the threads that said they are ready for files */
  private readonly ready = new Set<Worker>();
  private parsing = false;
  /** bytes still in the queue */
  private queuedBytes = 0;
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
    this.queuedBytes = tasks.reduce((n, t) => n + t.bytes, 0);
    this.onResult = onResult;
    this.start(Math.min(this.count, Math.ceil(this.queuedBytes / BATCH_BYTES), tasks.length - 1));
    this.parsing = true;
    for (const w of this.ready) {
      this.send(w);
      this.send(w);
    }
    try {
      await this.parseHere(onResult, onRecords, afterEach, isAborted);
    } finally {
      this.parsing = false;
    }
  }

  /** Start the threads now, before there is anything to parse (they boot meanwhile). */
  prestart(): void {
    this.start(this.count);
  }

  private async parseHere(
    onResult: (result: FileResult) => void,
    onRecords: (task: FileTask, records: FileRecords) => void,
    afterEach: () => Promise<void>,
    isAborted?: () => boolean,
  ): Promise<void> {
    for (;;) {
      if (isAborted?.()) throw new AbortedError();
      if (this.failure) throw this.failure;
      const p = this.queue.shift();
      if (p) {
        this.queuedBytes -= p.bytes;
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
    this.ready.clear();
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
        if (message.type === 'ready') {
          this.ready.add(w);
          if (this.parsing) {
            this.send(w);
            this.send(w);
          }
          return;
        }
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
        this.ready.delete(w);
        if (!this.stopped.has(w))
          this.failure ??= new Error(`a usage parser thread stopped (exit ${code}); run the scan again`);
        this.notify();
      });
    }
  }

  private send(w: Worker): void {
    const batch: FileTask[] = [];
    let bytes = 0;
    // Smaller batches as the queue empties, so that no thread is left with a big one at the end.
    const batchBytes = Math.min(BATCH_BYTES, Math.max(BATCH_MIN_BYTES, this.queuedBytes / (4 * (this.ready.size + 1))));
    // The queue is biggest first: the files too large for a parser thread are at its head, left to this thread.
    let at = 0;
    while (at < this.queue.length && this.queue[at]!.bytes > HELPER_FILE_MAX_BYTES) at++;
    while (at < this.queue.length && (batch.length === 0 || bytes < batchBytes)) {
      const p = this.queue.splice(at, 1)[0]!;
      batch.push(p.task);
      bytes += p.bytes;
    }
    this.queuedBytes -= bytes;
    if (batch.length === 0) return;
    this.outstanding++;
    w.postMessage({ type: 'parse', tasks: batch });
  }
}
