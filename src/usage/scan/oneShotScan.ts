// The one-shot scan (the CLI): it holds no list of files at all. It walks the folders in path
// order, reads the previous index's file table in step (same order), and writes the new table to a
// scratch file as it goes (see fileTable.ts), so its memory does not grow with the history.
import type { FileResult, FileTask } from '../agents/logParser';
import { spillPathBeside } from '../store/dedupe/dedupeTable';
import { alongTable, FileTableWriter, type FileState, type FileTableRef } from '../store/fileTable';
import type { UsageStore } from '../store/usageStore';
import type { ScanProgress } from '../usageSnapshot';
import { afterTailCheck, planFile, stateAfter, statQuietly, tailHashOfPath, taskFor, type FileStat } from './filePlan';
import { walkLogFilesInOrder, type LogFile } from './logFiles';
import { ParserPool, type PoolTask } from './parserPool';
import {
  checkAborted,
  helpersWanted,
  readThreaded,
  undecodable,
  type RefreshHooks,
  type ScanCounts,
  type ThreadOptions,
} from './readFiles';

export interface OneShotOptions extends ThreadOptions {
  claudeDirs: readonly string[];
  codexDirs: readonly string[];
  statePath: string;
}

/** The files walked are read in groups of at most this many files or bytes. */
const GROUP_FILES = 2048;
const GROUP_BYTES = 128 * 1024 * 1024;
/** At most this many vanished files are remembered, to continue files that moved (beyond: read again, dedupe keeps the counts). */
const MOVED_MAX = 8192;

/** A file of a group: its state is known (unchanged or touched), or it is to be read. */
interface GroupItem {
  file: LogFile;
  stats: FileStat;
  state?: FileState | undefined;
  task?: FileTask | undefined;
}

export class OneShotScan {
  /** the file table in the index, or the one the last refresh wrote */
  private table: FileTableRef | undefined;

  constructor(
    private readonly options: OneShotOptions,
    table: FileTableRef | undefined,
  ) {
    this.table = table;
  }

  /** The per-file index to persist. */
  get fileTable(): FileTableRef | undefined {
    return this.table;
  }

  /** Walk the log files in path order beside the previous file table, read the changed ones in groups, and write the new table as it goes. */
  async refresh(store: UsageStore, hooks: RefreshHooks): Promise<ScanCounts> {
    const o = this.options;
    const old = this.table;
    const moved = old && old.count > 0 ? this.vanishedByIdentity(old) : undefined;
    const writer = new FileTableWriter(() => spillPathBeside(o.statePath));
    const progress: ScanProgress = { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 };
    let filesTotal = 0;
    let filesRead = 0;
    let indexChanged = false;
    const undecodableNames: string[] = [];
    const threads: { pool?: ParserPool } = {};
    // A first scan (no index) reads every file: its parser threads boot while the folders are walked.
    const helpers = old ? 0 : helpersWanted(o);
    if (helpers > 0) {
      threads.pool = new ParserPool(o.helperScript!, helpers);
      threads.pool.prestart();
    }
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
      await readThreaded(o, store, toRead, accept, progress, hooks, threads);
      filesRead += toRead.length;
      for (const item of items) writer.add(item.file.path, item.state!);
    };

    try {
      // Files of the previous table that are gone are forgotten (their usage stays counted).
      for (const { file, prev: listed } of alongTable(
        walkLogFilesInOrder(o.claudeDirs, o.codexDirs),
        old,
        () => (indexChanged = true),
      )) {
        const st = statQuietly(file.path);
        if (!st) {
          if (undecodable(file.path)) undecodableNames.push(file.path);
          continue;
        }
        filesTotal++;
        // A file moved (Codex archiving a rollout) continues where it was.
        const movedFrom = listed ? undefined : moved?.get(`${st.dev}:${st.ino}`);
        if (movedFrom) indexChanged = true;
        const prev = listed ?? movedFrom;
        let plan = planFile(file, st, prev);
        if (plan === 'checkTail')
          plan = afterTailCheck(st, prev!, tailHashOfPath(file.path, prev!.offset) === prev!.tailHash);
        if (plan === 'unchanged' || plan === 'touched') {
          if (plan === 'touched') indexChanged = true;
          group.push({
            file,
            stats: st,
            state: plan === 'touched' ? { ...prev!, size: st.size, mtimeMs: st.mtimeMs } : prev,
          });
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
      checkAborted(hooks);
      await hooks.onProgress?.({ ...progress });
    } catch (error) {
      writer.discard();
      throw error;
    } finally {
      threads.pool?.close();
    }
    if (old) old.source.close();
    this.table = writer.finish();
    return { filesTotal, filesRead, bytesRead: progress.bytesDone, indexChanged, undecodableNames };
  }

  close(): void {
    if (this.table) this.table.source.close();
    this.table = undefined;
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
}
