// What to do with one log file, from what the index remembers of it and its stat: read it whole,
// read what was appended, or nothing. Shared by the one-shot and the incremental scan.
import { closeSync, openSync, statSync, type Stats } from 'node:fs';
import { tailHashSync, type FileResult, type FileTask } from '../agents/logParser';
import type { FileState } from '../store/fileTable';
import type { LogFile } from './logFiles';

/** statSync's options: a file gone since it was listed is undefined, not an exception (thrown and caught per file). */
export const STAT_QUIETLY = { throwIfNoEntry: false } as const;

/** What a file's stat said, without the Stats object (five Dates and a dozen numbers per file, kept for the whole scan). */
export interface FileStat {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

/** What to do with a file, from what the index remembers of it and its stat. */
export type FilePlan = 'whole' | 'unchanged' | 'touched' | 'append';

/**
 * New, rotated (same path, new inode) or truncated: read whole. Same size and mtime: unchanged.
 * Otherwise, when bytes were read before, 'checkTail': the bytes before the offset must be the ones
 * read (then afterTailCheck says what to do). Synchronous, so that the refresh of thousands of
 * unchanged files makes no promise per file.
 */
export function planFile(file: LogFile, st: FileStat, prev: FileState | undefined): FilePlan | 'checkTail' {
  if (!prev || prev.agent !== file.agent || prev.dev !== st.dev || prev.ino !== st.ino) return 'whole';
  if (st.size < prev.offset) return 'whole';
  if (st.size === prev.size && st.mtimeMs === prev.mtimeMs) return 'unchanged';
  return prev.offset > 0 ? 'checkTail' : afterTailCheck(st, prev, true);
}

/** A file rewritten under the same name and inode is read whole; one touched with nothing new only has its mtime remembered; else the appended bytes are read. */
export function afterTailCheck(st: FileStat, prev: FileState, tailMatches: boolean): FilePlan {
  if (!tailMatches) return 'whole';
  return st.size === prev.offset ? 'touched' : 'append';
}

export function taskFor(file: LogFile, plan: FilePlan, prev: FileState | undefined): FileTask {
  return plan === 'append'
    ? { path: file.path, agent: file.agent, from: prev!.offset, codex: prev!.codex }
    : { path: file.path, agent: file.agent, from: 0 };
}

export function stateAfter(file: LogFile, st: FileStat, result: FileResult): FileState {
  return {
    agent: file.agent,
    dev: st.dev,
    ino: st.ino,
    size: st.size,
    mtimeMs: st.mtimeMs,
    offset: result.end,
    tailHash: result.tailHash,
    codex: result.codex,
  };
}

/** The file's stat, or undefined when it is gone or not a regular file. */
export function statQuietly(path: string): FileStat | undefined {
  let st: Stats | undefined;
  try {
    st = statSync(path, STAT_QUIETLY);
  } catch {
    return undefined;
  }
  return st?.isFile() ? { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs } : undefined;
}

/** The hash of the bytes before `offset` (-1 when the file cannot be read). */
export function tailHashOfPath(path: string, offset: number): number {
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
