// The persisted incremental index: per file what was read (device, inode, size, mtime, offset), and
// the usage store's tables. Layout: "SBUX" + u32 version + u32 header length + JSON header, padded
// to 4 bytes, then the session table as raw little-endian arrays, then the dedupe table's entries
// shard after shard (9 u32 each), then "END!". It is written to a temporary file and renamed over the
// old one, so a crash mid-write leaves the previous index intact; an index that does not read back
// whole is ignored (a full rescan), never trusted in part. The entries are not read into memory on
// load beyond the dedupe table's budget: the table reads its shards from this file when it needs them.
import { closeSync, fstatSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CodexFileState } from './codexLine';
import type { Agent } from './logParser';
import type { Pricing } from './prices';
import { ENTRY_WORDS, entryPieces, FileSource, SHARD_BITS, SHARDS } from './dedupeTable';
import { UsageStore } from './usageStore';

export const INDEX_VERSION = 3;
const MAGIC = Buffer.from('SBUX');
const TRAILER = Buffer.from('END!');

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

export interface ScanIndex {
  files: Map<string, FileState>;
  store: UsageStore;
}

interface Header {
  version: number;
  files: Record<string, FileState>;
  strings: string[];
  skippedLines: number;
  sessions: number;
  entries: number;
  /** entries per shard of the dedupe table */
  shards: number[];
}

/**
 * Written piece by piece: the header's per-file part is as large as the file list (about 350 bytes
 * a file), and one JSON string of it plus its Buffer would sit on top of the scan's peak memory.
 */
export function saveIndex(path: string, index: ScanIndex): void {
  const store = index.store;
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
    const head = JSON.stringify({ version: INDEX_VERSION, skippedLines: store.skippedLines, ...sizes, strings: store.strings });
    write(Buffer.from(`${head.slice(0, -1)},"files":{`, 'utf8'));
    let batch = '';
    let first = true;
    for (const [file, state] of index.files) {
      batch += `${first ? '' : ','}${JSON.stringify(file)}:${JSON.stringify(state)}`;
      first = false;
      if (batch.length > 32768) {
        write(Buffer.from(batch, 'utf8'));
        batch = '';
      }
    }
    write(Buffer.from(`${batch}}}`, 'utf8'));
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
 * Everything but the dedupe table's entries is read into memory; the entries are checked piece by
 * piece and stay in the file (see DedupeTable.attach).
 */
export function loadIndex(path: string, pricing: Pricing, dedupeBudget?: number): ScanIndex | undefined {
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
    if (!isCount(sessions) || !Array.isArray(header.strings) || !Array.isArray(shards) || shards.length !== SHARDS || !shards.every(isCount)) return undefined;
    let at = 12 + headerLength;
    at += (4 - (at % 4)) % 4;
    const entries = shards.reduce((a, b) => a + b, 0);
    const entriesAt = at + sessions + ((4 - (sessions % 4)) % 4) + 8 * sessions;
    if (entriesAt + ENTRY_WORDS * 4 * entries + 4 !== size) return undefined;
    const read = (bytes: number): Uint8Array => {
      const out = source.readOnce(at, bytes);
      at += bytes;
      return out;
    };
    const store = UsageStore.restore(pricing, path, dedupeBudget, header.strings, header.skippedLines, sessions, read);
    if (!store) return undefined;
    const offsets = shardOffsetsChecked(source, entriesAt, shards, sessions, header.strings.length);
    if (!offsets) return undefined;
    store.attachEntries(source, offsets, shards);
    kept = true;
    return { files: new Map(Object.entries(header.files)), store };
  } catch {
    return undefined;
  } finally {
    if (!kept) source.close();
  }
}

function isCount(n: unknown): n is number {
  return Number.isInteger(n) && (n as number) >= 0;
}

/** Each shard's offset, after checking its entries (their shard, their session and model); undefined if any is wrong. */
function shardOffsetsChecked(source: FileSource, at: number, counts: number[], sessions: number, strings: number): number[] | undefined {
  const offsets = shardOffsets(at, counts);
  for (let shard = 0; shard < SHARDS; shard++) {
    for (const w of entryPieces(source, offsets[shard]!, counts[shard]!)) {
      for (let at = 0; at < w.length; at += ENTRY_WORDS) {
        if (w[at]! >>> (32 - SHARD_BITS) !== shard || w[at + 2]! >= sessions || w[at + 4]! >= strings) return undefined;
      }
    }
  }
  return offsets;
}
