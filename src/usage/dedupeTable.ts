// The dedupe table: one entry per distinct request (its 64-bit key, the rollup it counts in — agent
// session, minute, model — and its four token counts), so that a request logged several times counts
// once, with its largest line.
//
// It is the one part of the usage store that grows with every request, so it is kept within a
// fixed memory budget whatever the size of the logs: the entries are split into 512 shards by the
// key's top 9 bits, and at most `budget` entries are held in memory (small shards: a refresh that
// touches a few hundred of them loads little; 1024 shards measured as 19 MiB more peak memory in a
// full scan, 256 as 8 ms more per refresh at 2 GB of logs). The least recently used shards beyond
// that are written out (to the spill file, or left in the persisted index they came from). A record
// for a shard that is not in memory is queued (in memory up to a small buffer, then in the spill
// file) and replayed in arrival order when the shard is next loaded, so the result is
// exactly that of one table in memory: the same winner for every key, ties to the first seen.
//
// Words per entry, and per queued record alike: key hi, key lo, session, minute, model, input, output,
// cache_read, cache_write (u32 each). An entry carries its rollup's key rather than a rollup number,
// so counting needs no table of rollups: a one-shot scan never builds one (it grew by 16 bytes a
// rollup, 9 MB at 8 GB of logs), and a store that keeps per-rollup sums forms them from the entries.
import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ScratchFile, type FileSource, type SegmentSource } from './scratchFile';

export const ENTRY_WORDS = 9;
const RECORD_WORDS = ENTRY_WORDS;
export const SHARD_BITS = 9;
export const SHARDS = 1 << SHARD_BITS;
/** Entries held in memory at most (36 bytes each plus slots and spare capacity): ~1.2-2 MiB. */
export const DEFAULT_BUDGET = 16_384;
/** Entries on disk are read in pieces of at most this many bytes (each reader keeps a buffer this large). */
export const READ_PIECE_BYTES = 256 * 1024;
/** Queued records per shard kept in memory before they go to the spill file (512 × 2.3 KB). */
const QUEUE_RECORDS = 64;
/** Bytes of a full queue written to the spill file. */
const QUEUED_BYTES = QUEUE_RECORDS * RECORD_WORDS * 4;

/**
 * `count` entries stored at `offset` in `source`, read in pieces of at most READ_PIECE_BYTES (a
 * shard of a very large history is never read whole): u32 words in place, valid until the next read.
 */
export function* entryPieces(source: SegmentSource, offset: number, count: number): Generator<Uint32Array> {
  const per = Math.floor(READ_PIECE_BYTES / (ENTRY_WORDS * 4));
  for (let done = 0; done < count; done += per) {
    const n = Math.min(per, count - done);
    yield words(source.read(offset + done * ENTRY_WORDS * 4, n * ENTRY_WORDS * 4));
  }
}

/** What the table tells the store that owns it. */
export interface DedupeOwner {
  /** A counted entry leaves (sign -1) or joins (sign 1) its rollup's kept sums, if the store keeps them. */
  roll(session: number, minute: number, model: number, sign: 1 | -1, input: number, output: number, cacheRead: number, cacheWrite: number): void;
}

/**
 * A new spill file's path beside the index at `statePath` (its folder made if needed). Spill files
 * left there by a process that is gone are removed first: on POSIX a spill file is unlinked as soon
 * as it is open, but Windows cannot unlink an open file, so a crash there leaves one behind.
 */
