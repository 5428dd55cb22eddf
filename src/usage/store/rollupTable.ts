// Usage summed per rollup: one per (agent session, minute, model) with usage. Counting does not need
// it (each dedupe entry carries its rollup's key); it is formed from the entries when the rollups are
// asked for, and kept up to date only by a store that is asked again and again (the extension's
// meter). Keys live in fixed-size typed-array pages that are never reallocated (12 bytes a rollup),
// found through an open-addressing slot table (4 bytes a slot, at most half full); the sums take
// 52 bytes a rollup.
import { grown } from './typedArrays';
import {
  TOKEN_CACHE_READ,
  TOKEN_CACHE_WRITE,
  TOKEN_CACHE_WRITE_1H,
  TOKEN_INPUT,
  TOKEN_OUTPUT,
  TOKEN_WORDS,
} from '../tokenColumns';

const PAGE_BITS = 14;
const PAGE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE - 1;

/** A growable column of unsigned 32-bit values in pages of 16 Ki elements. */
class PagedU32 {
  readonly pages: Uint32Array[] = [];

  /** Make room for element `i` (elements are added in order). */
  ensure(i: number): void {
    while (i >>> PAGE_BITS >= this.pages.length) this.pages.push(new Uint32Array(PAGE));
  }

  get(i: number): number {
    return this.pages[i >>> PAGE_BITS]![i & PAGE_MASK]!;
  }

  set(i: number, v: number): void {
    this.pages[i >>> PAGE_BITS]![i & PAGE_MASK] = v;
  }

  /** The first `n` elements in one array. */
  copy(n: number): Uint32Array {
    const out = new Uint32Array(n);
    for (let p = 0; p * PAGE < n; p++) out.set(this.pages[p]!.subarray(0, Math.min(PAGE, n - p * PAGE)), p * PAGE);
    return out;
  }
}

function hash(session: number, minute: number, model: number): number {
  let h = Math.imul(session ^ 0x9e3779b1, 0x85ebca6b);
  h = Math.imul(h ^ minute, 0xc2b2ae35);
  h = Math.imul(h ^ model, 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}

export class RollupTable {
  count = 0;
  readonly session = new PagedU32();
  readonly minute = new PagedU32();
  readonly model = new PagedU32();
  private slots = new Int32Array(1024).fill(-1);
  /** token counts per rollup (tokenColumns.ts) */
  tokens = new Float64Array(TOKEN_WORDS * 1024);
  /** integer micros per rollup (the sum of each request's rounded cost) */
  cost = new Float64Array(1024);
  requests = new Uint32Array(1024);

  /** Add (sign 1) or take away (sign -1) one request: its tokens and its cost in micros (0 when unpriced). */
  add(
    session: number,
    minute: number,
    model: number,
    sign: 1 | -1,
    i: number,
    o: number,
    r: number,
    w: number,
    h: number,
    costMicros: number,
  ): void {
    const b = this.rollupOf(session, minute, model);
    const t = this.tokens;
    t[b * TOKEN_WORDS + TOKEN_INPUT] += sign * i;
    t[b * TOKEN_WORDS + TOKEN_OUTPUT] += sign * o;
    t[b * TOKEN_WORDS + TOKEN_CACHE_READ] += sign * r;
    t[b * TOKEN_WORDS + TOKEN_CACHE_WRITE] += sign * w;
    t[b * TOKEN_WORDS + TOKEN_CACHE_WRITE_1H] += sign * h;
    this.requests[b] += sign;
    // Costs are whole micros per request, so taking one away is exact.
    this.cost[b] += sign * costMicros;
  }

  private rollupOf(session: number, minute: number, model: number): number {
    const mask = this.slots.length - 1;
    let s = hash(session, minute, model) & mask;
    for (;;) {
      const b = this.slots[s]!;
      if (b === -1) break;
      if (this.minute.get(b) === minute && this.session.get(b) === session && this.model.get(b) === model) return b;
      s = (s + 1) & mask;
    }
    const b = this.count++;
    this.session.ensure(b);
    this.minute.ensure(b);
    this.model.ensure(b);
    this.session.set(b, session);
    this.minute.set(b, minute);
    this.model.set(b, model);
    if (b === this.requests.length) {
      this.tokens = grown(this.tokens, b * 2 * TOKEN_WORDS);
      this.cost = grown(this.cost, b * 2);
      this.requests = grown(this.requests, b * 2);
    }
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.slots[s] = b;
    return b;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (let b = 0; b < this.count; b++) {
      let s = hash(this.session.get(b), this.minute.get(b), this.model.get(b)) & mask;
      while (this.slots[s] !== -1) s = (s + 1) & mask;
      this.slots[s] = b;
    }
  }
}
