// The per-file part of the usage index: for each log file what was read of it (FileState), one JSON
// line `[path, state]` per file, in comparePaths order. A one-shot scan (the CLI) never holds it in
// memory: it reads the previous table in step with the walk over the log folders (both in the same
// order) and writes the new one to a scratch file as it goes, which the index then copies. A meter
// that refreshes again and again reads it into a Map once, when the index is loaded (loadIndex).
import { StringDecoder } from 'node:string_decoder';
import type { CodexFileState } from '../agents/codex/codexLine';
import { ScratchFile, type SegmentSource } from './scratchFile';
import { comparePaths, type LogFile } from '../scan/logFiles';
import type { Agent } from '../agents/logParser';

export interface FileState {
  agent: Agent;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  /** where the next scan starts (after the last complete line) */
  offset: number;
  tailHash: number;
  codex?: CodexFileState | undefined;
}

/** A file table in a file (the index, or a scratch file): `bytes` bytes of JSON lines at `offset` of `source`, `count` records. */
export interface FileTableRef {
  source: SegmentSource & { close(): void };
  offset: number;
  bytes: number;
  count: number;
}

const PIECE = 64 * 1024;

/** Each record in turn, read in pieces. Throws on a record that is malformed or out of order. */
export function* fileRecords(table: FileTableRef): Generator<[string, FileState]> {
  let at = table.offset;
  const end = table.offset + table.bytes;
  let carry = '';
  let previous: string | undefined;
  let count = 0;
  // A piece may end inside a character of a path (UTF-8): the decoder keeps its first bytes for the next.
  const decoder = new StringDecoder('utf8');
  while (at < end) {
    const n = Math.min(PIECE, end - at);
    const piece = table.source.read(at, n);
    const text = carry + decoder.write(Buffer.from(piece.buffer, piece.byteOffset, piece.length));
    at += n;
    const last = text.lastIndexOf('\n');
    carry = last === -1 ? text : text.slice(last + 1);
    if (last === -1) continue;
    for (const line of text.slice(0, last).split('\n')) {
      const record = parseRecord(line);
      if (previous !== undefined && comparePaths(previous, record[0]) >= 0)
        throw new Error('the usage index lists its files out of order');
      previous = record[0];
      count++;
      yield record;
    }
  }
  if (carry !== '' || count !== table.count) throw new Error('the usage index file table is incomplete');
}

function parseRecord(line: string): [string, FileState] {
  const r = JSON.parse(line) as unknown;
  if (!Array.isArray(r) || r.length !== 2 || typeof r[0] !== 'string')
    throw new Error('a malformed file record in the usage index');
  const s = r[1] as FileState;
  const numbers = [s?.dev, s?.ino, s?.size, s?.mtimeMs, s?.offset, s?.tailHash];
  if (
    (s?.agent !== 'claude_code' && s?.agent !== 'codex') ||
    !numbers.every((x) => typeof x === 'number' && Number.isFinite(x))
  ) {
    throw new Error('a malformed file record in the usage index');
  }
  return [r[0], s];
}

/**
 * Each file of `files` (in comparePaths order) with what `table` remembers of it, read in step; the
 * table's records whose file is not among them go to `gone`. A file out of order (which the walk
 * never yields) is skipped rather than breaking the merge.
 */
export function* alongTable(
  files: Iterable<LogFile>,
  table: FileTableRef | undefined,
  gone: (path: string, state: FileState) => void,
): Generator<{ file: LogFile; prev: FileState | undefined }> {
  const records = table ? fileRecords(table) : undefined;
  let next = records?.next();
  let last: string | undefined;
  for (const file of files) {
    if (last !== undefined && comparePaths(last, file.path) >= 0) continue;
    last = file.path;
    while (next && !next.done && comparePaths(next.value[0], file.path) < 0) {
      gone(next.value[0], next.value[1]);
      next = records!.next();
    }
    let prev: FileState | undefined;
    if (next && !next.done && next.value[0] === file.path) {
      prev = next.value[1];
      next = records!.next();
    }
    yield { file, prev };
  }
  for (; next && !next.done; next = records!.next()) gone(next.value[0], next.value[1]);
}

/** The records of a Map in table order, as JSON lines in chunks of about 32 KB. */
export function* fileMapLines(files: Map<string, FileState>): Generator<Buffer> {
  const paths = [...files.keys()].sort(comparePaths);
  let batch = '';
  for (const path of paths) {
    batch += `${JSON.stringify([path, files.get(path)])}\n`;
    if (batch.length > 32768) {
      yield Buffer.from(batch, 'utf8');
      batch = '';
    }
  }
  if (batch) yield Buffer.from(batch, 'utf8');
}

/** A table's bytes as they are in its file, in pieces. */
export function* fileTableBytes(table: FileTableRef): Generator<Uint8Array> {
  for (let done = 0; done < table.bytes; done += PIECE) {
    yield table.source.read(table.offset + done, Math.min(PIECE, table.bytes - done));
  }
}

/**
 * A new table written record by record (in comparePaths order: the caller's, as alongTable hands the
 * files out; fileRecords checks it when the table is read) to a scratch file beside the index (see
 * scratchFile.ts; in the system's temp folder where the index's folder cannot be written).
 */
export class FileTableWriter {
  private readonly file: ScratchFile;
  private batch = '';
  private count = 0;

  constructor(pathFor: () => string) {
    this.file = new ScratchFile(pathFor);
  }

  add(path: string, state: FileState): void {
    this.batch += `${JSON.stringify([path, state])}\n`;
    this.count++;
    if (this.batch.length > 32768) this.flush();
  }

  /** The table written (its scratch file stays open: close the ref's source when done with it). */
  finish(): FileTableRef {
    this.flush();
    return { source: this.file, offset: 0, bytes: this.file.size, count: this.count };
  }

  /** Give up the table (an aborted scan). */
  discard(): void {
    this.file.close();
  }

  private flush(): void {
    if (!this.batch) return;
    this.file.append(Buffer.from(this.batch, 'utf8'));
    this.batch = '';
  }
}
