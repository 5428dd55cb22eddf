// Everything counted so far, in a bounded and compact form: one entry per distinct request (its
// 64-bit dedupe key, its tokens and the rollup it went to) and rollups per (agent session, minute,
// model). A request seen again with more tokens (Claude Code's earlier content-block lines carry
// partial output) moves the rollups from the old counts to the new ones. Costs are recomputed from
// the entries, so a changed price table needs no rescan. Memory is about 40 bytes per request plus
// 60 per rollup, all in typed arrays.
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

function grown<T extends Uint32Array | Float64Array | Uint8Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/** Open-addressing index from a 64-bit key to an entry number. */
class KeyIndex {
  private slots = new Int32Array(1024).fill(-1);
  private mask = 1023;
  private used = 0;

  constructor(
    private readonly hiOf: (entry: number) => number,
    private readonly loOf: (entry: number) => number,
  ) {}

  find(hi: number, lo: number): number {
    let s = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const e = this.slots[s]!;
      if (e === -1) return -1;
      if (this.loOf(e) === lo && this.hiOf(e) === hi) return e;
      s = (s + 1) & this.mask;
    }
  }

  insert(hi: number, lo: number, entry: number): void {
    if ((this.used + 1) * 2 > this.slots.length) this.rehash();
    let s = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    while (this.slots[s] !== -1) s = (s + 1) & this.mask;
    this.slots[s] = entry;
    this.used++;
  }

  private rehash(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2).fill(-1);
    this.mask = this.slots.length - 1;
    this.used = 0;
    for (const e of old) if (e !== -1) this.insert(this.hiOf(e), this.loOf(e), e);
  }
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
  bucketSession = new Uint32Array(1024);
  bucketMinute = new Uint32Array(1024);
  bucketModel = new Uint32Array(1024);
  bucketTokens = new Float64Array(4096);
  bucketCost = new Float64Array(1024);
  bucketRequests = new Uint32Array(1024);
  private bucketSlots = new Int32Array(2048).fill(-1);

  entryCount = 0;
  entryHi = new Uint32Array(1024);
  entryLo = new Uint32Array(1024);
  entryBucket = new Uint32Array(1024);
  entryTokens = new Uint32Array(4096);
  private readonly entryIndex = new KeyIndex(
    (e) => this.entryHi[e]!,
    (e) => this.entryLo[e]!,
  );

  skippedLines = 0;
  /** price of each string used as a model (null: unpriced, undefined: not looked up yet) */
  private modelPrice: (ModelPrice | null | undefined)[] = [];

  constructor(private pricing: Pricing) {}

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
      if (this.bucketMinute[b] === minute && this.bucketSession[b] === session && this.bucketModel[b] === model) return b;
      s = (s + 1) & mask;
    }
    const b = this.bucketCount++;
    if (b === this.bucketSession.length) {
      const n = b * 2;
      this.bucketSession = grown(this.bucketSession, n);
      this.bucketMinute = grown(this.bucketMinute, n);
      this.bucketModel = grown(this.bucketModel, n);
      this.bucketTokens = grown(this.bucketTokens, n * 4);
      this.bucketCost = grown(this.bucketCost, n);
      this.bucketRequests = grown(this.bucketRequests, n);
    }
    this.bucketSession[b] = session;
    this.bucketMinute[b] = minute;
    this.bucketModel[b] = model;
    if (this.bucketCount * 2 > this.bucketSlots.length) this.rehashBuckets();
    else this.bucketSlots[s] = b;
    return b;
  }

  private rehashBuckets(): void {
    this.bucketSlots = new Int32Array(this.bucketSlots.length * 2).fill(-1);
    const mask = this.bucketSlots.length - 1;
    for (let b = 0; b < this.bucketCount; b++) {
      let s = this.bucketHash(this.bucketSession[b]!, this.bucketMinute[b]!, this.bucketModel[b]!) & mask;
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

  /** Add (sign 1) or remove (sign -1) one request's counts to a rollup. */
  private account(bucket: number, t: Uint32Array | Float64Array, at: number, sign: 1 | -1): void {
    const i = t[at]!;
    const o = t[at + 1]!;
    const r = t[at + 2]!;
    const w = t[at + 3]!;
    const bt = this.bucketTokens;
    bt[bucket * 4] += sign * i;
    bt[bucket * 4 + 1] += sign * o;
    bt[bucket * 4 + 2] += sign * r;
    bt[bucket * 4 + 3] += sign * w;
    this.bucketRequests[bucket] += sign;
    const price = this.priceOfModel(this.bucketModel[bucket]!);
    if (price) this.bucketCost[bucket] += sign * requestCostMicros(price, i, o, r, w);
  }

  /** Count a file's records. Returns how many requests were new or grew. */
  apply(agent: AgentId, records: FileRecords): number {
    const agentNo = AGENTS.indexOf(agent);
    const local = records.strings.map((s) => this.intern(s));
    let changed = 0;
    const t = records.tokens;
    for (let r = 0; r < records.count; r++) {
      const hi = records.keyHi[r]!;
      const lo = records.keyLo[r]!;
      const total = t[r * 4]! + t[r * 4 + 1]! + t[r * 4 + 2]! + t[r * 4 + 3]!;
      const existing = this.entryIndex.find(hi, lo);
      if (existing !== -1) {
        const et = this.entryTokens;
        const oldTotal = et[existing * 4]! + et[existing * 4 + 1]! + et[existing * 4 + 2]! + et[existing * 4 + 3]!;
        if (total <= oldTotal) continue;
        this.account(this.entryBucket[existing]!, et, existing * 4, -1);
      }
      const session = this.sessionOf(agentNo, local[records.session[r]!]!, local[records.project[r]!]!);
      const bucket = this.bucketOf(session, Math.floor(records.timestampMs[r]! / MINUTE_MS), local[records.model[r]!]!);
      const e = existing !== -1 ? existing : this.newEntry(hi, lo);
      this.entryBucket[e] = bucket;
      for (let k = 0; k < 4; k++) this.entryTokens[e * 4 + k] = Math.min(0xffffffff, t[r * 4 + k]!);
      this.account(bucket, this.entryTokens, e * 4, 1);
      changed++;
    }
    return changed;
  }

  private newEntry(hi: number, lo: number): number {
    const e = this.entryCount++;
    if (e === this.entryHi.length) {
      const n = e * 2;
      this.entryHi = grown(this.entryHi, n);
      this.entryLo = grown(this.entryLo, n);
      this.entryBucket = grown(this.entryBucket, n);
      this.entryTokens = grown(this.entryTokens, n * 4);
    }
    this.entryHi[e] = hi;
    this.entryLo[e] = lo;
    this.entryIndex.insert(hi, lo, e);
    return e;
  }

  /** Switch to another price table: every rollup's cost is recomputed from the stored requests. */
  reprice(pricing: Pricing): void {
    this.pricing = pricing;
    this.modelPrice = [];
    this.recomputeRollups();
  }

  private recomputeRollups(): void {
    this.bucketTokens.fill(0);
    this.bucketCost.fill(0);
    this.bucketRequests.fill(0);
    for (let e = 0; e < this.entryCount; e++) this.account(this.entryBucket[e]!, this.entryTokens, e * 4, 1);
  }

  columns(): UsageColumns {
    const nb = this.bucketCount;
    const ns = this.sessionCount;
    const priced = new Uint8Array(nb);
    for (let b = 0; b < nb; b++) priced[b] = this.priceOfModel(this.bucketModel[b]!) ? 1 : 0;
    return {
      strings: this.strings.slice(),
      sessionAgent: this.sessionAgent.slice(0, ns),
      sessionId: this.sessionId.slice(0, ns),
      sessionProject: this.sessionProject.slice(0, ns),
      bucketSession: this.bucketSession.slice(0, nb),
      bucketMinute: this.bucketMinute.slice(0, nb),
      bucketModel: this.bucketModel.slice(0, nb),
      bucketTokens: this.bucketTokens.slice(0, nb * 4),
      bucketCost: this.bucketCost.slice(0, nb),
      bucketRequests: this.bucketRequests.slice(0, nb),
      bucketPriced: priced,
      skippedLines: this.skippedLines,
      pricesAsOf: this.pricing.table.as_of,
    };
  }

  /** The raw tables for the persisted index (views, not copies). */
  tables(): { sessions: [Uint8Array, Uint32Array, Uint32Array]; buckets: [Uint32Array, Uint32Array, Uint32Array]; entries: [Uint32Array, Uint32Array, Uint32Array, Uint32Array] } {
    const ns = this.sessionCount;
    const nb = this.bucketCount;
    const ne = this.entryCount;
    return {
      sessions: [this.sessionAgent.subarray(0, ns), this.sessionId.subarray(0, ns), this.sessionProject.subarray(0, ns)],
      buckets: [this.bucketSession.subarray(0, nb), this.bucketMinute.subarray(0, nb), this.bucketModel.subarray(0, nb)],
      entries: [this.entryHi.subarray(0, ne), this.entryLo.subarray(0, ne), this.entryBucket.subarray(0, ne), this.entryTokens.subarray(0, ne * 4)],
    };
  }

  /** Rebuild from persisted tables; rollups are recomputed with the current prices. */
  static restore(
    pricing: Pricing,
    strings: string[],
    skippedLines: number,
    sessions: [Uint8Array, Uint32Array, Uint32Array],
    buckets: [Uint32Array, Uint32Array, Uint32Array],
    entries: [Uint32Array, Uint32Array, Uint32Array, Uint32Array],
  ): UsageStore {
    const store = new UsageStore(pricing);
    for (let i = 1; i < strings.length; i++) store.intern(strings[i]!);
    store.skippedLines = skippedLines;
    const [agent, id, project] = sessions;
    for (let s = 0; s < agent.length; s++) store.sessionOf(agent[s]!, id[s]!, project[s]!);
    const [bs, bm, bmodel] = buckets;
    for (let b = 0; b < bs.length; b++) store.bucketOf(bs[b]!, bm[b]!, bmodel[b]!);
    const [hi, lo, bucket, tokens] = entries;
    for (let e = 0; e < hi.length; e++) {
      const n = store.newEntry(hi[e]!, lo[e]!);
      store.entryBucket[n] = bucket[e]!;
      store.entryTokens.set(tokens.subarray(e * 4, e * 4 + 4), n * 4);
    }
    store.recomputeRollups();
    return store;
  }
}
