// The dedupe table: one entry per distinct request (its 64-bit key, the rollup it counts in — agent
// session, minute, model — and its token counts), so that a request logged several times counts
// once, with its largest line.
//
// It is the one part of the usage store that grows with every request, so it is kept within a
// fixed memory budget whatever the size of the logs: the entries are split into 512 shards by the
// key's top 9 bits, and at most `budget` entries are held in memory (small shards: a refresh that
// touches a few hundred of them loads little; why 512 is in usage/README.md). The least recently used shards beyond
// that are written out (to the spill file, or left in the persisted index they came from). A record
// for a shard that is not in memory is queued (in memory up to a small buffer, then in the spill
// file) and replayed in arrival order when the shard is next loaded, so the result is
// exactly that of one table in memory: the same winner for every key, ties to the first seen.
//
// The entry layout is in entryLayout.ts; a shard's hash table in shard.ts; the Bloom filter of keys
// in keyFilter.ts; the spill file's name in spillFile.ts.
import { ScratchFile, type FileSource } from '../scratchFile';
import {
  TOKEN_CACHE_READ,
  TOKEN_CACHE_WRITE,
  TOKEN_CACHE_WRITE_1H,
  TOKEN_INPUT,
  TOKEN_OUTPUT,
  tokenSum,
} from '../../tokenColumns';
import { ArrayPool } from './arrayPool';
import {
  bytesOfWords,
  ENTRY_KEY_HI,
  ENTRY_KEY_LO,
  ENTRY_MINUTE,
  ENTRY_MODEL,
  ENTRY_SESSION,
  ENTRY_TOKENS,
  ENTRY_WORDS,
  entryPieces,
  SHARD_BITS,
  SHARDS,
  words,
} from './entryLayout';
import { KeyFilter } from './keyFilter';
import { Shard, type Segment } from './shard';

export { ENTRY_WORDS, entryPieces, SHARD_BITS, SHARDS } from './entryLayout';
export { spillPathBeside } from './spillFile';

/** A queued record has the layout of an entry. */
const RECORD_WORDS = ENTRY_WORDS;
const IN = ENTRY_TOKENS + TOKEN_INPUT;
const OUT = ENTRY_TOKENS + TOKEN_OUTPUT;
const CR = ENTRY_TOKENS + TOKEN_CACHE_READ;
const CW = ENTRY_TOKENS + TOKEN_CACHE_WRITE;
const CW1H = ENTRY_TOKENS + TOKEN_CACHE_WRITE_1H;
/** Entries held in memory at most (40 bytes each plus slots and spare capacity): ~1.2-2 MiB. */
export const DEFAULT_BUDGET = 16_384;
/** Queued records per shard kept in memory before they go to the spill file (512 × 2.3 KB). */
const QUEUE_RECORDS = 64;
/** Bytes of a full queue written to the spill file. */
const QUEUED_BYTES = QUEUE_RECORDS * RECORD_WORDS * 4;

