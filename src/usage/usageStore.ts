// Everything counted so far, in a compact form: the dedupe table (one entry per distinct request: its
// 64-bit key, its four token counts and the rollup it belongs to; see dedupeTable.ts) and the
// rollups' keys (agent session, minute, model). A request seen again with more tokens (Claude Code's
// earlier content-block lines carry partial output) has its entry overwritten. The rollups' sums
// and costs are not stored in the index: columns() adds the entries up, so a changed price table
// needs no rescan and nothing is stored twice (a meter that refreshes often keeps the sums in
// memory between refreshes: keepRollups).
//
// Memory: the dedupe table, which grows with every request, keeps at most a fixed number of entries
// in memory and the rest on disk. What stays in memory is 12 bytes per rollup (one per agent
// session, minute and model with usage) in fixed-size typed-array pages that are never
// reallocated, plus an open-addressing slot table (4 bytes a slot, at most half full).
//
// Dedupe is exact up to the 64-bit key (two 32-bit hashes of message.id+requestId, or of the Codex
// rollout and running total; see jsonBytes.ts): with n distinct requests the chance that any two
// share a key is about n²/2⁶⁵ — 1.3e-9 at 200 000 requests (2 GB of logs), 2.7e-7 at 3 million.
import { DedupeTable, DEFAULT_BUDGET, spillPathBeside, type FileSource } from './dedupeTable';
import type { FileRecords } from './logParser';
import type { ModelPrice, Pricing } from './prices';
import { requestCostMicros } from './prices';

export const AGENTS = ['claude_code', 'codex'] as const;
export type AgentId = (typeof AGENTS)[number];
export const MINUTE_MS = 60_000;

/** The rollups in columns, as a worker sends them (transferable) and the persisted index stores them. */
export interface UsageColumns {
  strings: string[];
  sessionAgent: Uint8Array;
  sessionId: Uint32Array;
  sessionProject: Uint32Array;
  bucketSession: Uint32Array;
  bucketMinute: Uint32Array;
  bucketModel: Uint32Array;
  /** input, output, cache_read, cache_write per rollup */
  bucketTokens: Float64Array;
  bucketCost: Float64Array;
  bucketRequests: Uint32Array;
  /** 1 when the rollup's model has a price */
  bucketPriced: Uint8Array;
  skippedLines: number;
  pricesAsOf: string;
}

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

  /** The first `n` elements as byte views, page by page (for writing them out). */
  *chunks(n: number): Generator<Uint8Array> {
    for (let p = 0; p * PAGE < n; p++) {
      const len = Math.min(PAGE, n - p * PAGE);
      const page = this.pages[p]!;
      yield new Uint8Array(page.buffer, page.byteOffset, len * 4);
    }
  }

  /** The first `n` elements in one array. */
  copy(n: number): Uint32Array {
    const out = new Uint32Array(n);
    for (let p = 0; p * PAGE < n; p++) out.set(this.pages[p]!.subarray(0, Math.min(PAGE, n - p * PAGE)), p * PAGE);
    return out;
  }

  /** Fill elements [0, n) from little-endian bytes (any alignment). */
  load(bytes: Uint8Array, n: number): void {
    if (n > 0) this.ensure(n - 1);
    for (let p = 0; p * PAGE < n; p++) {
      const len = Math.min(PAGE, n - p * PAGE) * 4;
      const from = p * PAGE * 4;
      new Uint8Array(this.pages[p]!.buffer).set(bytes.subarray(from, from + len));
    }
  }
}

/** Smallest power of two ≥ 2n (so a table of it is at most half full), at least 1024. */
function slotsFor(n: number): number {
  let size = 1024;
  while (size < n * 2) size *= 2;
  return size;
}

export class UsageStore {
  readonly strings: string[] = [''];
  private readonly stringIndex = new Map<string, number>([['', 0]]);

  sessionCount = 0;
  sessionAgent = new Uint8Array(256);
  sessionId = new Uint32Array(256);
  sessionProject = new Uint32Array(256);
  private readonly sessionIndex = new Map<string, number>();

  bucketCount = 0;
  private readonly bucketSession = new PagedU32();
  private readonly bucketMinute = new PagedU32();
  private readonly bucketModel = new PagedU32();
  private bucketSlots = new Int32Array(1024).fill(-1);

  /** the counted requests (input, output, cache_read, cache_write clamped to 2³²−1, far above any request) */
  private readonly entries: DedupeTable;

  skippedLines = 0;
  /** price of each string used as a model (null: unpriced, undefined: not looked up yet) */
  private modelPrice: (ModelPrice | null | undefined)[] = [];

