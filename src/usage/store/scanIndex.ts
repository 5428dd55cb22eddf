// The persisted incremental index: the usage store's tables, and per file what was read (device,
// inode, size, mtime, offset). Layout: "SBUX" + u32 version + u32 header length + JSON header, padded
// to 4 bytes, then the session table as raw little-endian arrays, then the dedupe table's entries
// shard after shard (9 u32 each), then the file table (JSON lines, see fileTable.ts), then "END!". It is written to a temporary file and renamed over the
// old one, so a crash mid-write leaves the previous index intact; an index that does not read back
// whole is ignored (a full rescan), never trusted in part. The entries are not read into memory on
// load beyond the dedupe table's budget: the table reads its shards from this file when it needs them.
import { closeSync, fstatSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Pricing } from '../prices/prices';
import { ENTRY_WORDS, entryPieces, SHARD_BITS, SHARDS } from './dedupe/dedupeTable';
import { FileSource } from './scratchFile';
import { fileMapLines, fileRecords, fileTableBytes, type FileState, type FileTableRef } from './fileTable';
import { UsageStore } from './usageStore';
import { ENTRY_KEY_HI, ENTRY_MODEL, ENTRY_SESSION } from './dedupe/entryLayout';

export type { FileState } from './fileTable';

/** 6: entries carry the 1-hour cache writes (10 words) */
export const INDEX_VERSION = 6;
const MAGIC = Buffer.from('SBUX');
const TRAILER = Buffer.from('END!');

/**
 * An index read back: the store, and the file table — in a Map, or still in the index file (with a
 * handle of its own: close it when done).
 */
export interface LoadedIndex {
  store: UsageStore;
  files: Map<string, FileState> | FileTableRef;
}

interface Header {
  version: number;
  /** the file table's records and bytes */
  files: { count: number; bytes: number };
  strings: string[];
  skippedLines: number;
  sessions: number;
  /** bytes of the sessions' ids */
  sessionNamesBytes: number;
  entries: number;
  /** entries per shard of the dedupe table */
  shards: number[];
}

/**
 * Written piece by piece, none of it held whole. `files`: the file table, from a Map (a long-running
 * meter) or from the table a one-shot scan wrote as it went.
 */