export function spillPathBeside(statePath: string): string {
  const dir = dirname(statePath);
  mkdirSync(dir, { recursive: true });
  const prefix = `${basename(statePath)}.`;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith('.spill')) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || processAlive(pid)) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // gone already, or not ours to remove
    }
  }
  return join(dir, `${prefix}${process.pid}.${Math.random().toString(36).slice(2)}.spill`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

interface Segment {
  source: SegmentSource;
  offset: number;
  /** entries in it */
  count: number;
}

class Shard {
  /** in memory: `capacity` entries × ENTRY_WORDS, the first `dataCount` in use; undefined when none is */
  data: Uint32Array | undefined;
  slots: Int32Array | undefined;
  dataCount = 0;
  /** entries on disk, in parts whose keys differ from each other's and from those in memory */
  parts: Segment[] = [];
  /**
   * records queued for this shard while it is not in memory: spilled ones first (where each batch of
   * QUEUE_RECORDS starts in the spill file: a number, not an object, as a one-shot scan queues nearly
   * every record), then `queue`
   */
  spilled: number[] = [];
  queue: Uint32Array | undefined;
  queued = 0;
  lastUse = 0;
  /** kept in memory while it is being loaded or read */
  pinned = false;

  /** entries in the shard, in memory or not */
  get count(): number {
    let n = this.dataCount;
    for (const p of this.parts) n += p.count;
    return n;
  }

  get resident(): boolean {
    return this.data !== undefined;
  }

  /** every entry in memory, none on disk */
  get whole(): boolean {
    return this.data !== undefined && this.parts.length === 0;
  }

  get hasQueue(): boolean {
    return this.queued > 0 || this.spilled.length > 0;
  }
}

/**
 * Which keys may be in the table: a Bloom filter over every key counted or queued (4 probes, at
 * least 12 bits a key: about 0.6% false positives), for a table refreshed again and again. A key it
 * has never seen is new for certain, so a record for a shard on disk can be counted without reading
 * the shard: a refresh that adds a few hundred requests, spread over every shard, reads none of them.
 */
class KeyFilter {
  private readonly bits: Uint32Array;
  private readonly mask: number;
  /** keys it holds before false positives pass 0.6% */
  readonly capacity: number;

  constructor(keys: number) {
    let size = 1 << 20;
    while (size < keys * 12) size *= 2;
    this.bits = new Uint32Array(size >>> 5);
    this.mask = size - 1;
    this.capacity = Math.floor(size / 12);
  }

  add(hi: number, lo: number): void {
    let h = lo;
    const step = (hi | 1) >>> 0;
    for (let k = 0; k < 4; k++) {
      const bit = h & this.mask;
      this.bits[bit >>> 5] |= 1 << (bit & 31);
      h = (h + step) >>> 0;
    }
  }

  mayContain(hi: number, lo: number): boolean {
    let h = lo;
    const step = (hi | 1) >>> 0;
    for (let k = 0; k < 4; k++) {
      const bit = h & this.mask;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
      h = (h + step) >>> 0;
    }
    return true;
  }
}

/**
 * Shard arrays given back (a shard written out, or grown) for the next shard of the same capacity:
 * without it each load and write-out leaves its arrays to the garbage collector, which frees them
 * late (measured: 1-3 MiB less memory at the end of a 2 GB scan with it). Holds `maxBytes` at most.
 */
class ArrayPool {
  private readonly data = new Map<number, Uint32Array[]>();
  private readonly slots = new Map<number, Int32Array[]>();
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}

  /** Arrays for `capacity` entries: data (not cleared) and slots (all -1). */
  take(capacity: number): { data: Uint32Array; slots: Int32Array } {
    const data = this.data.get(capacity)?.pop();
    const slots = this.slots.get(capacity)?.pop();
    if (data) this.bytes -= data.byteLength;
    if (slots) this.bytes -= slots.byteLength;
    return {
      data: data ?? new Uint32Array(capacity * ENTRY_WORDS),
      slots: (slots ?? new Int32Array(capacity * 2)).fill(-1),
    };
  }

  give(data: Uint32Array, slots: Int32Array): void {
    const capacity = data.length / ENTRY_WORDS;
    if (this.bytes + data.byteLength + slots.byteLength > this.maxBytes) return;
    this.bytes += data.byteLength + slots.byteLength;
    let d = this.data.get(capacity);
    if (!d) this.data.set(capacity, (d = []));
    d.push(data);
    let sl = this.slots.get(capacity);
    if (!sl) this.slots.set(capacity, (sl = []));
    sl.push(slots);
  }
}

