// Typed arrays of dedupe shards, reused by capacity.
import { ENTRY_WORDS } from './entryLayout';

/**
 * Shard arrays given back (a shard written out, or grown) for the next shard of the same capacity:
 * without it each load and write-out leaves its arrays to the garbage collector, which frees them
 * late (measured: 1-3 MiB less memory at the end of a 2 GB scan with it). Holds `maxBytes` at most.
 */
export class ArrayPool {
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