export function saveIndex(path: string, store: UsageStore, files: Map<string, FileState> | FileTableRef): void {
  const sizes = store.sizes();
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  let entriesAt = 0;
  try {
    let at = 0;
    const write = (part: Uint8Array) => {
      let off = 0;
      while (off < part.length) off += writeSync(fd, part, off, part.length - off, at + off);
      at += part.length;
    };
    const prefix = Buffer.alloc(12);
    MAGIC.copy(prefix, 0);
    prefix.writeUInt32LE(INDEX_VERSION, 4);
    write(prefix);
    // The file table's size goes in the header, which comes first: its place is kept with spaces.
    const filesField = (count: number, bytes: number) => `{"count":${count},"bytes":${bytes}}`.padEnd(48, ' ');
    const head = JSON.stringify({
      version: INDEX_VERSION,
      skippedLines: store.skippedLines,
      ...sizes,
      strings: store.strings,
    });
    const before = Buffer.from(`${head.slice(0, -1)},"files":`, 'utf8');
    write(before);
    const filesFieldAt = at;
    write(Buffer.from(`${filesField(0, 0)}}`, 'utf8'));
    const headerLength = at - 12;
    const length = Buffer.alloc(4);
    length.writeUInt32LE(headerLength);
    writeSync(fd, length, 0, 4, 8);
    write(Buffer.alloc((4 - (at % 4)) % 4));
    for (const chunk of store.sessionChunks()) {
      write(chunk);
      if (chunk.length % 4 !== 0) write(Buffer.alloc(4 - (chunk.length % 4)));
    }
    entriesAt = at;
    for (const chunk of store.entryChunks()) write(chunk);
    const filesAt = at;
    let count = 0;
    if (files instanceof Map) {
      for (const chunk of fileMapLines(files)) write(chunk);
      count = files.size;
    } else {
      for (const chunk of fileTableBytes(files)) write(chunk);
      count = files.count;
    }
    const field = Buffer.from(filesField(count, at - filesAt), 'utf8');
    writeSync(fd, field, 0, field.length, filesFieldAt);
    write(TRAILER);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    removeQuietly(tmp);
    throw error;
  }
  closeSync(fd);
  store.suspendIndex();
  try {
    renameSync(tmp, path);
  } catch (error) {
    store.resumeIndex();
    removeQuietly(tmp);
    throw error;
  }
  store.attachEntries(new FileSource(openSync(path, 'r'), path), shardOffsets(entriesAt, sizes.shards), sizes.shards);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Where each shard's entries start, the first at `at`. */
function shardOffsets(at: number, counts: number[]): number[] {
  const offsets: number[] = [];
  for (const n of counts) {
    offsets.push(at);
    at += n * ENTRY_WORDS * 4;
  }
  return offsets;
}

/**
 * The index at `path`, or undefined when there is none or it is unreadable (then: full rescan).
 * The header and the session table are read into memory; the dedupe table's entries and the file
 * table are checked piece by piece and stay in the file (see DedupeTable.attach and fileTable.ts).
 */
export function loadIndex(
  path: string,
  pricing: Pricing,
  dedupeBudget: number | undefined,
  filesAsMap: boolean,
): LoadedIndex | undefined {
  let source: FileSource;
  try {
    source = new FileSource(openSync(path, 'r'), path);
  } catch {
    return undefined;
  }
  let kept = false;
  try {
    const size = fstatSync(source.fd).size;
    if (size < 16) return undefined;
    const prefix = source.read(0, 12);
    const view = new DataView(prefix.buffer, prefix.byteOffset, 12);
    if (!MAGIC.equals(prefix.subarray(0, 4)) || view.getUint32(4, true) !== INDEX_VERSION) return undefined;
    const headerLength = view.getUint32(8, true);
    if (12 + headerLength + 4 > size || !TRAILER.equals(source.read(size - 4, 4))) return undefined;
    const header = JSON.parse(source.readOnce(12, headerLength).toString('utf8')) as Header;
    const sessions = header.sessions;
    const shards = header.shards;
    const files = header.files;
    const namesBytes = header.sessionNamesBytes;
    if (
      !isCount(sessions) ||
      !isCount(namesBytes) ||
      !Array.isArray(header.strings) ||
      !Array.isArray(shards) ||
      shards.length !== SHARDS ||
      !shards.every(isCount)
    )
      return undefined;
    if (!isCount(files?.count) || !isCount(files.bytes)) return undefined;
    let at = 12 + headerLength;
    at += (4 - (at % 4)) % 4;
    const entries = shards.reduce((a, b) => a + b, 0);
    const entriesAt = at + pad4(sessions) + 16 * sessions + pad4(namesBytes);
    const filesAt = entriesAt + ENTRY_WORDS * 4 * entries;
    if (filesAt + files.bytes + 4 !== size) return undefined;
    const read = (bytes: number): Uint8Array => {
      const out = source.readOnce(at, bytes);
      at += bytes;
      return out;
    };
    const store = UsageStore.restore(
      pricing,
      path,
      dedupeBudget,
      header.strings,
      header.skippedLines,
      { count: sessions, namesBytes },
      read,
    );
    if (!store) return undefined;
    let restored = false;
    try {
      const offsets = shardOffsetsChecked(source, entriesAt, shards, sessions, header.strings.length);
      if (!offsets) return undefined;
      const table: FileTableRef = {
        source: new FileSource(openSync(path, 'r'), path),
        offset: filesAt,
        bytes: files.bytes,
        count: files.count,
      };
      // Each record is checked as it is read (malformed, out of order, or fewer than the header
      // says throws), so that a scan never meets a bad one; read once into the Map when one is wanted.
      const map = filesAsMap ? new Map<string, FileState>() : undefined;
      try {
        for (const [file, state] of fileRecords(table)) map?.set(file, state);
      } catch (error) {
        table.source.close();
        throw error;
      }
      if (map) table.source.close();
      store.attachEntries(source, offsets, shards);
      kept = true;
      restored = true;
      return { store, files: map ?? table };
    } finally {
      if (!restored) store.close();
    }
  } catch {
    return undefined;
  } finally {
    if (!kept) source.close();
  }
}

/** n rounded up to a multiple of 4 */
function pad4(n: number): number {
  return n + ((4 - (n % 4)) % 4);
}

function isCount(n: unknown): n is number {
  return Number.isInteger(n) && (n as number) >= 0;
}

/** Each shard's offset, after checking its entries (their shard, their session and model); undefined if any is wrong. */
function shardOffsetsChecked(
  source: FileSource,
  at: number,
  counts: number[],
  sessions: number,
  strings: number,
): number[] | undefined {
  const offsets = shardOffsets(at, counts);
  for (let shard = 0; shard < SHARDS; shard++) {
    for (const w of entryPieces(source, offsets[shard]!, counts[shard]!)) {
      for (let at = 0; at < w.length; at += ENTRY_WORDS) {
        if (
          w[at + ENTRY_KEY_HI]! >>> (32 - SHARD_BITS) !== shard ||
          w[at + ENTRY_SESSION]! >= sessions ||
          w[at + ENTRY_MODEL]! >= strings
        )
          return undefined;
      }
    }
  }
  return offsets;
}