/** What the table tells the store that owns it. */
export interface DedupeOwner {
  /** A counted entry leaves (sign -1) or joins (sign 1) its rollup's kept sums, if the store keeps them. */
  roll(
    session: number,
    minute: number,
    model: number,
    sign: 1 | -1,
    input: number,
    output: number,
    cacheRead: number,
    cacheWrite: number,
    cacheWrite1h: number,
  ): void;
}

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
      for (let k = 0; k < n; k++) filter.add(q[k * RECORD_WORDS + ENTRY_KEY_HI]!, q[k * RECORD_WORDS + ENTRY_KEY_LO]!);
    };
    for (const shard of this.shards) {
      this.eachEntryOf(shard, (d, at) => filter.add(d[at + ENTRY_KEY_HI]!, d[at + ENTRY_KEY_LO]!));
      for (const at of shard.spilled) addRecords(words(this.spill.read(at, QUEUED_BYTES)), QUEUE_RECORDS);
      if (shard.queue) addRecords(shard.queue, shard.queued);
    }
    this.filter = filter;
    this.filterKeys = this.count;
  }

  /** Offer one logged line of a request: counted if its key is new or it has more tokens than the counted one. */
  offer(
    hi: number,
    lo: number,
    session: number,
    minute: number,
    model: number,
    i: number,
    o: number,
    r: number,
    w: number,
    h: number,
  ): void {
    if (this.filter && this.filterKeys > this.filter.capacity) this.buildFilter();
    const shard = this.shards[hi >>> (32 - SHARD_BITS)]!;
    if (shard.resident) {
      shard.lastUse = ++this.tick;
      // Only part of the shard in memory: a key not there that may be on disk needs the rest.
      if (shard.parts.length > 0 && shard.find(hi, lo) === -1 && this.filter!.mayContain(hi, lo)) this.load(shard);
      this.settle(shard, hi, lo, session, minute, model, clamp(i), clamp(o), clamp(r), clamp(w), clamp(h));
      if (this.resident > this.budget) this.evict();
      return;
    }
    if (shard.parts.length === 0 && !shard.hasQueue) {
      // An empty shard (nothing written out): it starts in memory.
      this.load(shard);
      this.offer(hi, lo, session, minute, model, i, o, r, w, h);
      return;
    }
    if (this.filter && !this.filter.mayContain(hi, lo)) {
      // A key never seen: counted in memory beside the shard's entries on disk, which stay unread.
      // (Queued records have keys the filter holds, so their order relative to this one does not matter.)
      const arrays = this.pool.take(16);
      shard.data = arrays.data;
      shard.slots = arrays.slots;
      this.offer(hi, lo, session, minute, model, i, o, r, w, h);
      return;
    }
    this.filter?.add(hi, lo);
    shard.queue ??= new Uint32Array(QUEUE_RECORDS * RECORD_WORDS);
    const at = shard.queued * RECORD_WORDS;
    shard.queue[at + ENTRY_KEY_HI] = hi;
    shard.queue[at + ENTRY_KEY_LO] = lo;
    putFields(shard.queue, at, session, minute, model, clamp(i), clamp(o), clamp(r), clamp(w), clamp(h));
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
    const move = (part: Segment): Segment => ({
      source: fresh,
      offset: fresh.append(old.read(part.offset, part.count * ENTRY_WORDS * 4)),
      count: part.count,
    });
    for (const shard of this.shards) {
      shard.parts = shard.parts.map((part) => (part.source === old ? move(part) : part));
      shard.spilled = shard.spilled.map((at) => fresh.append(old.read(at, QUEUED_BYTES)));
    }
    old.close();
    this.spill = fresh;
  }

  /** Every entry: (session, minute, model, input, output, cache_read, cache_write, cache_write_1h). Settles first. */
  forEach(
    fn: (session: number, minute: number, model: number, i: number, o: number, r: number, w: number, h: number) => void,
  ): void {
    this.settleAll();
    for (const shard of this.shards)
      this.eachEntryOf(shard, (d, at) =>
        fn(
          d[at + ENTRY_SESSION]!,
          d[at + ENTRY_MINUTE]!,
          d[at + ENTRY_MODEL]!,
          d[at + IN]!,
          d[at + OUT]!,
          d[at + CR]!,
          d[at + CW]!,
          d[at + CW1H]!,
        ),
      );
  }

  /** Entries per shard, for the index header (settle first). */
  shardCounts(): number[] {
    return this.shards.map((s) => s.count);
  }

  /** Each shard's entries as bytes (ENTRY_WORDS u32 each), in shard order, without loading a shard written out. */
  *shardBytes(): Generator<Uint8Array> {
    this.settleAll();
    for (const shard of this.shards) {
      for (const part of shard.parts)
        for (const w of entryPieces(part.source, part.offset, part.count))
          yield new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
      if (shard.dataCount > 0) yield shard.packed();
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
      for (const d of entryPieces(part.source, part.offset, part.count))
        for (let at = 0; at < d.length; at += ENTRY_WORDS) fn(d, at);
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
        this.settle(
          shard,
          q[at + ENTRY_KEY_HI]!,
          q[at + ENTRY_KEY_LO]!,
          q[at + ENTRY_SESSION]!,
          q[at + ENTRY_MINUTE]!,
          q[at + ENTRY_MODEL]!,
          q[at + IN]!,
          q[at + OUT]!,
          q[at + CR]!,
          q[at + CW]!,
          q[at + CW1H]!,
        );
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
    const hi = w[at + ENTRY_KEY_HI]!;
    const lo = w[at + ENTRY_KEY_LO]!;
    let e = shard.find(hi, lo);
    if (e === -1) {
      e = this.insert(shard, hi, lo);
    } else if (tokenSum(w, at + ENTRY_TOKENS) <= tokenSum(shard.data!, e * ENTRY_WORDS + ENTRY_TOKENS)) {
      return;
    }
    shard.data!.set(w.subarray(at + ENTRY_SESSION, at + ENTRY_WORDS), e * ENTRY_WORDS + ENTRY_SESSION);
  }

  /** The dedupe rule, on a shard in memory (wholly, or in part for a key that is not on disk). */
  private settle(
    shard: Shard,
    hi: number,
    lo: number,
    session: number,
    minute: number,
    model: number,
    i: number,
    o: number,
    r: number,
    w: number,
    h: number,
  ): void {
    let e = shard.find(hi, lo);
    if (e !== -1) {
      const d = shard.data!;
      const at = e * ENTRY_WORDS;
      if (i + o + r + w <= tokenSum(d, at + ENTRY_TOKENS)) return;
      // The request grew (and may have moved to another rollup): its old figures leave the sums.
      this.owner.roll(
        d[at + ENTRY_SESSION]!,
        d[at + ENTRY_MINUTE]!,
        d[at + ENTRY_MODEL]!,
        -1,
        d[at + IN]!,
        d[at + OUT]!,
        d[at + CR]!,
        d[at + CW]!,
        d[at + CW1H]!,
      );
    } else {
      e = this.insert(shard, hi, lo);
      if (this.filter) {
        this.filter.add(hi, lo);
        this.filterKeys++;
      }
    }
    putFields(shard.data!, e * ENTRY_WORDS, session, minute, model, i, o, r, w, h);
    this.owner.roll(session, minute, model, 1, i, o, r, w, h);
    this.changed++;
  }

  private insert(shard: Shard, hi: number, lo: number): number {
    this.resident++;
    return shard.insert(hi, lo, this.pool);
  }

  /**
   * Over budget: write out the least recently used shards' entries in memory until three quarters
   * of the budget is left (a shard partly on disk gains one more part; its parts are joined when it
   * is next loaded, and in the next index).
   */
  private evict(): void {
    const order = this.shards
      .filter((s) => s.data && !s.pinned && s.dataCount > 0)
      .sort((a, b) => a.lastUse - b.lastUse);
    for (const shard of order) {
      if (this.resident <= (this.budget * 3) >>> 2) break;
      shard.parts.push({ source: this.spill, offset: this.spill.append(shard.packed()), count: shard.dataCount });
      this.release(shard);
    }
  }

  private spillQueue(shard: Shard): void {
    const words = shard.queue!.subarray(0, shard.queued * RECORD_WORDS);
    shard.spilled.push(this.spill.append(bytesOfWords(words)));
    shard.queued = 0;
  }
}

/** An entry's (or a queued record's) rollup key and token counts, written at word `at` of `a` (after its key). */
function putFields(
  a: Uint32Array,
  at: number,
  session: number,
  minute: number,
  model: number,
  i: number,
  o: number,
  r: number,
  w: number,
  h: number,
): void {
  a[at + ENTRY_SESSION] = session;
  a[at + ENTRY_MINUTE] = minute;
  a[at + ENTRY_MODEL] = model;
  a[at + IN] = i;
  a[at + OUT] = o;
  a[at + CR] = r;
  a[at + CW] = w;
  a[at + CW1H] = h;
}

function clamp(n: number): number {
  return n > 0xffffffff ? 0xffffffff : n;
}

/** Smallest power of two ≥ n, at least 16. */
function capacityFor(n: number): number {
  let c = 16;
  while (c < n) c *= 2;
  return c;
}