const slotOf = (hi: number, lo: number, mask: number) => (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;

export class DedupeTable {
  private readonly shards: Shard[] = [];
  private resident = 0;
  private tick = 0;
  private spill: ScratchFile;
  private readonly pool: ArrayPool;
  /** requests counted as new or grown since the last takeChanged() */
  private changed = 0;
  /** entries read back from disk so far (loading shards), for tests and measurements */
  entriesRead = 0;
  /** the persisted index the shards on disk are read from (closed on save and close) */
  private indexSource: FileSource | undefined;
  /** for a table refreshed again and again (see KeyFilter and useKeyFilter) */
  private filter: KeyFilter | undefined;
  /** keys added to the filter since it was built, and how many it was built with */
  private filterKeys = 0;

  /**
   * `compactAtBytes`: the spill file is emptied whenever the index is saved; if saving keeps failing
   * (a cache folder that cannot be written), it is compacted once it is this large and mostly dead.
   */
  constructor(
    private readonly owner: DedupeOwner,
    private readonly budget: number,
    private readonly spillPath: () => string,
    private readonly compactAtBytes = 64 << 20,
  ) {
    for (let i = 0; i < SHARDS; i++) this.shards.push(new Shard());
    this.spill = new ScratchFile(spillPath);
    this.pool = new ArrayPool(Math.min(4 << 20, budget * ENTRY_WORDS * 4));
  }

  /** Entries in all shards. */
  get count(): number {
    let n = 0;
    for (const s of this.shards) n += s.count;
    return n;
  }

  /** Entries held in memory now. */
  get residentCount(): number {
    return this.resident;
  }

  takeChanged(): number {
    const n = this.changed;
    this.changed = 0;
    return n;
  }

  /**
   * Keep a filter of the keys (3 bytes a request in memory), so that new requests for shards on disk
   * are counted without reading those shards: for a meter that refreshes again and again, where
   * otherwise every refresh would read nearly every shard (30-50 ms at 8 GB of logs). A one-shot
   * scan does without: it reads every entry once anyway, and its memory must not grow with the history.
   */
  useKeyFilter(): void {
    if (!this.filter) this.buildFilter();
  }

  /** The filter, from every key in the table and in the queues. */
  private buildFilter(): void {
    const filter = new KeyFilter(Math.max(2 * this.count, 1 << 16));
    const addRecords = (q: Uint32Array, n: number) => {
      for (let k = 0; k < n; k++) filter.add(q[k * RECORD_WORDS]!, q[k * RECORD_WORDS + 1]!);
    };
    for (const shard of this.shards) {
      this.eachEntryOf(shard, (d, at) => filter.add(d[at]!, d[at + 1]!));
      for (const at of shard.spilled) addRecords(words(this.spill.read(at, QUEUED_BYTES)), QUEUE_RECORDS);
      if (shard.queue) addRecords(shard.queue, shard.queued);
    }
    this.filter = filter;
    this.filterKeys = this.count;
  }

  /** Offer one logged line of a request: counted if its key is new or it has more tokens than the counted one. */
  offer(hi: number, lo: number, session: number, minute: number, model: number, i: number, o: number, r: number, w: number): void {
    if (this.filter && this.filterKeys > this.filter.capacity) this.buildFilter();
    const shard = this.shards[hi >>> (32 - SHARD_BITS)]!;
    if (shard.resident) {
      shard.lastUse = ++this.tick;
      // Only part of the shard in memory: a key not there that may be on disk needs the rest.
      if (shard.parts.length > 0 && this.find(shard, hi, lo) === -1 && this.filter!.mayContain(hi, lo)) this.load(shard);
      this.settle(shard, hi, lo, session, minute, model, clamp(i), clamp(o), clamp(r), clamp(w));
      if (this.resident > this.budget) this.evict();
      return;
    }
    if (shard.parts.length === 0 && !shard.hasQueue) {
      // An empty shard (nothing written out): it starts in memory.
      this.load(shard);
      this.offer(hi, lo, session, minute, model, i, o, r, w);
      return;
    }
    if (this.filter && !this.filter.mayContain(hi, lo)) {
      // A key never seen: counted in memory beside the shard's entries on disk, which stay unread.
      // (Queued records have keys the filter holds, so their order relative to this one does not matter.)
      const arrays = this.pool.take(16);
      shard.data = arrays.data;
      shard.slots = arrays.slots;
      this.offer(hi, lo, session, minute, model, i, o, r, w);
      return;
    }
    this.filter?.add(hi, lo);
    shard.queue ??= new Uint32Array(QUEUE_RECORDS * RECORD_WORDS);
    const at = shard.queued * RECORD_WORDS;
    const q = shard.queue;
    q[at] = hi;
    q[at + 1] = lo;
    q[at + 2] = session;
    q[at + 3] = minute;
    q[at + 4] = model;
    q[at + 5] = clamp(i);
    q[at + 6] = clamp(o);
    q[at + 7] = clamp(r);
    q[at + 8] = clamp(w);
    if (++shard.queued === QUEUE_RECORDS) this.spillQueue(shard);
  }

  /** Apply every queued record (call before reading the entries or the rollups' kept sums). */
  settleAll(): void {
    for (const shard of this.shards) {
      if (!shard.hasQueue) continue;
      this.load(shard);
      if (this.resident > this.budget) this.evict();
    }
    this.compactSpill();
  }

  /** Bytes in the spill file (live or dead). */
  get spillBytes(): number {
    return this.spill.size;
  }

  /** Copy what is still read from the spill file into a new one, when the old one is large and mostly dead. */
  private compactSpill(): void {
    const old = this.spill;
    if (old.size < this.compactAtBytes) return;
    let live = 0;
    for (const shard of this.shards) {
      for (const part of shard.parts) if (part.source === old) live += part.count * ENTRY_WORDS * 4;
      live += shard.spilled.length * QUEUED_BYTES;
    }
    if (live * 4 > old.size) return;
    const fresh = new ScratchFile(this.spillPath);
    const move = (part: Segment): Segment => ({ source: fresh, offset: fresh.append(old.read(part.offset, part.count * ENTRY_WORDS * 4)), count: part.count });
    for (const shard of this.shards) {
      shard.parts = shard.parts.map((part) => (part.source === old ? move(part) : part));
      shard.spilled = shard.spilled.map((at) => fresh.append(old.read(at, QUEUED_BYTES)));
    }
    old.close();
    this.spill = fresh;
  }

  /** Every entry: (session, minute, model, input, output, cache_read, cache_write). Settles first. */
  forEach(fn: (session: number, minute: number, model: number, i: number, o: number, r: number, w: number) => void): void {
    this.settleAll();
    for (const shard of this.shards) this.eachEntryOf(shard, (d, at) => fn(d[at + 2]!, d[at + 3]!, d[at + 4]!, d[at + 5]!, d[at + 6]!, d[at + 7]!, d[at + 8]!));
  }

  /** Entries per shard, for the index header (settle first). */
  shardCounts(): number[] {
    return this.shards.map((s) => s.count);
  }

  /** Each shard's entries as bytes (ENTRY_WORDS u32 each), in shard order, without loading a shard written out. */
  *shardBytes(): Generator<Uint8Array> {
    this.settleAll();
    for (const shard of this.shards) {
      for (const part of shard.parts) for (const w of entryPieces(part.source, part.offset, part.count)) yield new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
      if (shard.dataCount > 0) yield packed(shard);
    }
  }

  /**
   * The entries are in the index file `source` from now on: shard s at offsets[s] (the persisted
   * index just loaded, or the one just written). Shards wholly in memory stay there; the others are
   * read from `source` when needed. When everything fits the budget, all shards are loaded at once
   * and the file is let go.
   */
  attach(source: FileSource, offsets: number[], counts: number[]): void {
    for (let s = 0; s < SHARDS; s++) {
      const shard = this.shards[s]!;
      if (shard.hasQueue) throw new Error('attach with queued records');
      if (!shard.whole) {
        if (shard.data) this.release(shard); // its part in memory is in the file too
        shard.parts = counts[s]! > 0 ? [{ source, offset: offsets[s]!, count: counts[s]! }] : [];
      }
    }
    this.releaseIndex();
    this.indexSource = source;
    this.spill.empty(); // nothing in it is referenced now
    if (this.count <= this.budget) {
      for (const shard of this.shards) if (shard.parts.length > 0) this.load(shard);
      this.releaseIndex();
    }
  }

  /** Close the index file (before it is replaced) — only once no shard reads from it. */
  private releaseIndex(): void {
    if (!this.indexSource) return;
    const source = this.indexSource;
    if (this.shards.some((s) => s.parts.some((p) => p.source === source))) return;
    source.close();
    this.indexSource = undefined;
  }

  /**
   * Let go of the index file for a moment, while a new one is renamed over it (Windows refuses to
   * replace an open file); `resume` after a failed rename, `attach` the new file after a good one.
   */
  suspendIndex(): void {
    this.indexSource?.close();
  }

  resumeIndex(): void {
    this.indexSource?.reopen();
  }

  close(): void {
    this.indexSource?.close();
    this.indexSource = undefined;
    this.spill.close();
  }

  private eachEntryOf(shard: Shard, fn: (d: Uint32Array, at: number) => void): void {
    if (shard.data) {
      const d = shard.data;
      for (let e = 0; e < shard.dataCount; e++) fn(d, e * ENTRY_WORDS);
    }
    for (const part of shard.parts) {
      for (const d of entryPieces(part.source, part.offset, part.count)) for (let at = 0; at < d.length; at += ENTRY_WORDS) fn(d, at);
    }
  }

  /** Give a shard's arrays back (its entries in memory must be on disk by now). */
  private release(shard: Shard): void {
    this.resident -= shard.dataCount;
    this.pool.give(shard.data!, shard.slots!);
    shard.data = undefined;
    shard.slots = undefined;
    shard.dataCount = 0;
  }

  /** Bring a shard wholly into memory: its entries on disk and in memory, then its queued records in arrival order. */
  private load(shard: Shard): void {
    shard.pinned = true;
    shard.lastUse = ++this.tick;
    if (!shard.whole) {
      const parts = shard.parts;
      const inMemory = shard.data ? { data: shard.data, slots: shard.slots!, count: shard.dataCount } : undefined;
      // Room for the new requests among the queued records too (Claude Code logs 2-3 lines a request).
      const queued = shard.queued + shard.spilled.length * QUEUE_RECORDS;
      const arrays = this.pool.take(capacityFor(shard.count + Math.ceil(queued / 2)));
      if (inMemory) this.resident -= inMemory.count;
      shard.data = arrays.data;
      shard.slots = arrays.slots;
      shard.dataCount = 0;
      shard.parts = [];
      for (const part of parts) {
        this.entriesRead += part.count;
        const w = words(part.source.read(part.offset, part.count * ENTRY_WORDS * 4));
        for (let e = 0; e < part.count; e++) this.restoreEntry(shard, w, e * ENTRY_WORDS);
      }
      if (inMemory) {
        for (let e = 0; e < inMemory.count; e++) this.restoreEntry(shard, inMemory.data, e * ENTRY_WORDS);
        this.pool.give(inMemory.data, inMemory.slots);
      }
    }
    const replay = (q: Uint32Array, n: number) => {
      for (let k = 0; k < n; k++) {
        const at = k * RECORD_WORDS;
        this.settle(shard, q[at]!, q[at + 1]!, q[at + 2]!, q[at + 3]!, q[at + 4]!, q[at + 5]!, q[at + 6]!, q[at + 7]!, q[at + 8]!);
      }
    };
    const spilled = shard.spilled;
    shard.spilled = [];
    for (const at of spilled) replay(words(this.spill.read(at, QUEUED_BYTES)), QUEUE_RECORDS);
    if (shard.queue) replay(shard.queue, shard.queued);
    shard.queued = 0; // the queue's buffer is kept for the next time the shard is out
    shard.pinned = false;
  }

  /** An entry read back (from the index or the spill file): unique in a sound file; a repeat keeps the larger. */
  private restoreEntry(shard: Shard, w: Uint32Array, at: number): void {
    const hi = w[at]!;
    const lo = w[at + 1]!;
    let e = this.find(shard, hi, lo);
    if (e === -1) {
      e = this.insert(shard, hi, lo);
    } else if (sum(w, at + 5) <= sum(shard.data!, e * ENTRY_WORDS + 5)) {
      return;
    }
    shard.data!.set(w.subarray(at + 2, at + ENTRY_WORDS), e * ENTRY_WORDS + 2);
  }

  /** The dedupe rule, on a shard in memory (wholly, or in part for a key that is not on disk). */
  private settle(shard: Shard, hi: number, lo: number, session: number, minute: number, model: number, i: number, o: number, r: number, w: number): void {
    let e = this.find(shard, hi, lo);
    if (e !== -1) {
      const d = shard.data!;
      const at = e * ENTRY_WORDS;
      if (i + o + r + w <= sum(d, at + 5)) return;
      // The request grew (and may have moved to another rollup): its old figures leave the sums.
      this.owner.roll(d[at + 2]!, d[at + 3]!, d[at + 4]!, -1, d[at + 5]!, d[at + 6]!, d[at + 7]!, d[at + 8]!);
    } else {
      e = this.insert(shard, hi, lo);
      if (this.filter) {
        this.filter.add(hi, lo);
        this.filterKeys++;
      }
    }
    const d = shard.data!;
    const at = e * ENTRY_WORDS;
    d[at + 2] = session;
    d[at + 3] = minute;
    d[at + 4] = model;
    d[at + 5] = i;
    d[at + 6] = o;
    d[at + 7] = r;
    d[at + 8] = w;
    this.owner.roll(session, minute, model, 1, i, o, r, w);
    this.changed++;
  }

  private find(shard: Shard, hi: number, lo: number): number {
    const slots = shard.slots!;
    const d = shard.data!;
    const mask = slots.length - 1;
    let s = slotOf(hi, lo, mask);
    for (;;) {
      const e = slots[s]!;
      if (e === -1) return -1;
      if (d[e * ENTRY_WORDS + 1] === lo && d[e * ENTRY_WORDS] === hi) return e;
      s = (s + 1) & mask;
    }
  }

  private insert(shard: Shard, hi: number, lo: number): number {
    const e = shard.dataCount++;
    this.resident++;
    if ((e + 1) * ENTRY_WORDS > shard.data!.length) {
      const old = { data: shard.data!, slots: shard.slots! };
      const grown = this.pool.take((old.data.length / ENTRY_WORDS) * 2);
      grown.data.set(old.data);
      shard.data = grown.data;
      this.rehash(shard, grown.slots);
      this.pool.give(old.data, old.slots);
    }
    const d = shard.data!;
    d[e * ENTRY_WORDS] = hi;
    d[e * ENTRY_WORDS + 1] = lo;
    const slots = shard.slots!;
    const mask = slots.length - 1;
    let s = slotOf(hi, lo, mask);
    while (slots[s] !== -1) s = (s + 1) & mask;
    slots[s] = e;
    return e;
  }

  /** Fill `slots` (all -1) with the shard's entries in memory (but the last, just added) and use it. */
  private rehash(shard: Shard, slots: Int32Array): void {
    const mask = slots.length - 1;
    const d = shard.data!;
    for (let e = 0; e < shard.dataCount - 1; e++) {
      let s = slotOf(d[e * ENTRY_WORDS]!, d[e * ENTRY_WORDS + 1]!, mask);
      while (slots[s] !== -1) s = (s + 1) & mask;
      slots[s] = e;
    }
    shard.slots = slots;
  }

  /**
   * Over budget: write out the least recently used shards' entries in memory until three quarters
   * of the budget is left (a shard partly on disk gains one more part; its parts are joined when it
   * is next loaded, and in the next index).
   */
  private evict(): void {
    const order = this.shards.filter((s) => s.data && !s.pinned && s.dataCount > 0).sort((a, b) => a.lastUse - b.lastUse);
    for (const shard of order) {
      if (this.resident <= (this.budget * 3) >>> 2) break;
      shard.parts.push({ source: this.spill, offset: this.spill.append(packed(shard)), count: shard.dataCount });
      this.release(shard);
    }
  }

  private spillQueue(shard: Shard): void {
    const words = shard.queue!.subarray(0, shard.queued * RECORD_WORDS);
    shard.spilled.push(this.spill.append(bytesOfWords(words)));
    shard.queued = 0;
  }
}

function bytesOfWords(w: Uint32Array): Uint8Array {
  return new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
}

/** Bytes handed out by a SegmentSource, as u32 words in place (valid until its next read). */
function words(bytes: Uint8Array): Uint32Array {
  return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
}

function clamp(n: number): number {
  return n > 0xffffffff ? 0xffffffff : n;
}

function sum(w: Uint32Array, at: number): number {
  return w[at]! + w[at + 1]! + w[at + 2]! + w[at + 3]!;
}

/** Smallest power of two ≥ n, at least 16. */
function capacityFor(n: number): number {
  let c = 16;
  while (c < n) c *= 2;
  return c;
}

/** A shard's entries in memory, as bytes. */
function packed(shard: Shard): Uint8Array {
  const d = shard.data!;
  return new Uint8Array(d.buffer, d.byteOffset, shard.dataCount * ENTRY_WORDS * 4);
}
