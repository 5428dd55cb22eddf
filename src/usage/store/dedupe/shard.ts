// One shard of the dedupe table: its entries in memory as an open-addressing hash table (linear
// probing over `slots`, entry numbers into `data`), its entries on disk, and the records queued for it.
import type { SegmentSource } from '../scratchFile';
import type { ArrayPool } from './arrayPool';
import { ENTRY_KEY_HI, ENTRY_KEY_LO, ENTRY_WORDS } from './entryLayout';

export interface Segment {
  source: SegmentSource;
  offset: number;
  /** entries in it */
  count: number;
}

export class Shard {
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

  /** The entry with this key in memory, or -1. */
  find(hi: number, lo: number): number {
    const slots = this.slots!;
    const d = this.data!;
    const mask = slots.length - 1;
    let s = slotOf(hi, lo, mask);
    for (;;) {
      const e = slots[s]!;
      if (e === -1) return -1;
      if (d[e * ENTRY_WORDS + ENTRY_KEY_LO] === lo && d[e * ENTRY_WORDS + ENTRY_KEY_HI] === hi) return e;
      s = (s + 1) & mask;
    }
  }

  /** A new entry for this key (its other words are the caller's to fill), growing the arrays from `pool` when full. */
  insert(hi: number, lo: number, pool: ArrayPool): number {
    const e = this.dataCount++;
    if ((e + 1) * ENTRY_WORDS > this.data!.length) {
      const old = { data: this.data!, slots: this.slots! };
      const grown = pool.take((old.data.length / ENTRY_WORDS) * 2);
      grown.data.set(old.data);
      this.data = grown.data;
      this.rehash(grown.slots);
      pool.give(old.data, old.slots);
    }
    const d = this.data!;
    d[e * ENTRY_WORDS + ENTRY_KEY_HI] = hi;
    d[e * ENTRY_WORDS + ENTRY_KEY_LO] = lo;
    const slots = this.slots!;
    const mask = slots.length - 1;
    let s = slotOf(hi, lo, mask);
    while (slots[s] !== -1) s = (s + 1) & mask;
    slots[s] = e;
    return e;
  }

  /** Fill `slots` (all -1) with the entries in memory (but the last, just added) and use it. */
  private rehash(slots: Int32Array): void {
    const mask = slots.length - 1;
    const d = this.data!;
    for (let e = 0; e < this.dataCount - 1; e++) {
      let s = slotOf(d[e * ENTRY_WORDS + ENTRY_KEY_HI]!, d[e * ENTRY_WORDS + ENTRY_KEY_LO]!, mask);
      while (slots[s] !== -1) s = (s + 1) & mask;
      slots[s] = e;
    }
    this.slots = slots;
  }

  /** The entries in memory, as bytes. */
  packed(): Uint8Array {
    const d = this.data!;
    return new Uint8Array(d.buffer, d.byteOffset, this.dataCount * ENTRY_WORDS * 4);
  }
}

const slotOf = (hi: number, lo: number, mask: number) => (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
