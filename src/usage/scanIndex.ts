// The persisted incremental index: per file what was read (device, inode, size, mtime, offset), and
// the usage store's tables. Layout: "SBUX" + u32 version + u32 header length + JSON header, padded
// to 4 bytes, then the tables as raw little-endian arrays, then "END!". It is written to a temporary
// file and renamed over the old one, so a crash mid-write leaves the previous index intact; an index
// that does not read back whole is ignored (a full rescan), never trusted in part.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CodexFileState } from './codexLine';
import type { Agent } from './logParser';
import type { Pricing } from './prices';
import { UsageStore } from './usageStore';

export const INDEX_VERSION = 1;
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
  buckets: number;
  entries: number;
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
    for (const chunk of store.tableChunks()) {
      write(chunk);
      if (chunk.length % 4 !== 0) write(Buffer.alloc(4 - (chunk.length % 4)));
    }
    write(TRAILER);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** The index at `path`, or undefined when there is none or it is unreadable (then: full rescan). */
export function loadIndex(path: string, pricing: Pricing): ScanIndex | undefined {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    return undefined;
  }
  try {
    if (data.length < 16 || !data.subarray(0, 4).equals(MAGIC) || data.readUInt32LE(4) !== INDEX_VERSION) return undefined;
    if (!data.subarray(data.length - 4).equals(TRAILER)) return undefined;
    const headerLength = data.readUInt32LE(8);
    const header = JSON.parse(data.toString('utf8', 12, 12 + headerLength)) as Header;
    let at = 12 + headerLength;
    at += (4 - (at % 4)) % 4;
    const counts = { sessions: header.sessions, buckets: header.buckets, entries: header.entries };
    if (![counts.sessions, counts.buckets, counts.entries].every((n) => Number.isInteger(n) && n >= 0)) return undefined;
    const expected = at + counts.sessions + ((4 - (counts.sessions % 4)) % 4) + 8 * counts.sessions + 12 * counts.buckets + 28 * counts.entries + 4;
    if (expected !== data.length) return undefined;
    const read = (bytes: number): Uint8Array => {
      const out = data.subarray(at, at + bytes);
      at += bytes;
      return out;
    };
    const store = UsageStore.restore(pricing, header.strings, header.skippedLines, counts, read);
    if (!store) return undefined;
    return { files: new Map(Object.entries(header.files)), store };
  } catch {
    return undefined;
  }
}