  /**
   * `statePath`: the persisted index, beside which the dedupe table spills what is beyond its
   * budget of `dedupeBudget` entries in memory.
   */
  constructor(
    private pricing: Pricing,
    statePath: string,
    dedupeBudget = DEFAULT_BUDGET,
  ) {
    this.entries = new DedupeTable(
      {
        bucketOf: (session, minute, model) => this.bucketOf(session, minute, model),
        roll: (bucket, sign, i, o, r, w) => {
          if (this.rollup) this.roll(bucket, sign, i, o, r, w);
        },
      },
      Math.max(1, dedupeBudget),
      () => spillPathBeside(statePath),
    );
  }

  /** Distinct requests counted. */
  get entryCount(): number {
    return this.entries.count;
  }

  /** Requests counted as new or grown since the last call. */
  takeChanged(): number {
    this.entries.settleAll();
    return this.entries.takeChanged();
  }

  /** Close the files the dedupe table reads (the index) and spills to. */
  close(): void {
    this.entries.close();
  }

  intern(text: string): number {
    let i = this.stringIndex.get(text);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(text);
      this.stringIndex.set(text, i);
    }
    return i;
  }

  private sessionOf(agent: number, id: number, project: number): number {
    const key = `${agent}:${id}`;
    let s = this.sessionIndex.get(key);
    if (s === undefined) {
      s = this.sessionCount++;
      if (s === this.sessionAgent.length) {
        this.sessionAgent = grown(this.sessionAgent, s * 2);
        this.sessionId = grown(this.sessionId, s * 2);
        this.sessionProject = grown(this.sessionProject, s * 2);
      }
      this.sessionAgent[s] = agent;
      this.sessionId[s] = id;
      this.sessionProject[s] = project;
      this.sessionIndex.set(key, s);
    } else if (this.sessionProject[s] === 0 && project !== 0) {
      this.sessionProject[s] = project;
    }
    return s;
  }

  private bucketHash(session: number, minute: number, model: number): number {
    let h = Math.imul(session ^ 0x9e3779b1, 0x85ebca6b);
    h = Math.imul(h ^ minute, 0xc2b2ae35);
    h = Math.imul(h ^ model, 0x27d4eb2f);
    return (h ^ (h >>> 15)) >>> 0;
  }

  private bucketOf(session: number, minute: number, model: number): number {
    const mask = this.bucketSlots.length - 1;
    let s = this.bucketHash(session, minute, model) & mask;
    for (;;) {
      const b = this.bucketSlots[s]!;
      if (b === -1) break;
      if (this.bucketMinute.get(b) === minute && this.bucketSession.get(b) === session && this.bucketModel.get(b) === model) return b;
      s = (s + 1) & mask;
    }
    const b = this.bucketCount++;
    this.bucketSession.ensure(b);
    this.bucketMinute.ensure(b);
    this.bucketModel.ensure(b);
    this.bucketSession.set(b, session);
    this.bucketMinute.set(b, minute);
    this.bucketModel.set(b, model);
    if (this.bucketCount * 2 > this.bucketSlots.length) this.rehashBuckets(this.bucketSlots.length * 2);
    else this.bucketSlots[s] = b;
    return b;
  }

  private rehashBuckets(size: number): void {
    this.bucketSlots = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (let b = 0; b < this.bucketCount; b++) {
      let s = this.bucketHash(this.bucketSession.get(b), this.bucketMinute.get(b), this.bucketModel.get(b)) & mask;
      while (this.bucketSlots[s] !== -1) s = (s + 1) & mask;
      this.bucketSlots[s] = b;
    }
  }

  private priceOfModel(model: number): ModelPrice | null {
    let p = this.modelPrice[model];
    if (p === undefined) {
      p = this.pricing.priceOf(this.strings[model]!) ?? null;
      this.modelPrice[model] = p;
    }
    return p;
  }

  /**
   * Keep the rollups' sums between calls of columns() and update them as entries change, instead of
   * adding every entry up again on each call: for a meter that refreshes again and again (at 2 GB of
   * logs the sums took 10 ms a refresh). Costs 52 bytes a rollup; the CLI's one scan does without.
   */
  keepRollups(): void {
    this.keep = true;
  }

  private keep = false;
  /** The kept sums (when `keep`, from the first columns() on; dropped by reprice()). */
  private rollup: { tokens: Float64Array; cost: Float64Array; requests: Uint32Array } | undefined;

  /** Add (sign 1) or take away (sign -1) one request's tokens and cost to the kept sums of rollup `b`. */
  private roll(b: number, sign: 1 | -1, i: number, o: number, r: number, w: number): void {
    let x = this.rollup!;
    if (b >= x.requests.length) {
      const size = Math.max(b + 1, x.requests.length * 2);
      x = this.rollup = { tokens: grown(x.tokens, size * 4), cost: grown(x.cost, size), requests: grown(x.requests, size) };
    }
    x.tokens[b * 4] += sign * i;
    x.tokens[b * 4 + 1] += sign * o;
    x.tokens[b * 4 + 2] += sign * r;
    x.tokens[b * 4 + 3] += sign * w;
    x.requests[b] += sign;
    // Costs are whole micros per request, so taking one away is exact.
    const price = this.priceOfModel(this.bucketModel.get(b));
    if (price) x.cost[b] += sign * requestCostMicros(price, i, o, r, w);
  }

  /** Count a file's records (what changed is told by takeChanged()). */
  apply(agent: AgentId, records: FileRecords): void {
    const agentNo = AGENTS.indexOf(agent);
    const local = records.strings.map((s) => this.intern(s));
    const t = records.tokens;
    // The file's (session, project) pairs, each looked up once: sessionOf makes a string key.
    const sessions = new Map<number, number>();
    for (let r = 0; r < records.count; r++) {
      const pair = records.session[r]! * 0x200000 + records.project[r]!;
      let session = sessions.get(pair);
      if (session === undefined) {
        session = this.sessionOf(agentNo, local[records.session[r]!]!, local[records.project[r]!]!);
        sessions.set(pair, session);
      }
      const minute = Math.floor(records.timestampMs[r]! / MINUTE_MS);
      this.entries.offer(records.keyHi[r]!, records.keyLo[r]!, session, minute, local[records.model[r]!]!, t[r * 4]!, t[r * 4 + 1]!, t[r * 4 + 2]!, t[r * 4 + 3]!);
    }
  }

  /** Switch to another price table: costs are computed from the entries by columns(). */
  reprice(pricing: Pricing): void {
    this.pricing = pricing;
    this.modelPrice = [];
    this.rollup = undefined;
  }

  /** The rollups: each entry's tokens and cost (rounded per request, as a bill is) added to its rollup. */
  columns(): UsageColumns {
    this.entries.settleAll(); // queued records may add rollups and change the kept sums
    const nb = this.bucketCount;
    const ns = this.sessionCount;
    const bucketSession = this.bucketSession.copy(nb);
    const bucketMinute = this.bucketMinute.copy(nb);
    const bucketModel = this.bucketModel.copy(nb);
    const priced = new Uint8Array(nb);
    for (let b = 0; b < nb; b++) priced[b] = this.priceOfModel(bucketModel[b]!) ? 1 : 0;
    let bucketTokens: Float64Array;
    let bucketCost: Float64Array;
    let bucketRequests: Uint32Array;
    if (this.rollup) {
      // Copies: the caller may transfer them to another thread.
      bucketTokens = this.rollup.tokens.slice(0, nb * 4);
      bucketCost = this.rollup.cost.slice(0, nb);
      bucketRequests = this.rollup.requests.slice(0, nb);
    } else {
      const room = this.keep ? nb + (nb >> 2) + 1024 : nb;
      bucketTokens = new Float64Array(room * 4);
      bucketCost = new Float64Array(room);
      bucketRequests = new Uint32Array(room);
      this.entries.forEach((b, i, o, r, w) => {
        bucketTokens[b * 4] += i;
        bucketTokens[b * 4 + 1] += o;
        bucketTokens[b * 4 + 2] += r;
        bucketTokens[b * 4 + 3] += w;
        bucketRequests[b]++;
        const price = this.modelPrice[bucketModel[b]!];
        if (price) bucketCost[b] += requestCostMicros(price, i, o, r, w);
      });
      if (this.keep) {
        this.rollup = { tokens: bucketTokens, cost: bucketCost, requests: bucketRequests };
        bucketTokens = bucketTokens.slice(0, nb * 4);
        bucketCost = bucketCost.slice(0, nb);
        bucketRequests = bucketRequests.slice(0, nb);
      }
    }
    return {
      strings: this.strings.slice(),
      sessionAgent: this.sessionAgent.slice(0, ns),
      sessionId: this.sessionId.slice(0, ns),
      sessionProject: this.sessionProject.slice(0, ns),
      bucketSession,
      bucketMinute,
      bucketModel,
      bucketTokens,
      bucketCost,
      bucketRequests,
      bucketPriced: priced,
      skippedLines: this.skippedLines,
      pricesAsOf: this.pricing.table.as_of,
    };
  }

  /**
   * Every counted request: its rollup's session, minute and model, its tokens, and its cost in micros
   * (null when the model has no price). Reads the entries written out to disk piece by piece.
   */
  visitRequests(visit: (session: number, minute: number, model: number, i: number, o: number, r: number, w: number, costMicros: number | null) => void): void {
    this.entries.forEach((b, i, o, r, w) => {
      const model = this.bucketModel.get(b);
      const price = this.priceOfModel(model);
      visit(this.bucketSession.get(b), this.bucketMinute.get(b), model, i, o, r, w, price ? requestCostMicros(price, i, o, r, w) : null);
    });
  }

  get pricesAsOf(): string {
    return this.pricing.table.as_of;
  }

  /** Counts of the persisted tables (queued records are applied first). */
  sizes(): { sessions: number; buckets: number; entries: number; shards: number[] } {
    this.entries.settleAll();
    const shards = this.entries.shardCounts();
    return { sessions: this.sessionCount, buckets: this.bucketCount, entries: shards.reduce((a, b) => a + b, 0), shards };
  }

  /**
   * The rollups' tables for the persisted index, as byte chunks in this order: session agent (u8),
   * session id, session project, bucket session, minute, model (u32).
   */
  *rollupChunks(): Generator<Uint8Array> {
    const ns = this.sessionCount;
    const nb = this.bucketCount;
    yield this.sessionAgent.subarray(0, ns);
    yield bytesOf(this.sessionId.subarray(0, ns));
    yield bytesOf(this.sessionProject.subarray(0, ns));
    for (const col of [this.bucketSession, this.bucketMinute, this.bucketModel]) yield* col.chunks(nb);
  }

  /** The dedupe table's entries, shard after shard (see dedupeTable.ts), after sizes(). */
  entryChunks(): Generator<Uint8Array> {
    return this.entries.shardBytes();
  }

  /** The entries are in the index file `source` now, shard s at offsets[s] (see DedupeTable.attach). */
  attachEntries(source: FileSource, offsets: number[], counts: number[]): void {
    this.entries.attach(source, offsets, counts);
  }

  /** Around replacing the index file: see DedupeTable.suspendIndex. */
  suspendIndex(): void {
    this.entries.suspendIndex();
  }

  resumeIndex(): void {
    this.entries.resumeIndex();
  }

  /**
   * Rebuild the rollups from persisted tables (`read(bytes)` hands out the next `bytes` of the
   * file, in the order of rollupChunks; the u8 session agents come padded to 4 bytes); the entries
   * are attached after. Returns undefined when an index points outside its table (a damaged file: rescan).
   */
  static restore(
    pricing: Pricing,
    statePath: string,
    dedupeBudget: number | undefined,
    strings: string[],
    skippedLines: number,
    counts: { sessions: number; buckets: number },
    read: (bytes: number) => Uint8Array,
  ): UsageStore | undefined {
    const store = new UsageStore(pricing, statePath, dedupeBudget);
    for (let i = 1; i < strings.length; i++) store.intern(strings[i]!);
    if (store.strings.length !== strings.length) return undefined; // duplicate strings
    store.skippedLines = skippedLines;
    const ns = counts.sessions;
    const nb = counts.buckets;
    const agent = read(ns + ((4 - (ns % 4)) % 4)).slice(0, ns);
    const u32 = (n: number): Uint32Array => {
      const out = new Uint32Array(n);
      new Uint8Array(out.buffer).set(read(n * 4));
      return out;
    };
    const sessionId = u32(ns);
    const sessionProject = u32(ns);
    const n = strings.length;
    for (let s = 0; s < ns; s++) {
      if (sessionId[s]! >= n || sessionProject[s]! >= n || agent[s]! >= AGENTS.length) return undefined;
      store.sessionOf(agent[s]!, sessionId[s]!, sessionProject[s]!);
    }
    if (store.sessionCount !== ns) return undefined;
    store.bucketSession.load(read(nb * 4), nb);
    store.bucketMinute.load(read(nb * 4), nb);
    store.bucketModel.load(read(nb * 4), nb);
    store.bucketCount = nb;
    for (let b = 0; b < nb; b++) if (store.bucketSession.get(b) >= ns || store.bucketModel.get(b) >= n) return undefined;
    store.rehashBuckets(slotsFor(nb));
    return store;
  }
}

function grown<T extends Uint32Array | Uint8Array | Float64Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

function bytesOf(a: Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
