// The dedupe table's Bloom filter of keys (see useKeyFilter in dedupeTable.ts).

/**
 * Which keys may be in the table: a Bloom filter over every key counted or queued (4 probes, at
 * least 12 bits a key: about 0.6% false positives), for a table refreshed again and again. A key it
 * has never seen is new for certain, so a record for a shard on disk can be counted without reading
 * the shard: a refresh that adds a few hundred requests, spread over every shard, reads none of them.
 */
export class KeyFilter {
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
