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

export function saveIndex(path: string, index: ScanIndex): void {
  const t = index.store.tables();
  const header: Header = {
    version: INDEX_VERSION,
    files: Object.fromEntries(index.files),
    strings: index.store.strings,
    skippedLines: index.store.skippedLines,
    sessions: t.sessions[0].length,
    buckets: t.buckets[0].length,
    entries: t.entries[0].length,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(12);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(INDEX_VERSION, 4);
  prefix.writeUInt32LE(headerBytes.length, 8);
  const pad = Buffer.alloc((4 - ((12 + headerBytes.length) % 4)) % 4);
  const agentBytes = t.sessions[0];
  const agentPad = Buffer.alloc((4 - (agentBytes.length % 4)) % 4);
  const parts: Uint8Array[] = [
    prefix,
    headerBytes,
    pad,
    agentBytes,
    agentPad,
    ...[t.sessions[1], t.sessions[2], ...t.buckets, ...t.entries].map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength)),
    TRAILER,
  ];
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    for (const part of parts) {
      let off = 0;
      while (off < part.length) off += writeSync(fd, part, off, part.length - off);
    }
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
    // Copy into fresh aligned arrays: the Buffer's own offset inside Node's pool is not aligned.
    const take32 = (n: number): Uint32Array => {
      const out = new Uint32Array(n);
      new Uint8Array(out.buffer).set(data.subarray(at, at + n * 4));
      at += n * 4;
      return out;
    };
    const agent = new Uint8Array(data.subarray(at, at + header.sessions));
    at += header.sessions + ((4 - (header.sessions % 4)) % 4);
    const sessionId = take32(header.sessions);
    const sessionProject = take32(header.sessions);
    const bs = take32(header.buckets);
    const bm = take32(header.buckets);
    const bmodel = take32(header.buckets);
    const ehi = take32(header.entries);
    const elo = take32(header.entries);
    const ebucket = take32(header.entries);
    const etokens = take32(header.entries * 4);
    if (at !== data.length - 4) return undefined;
    const n = header.strings.length;
    const inRange = (a: Uint32Array, limit: number) => a.every((v) => v < limit);
    if (!inRange(sessionId, n) || !inRange(sessionProject, n) || !inRange(bmodel, n) || !inRange(bs, header.sessions) || !inRange(ebucket, header.buckets)) return undefined;
    const store = UsageStore.restore(pricing, header.strings, header.skippedLines, [agent, sessionId, sessionProject], [bs, bm, bmodel], [ehi, elo, ebucket, etokens]);
    return { files: new Map(Object.entries(header.files)), store };
  } catch {
    return undefined;
  }
}
