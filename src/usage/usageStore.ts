// Everything counted so far, in a compact form: the dedupe table (one entry per distinct request: its
// 64-bit key, its four token counts and the key of the rollup it belongs to — agent session, minute,
// model; see dedupeTable.ts), the agent sessions and the strings they name. A request seen again with
// more tokens (Claude Code's earlier content-block lines carry partial output) has its entry
// overwritten. The rollups' sums and costs are not stored: columns() adds the entries up, so a
// changed price table needs no rescan and nothing is stored twice (a meter that refreshes often
// keeps the sums in memory between refreshes: keepRollups).
//
// Memory: the dedupe table, which grows with every request, keeps at most a fixed number of entries
// in memory and the rest on disk. Counting builds no table of rollups; what stays in memory is
// the agent sessions (9 bytes each plus their strings).
//
// Dedupe is exact up to the 64-bit key (two 32-bit hashes of message.id+requestId, or of the Codex
// rollout and running total; see jsonBytes.ts): with n distinct requests the chance that any two
// share a key is about n²/2⁶⁵ — 1.3e-9 at 200 000 requests (2 GB of logs), 2.7e-7 at 3 million.
import { DedupeTable, DEFAULT_BUDGET, spillPathBeside } from './dedupeTable';
import type { FileSource } from './scratchFile';
import type { FileRecords } from './logParser';
import type { ModelPrice, Pricing } from './prices';
import { requestCostMicros } from './prices';
import { RollupTable } from './rollupTable';

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

export class UsageStore {
  readonly strings: string[] = [''];
  private readonly stringIndex = new Map<string, number>([['', 0]]);

  sessionCount = 0;
  sessionAgent = new Uint8Array(256);
  sessionId = new Uint32Array(256);
  sessionProject = new Uint32Array(256);
  /** agent number × 2³² + session id string number → session */
  private readonly sessionIndex = new Map<number, number>();

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
        roll: (session, minute, model, sign, i, o, r, w) => this.rollups?.add(session, minute, model, sign, i, o, r, w, this.costOf(model, i, o, r, w) ?? 0),
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
    const key = agent * 0x100000000 + id;
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

  private priceOfModel(model: number): ModelPrice | null {
    let p = this.modelPrice[model];
    if (p === undefined) {
      p = this.pricing.priceOf(this.strings[model]!) ?? null;
      this.modelPrice[model] = p;
    }
    return p;
  }

  /** A request's cost in integer micros (rounded per request, as a bill is), or null when its model has no price. */
  private costOf(model: number, i: number, o: number, r: number, w: number): number | null {
    const price = this.priceOfModel(model);
    return price ? requestCostMicros(price, i, o, r, w) : null;
  }

  /**
   * Keep the rollups and their sums between calls of columns() and update them as entries change,
   * instead of adding every entry up again on each call: for a meter that refreshes again and again
   * (at 2 GB of logs the sums took 10 ms a refresh). Costs 72 bytes a rollup; the CLI's one scan does without.
   */
  keepRollups(): void {
    this.keep = true;
  }

  private keep = false;
  /** The kept rollups (when `keep`, from the first columns() on; dropped by reprice()). */
  private rollups: RollupTable | undefined;

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
    this.rollups = undefined;
  }

  /** The rollups: each entry's tokens and cost (rounded per request, as a bill is) added to its rollup. */
  columns(): UsageColumns {
    let table = this.rollups;
    if (table) {
      this.entries.settleAll(); // queued records may add rollups and change the kept sums
    } else {
      const fresh = new RollupTable();
      this.entries.forEach((session, minute, model, i, o, r, w) => fresh.add(session, minute, model, 1, i, o, r, w, this.costOf(model, i, o, r, w) ?? 0));
      if (this.keep) this.rollups = fresh;
      table = fresh;
    }
    const nb = table.count;
    const ns = this.sessionCount;
    const bucketModel = table.model.copy(nb);
    const priced = new Uint8Array(nb);
    for (let b = 0; b < nb; b++) priced[b] = this.priceOfModel(bucketModel[b]!) ? 1 : 0;
    return {
      strings: this.strings.slice(),
      sessionAgent: this.sessionAgent.slice(0, ns),
      sessionId: this.sessionId.slice(0, ns),
      sessionProject: this.sessionProject.slice(0, ns),
      bucketSession: table.session.copy(nb),
      bucketMinute: table.minute.copy(nb),
      bucketModel,
      // Copies: the caller may transfer them to another thread.
      bucketTokens: table.tokens.slice(0, nb * 4),
      bucketCost: table.cost.slice(0, nb),
      bucketRequests: table.requests.slice(0, nb),
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
    this.entries.forEach((session, minute, model, i, o, r, w) => visit(session, minute, model, i, o, r, w, this.costOf(model, i, o, r, w)));
  }

  get pricesAsOf(): string {
    return this.pricing.table.as_of;
  }

  /** Counts of the persisted tables (queued records are applied first). */
  sizes(): { sessions: number; entries: number; shards: number[] } {
    this.entries.settleAll();
    const shards = this.entries.shardCounts();
    return { sessions: this.sessionCount, entries: shards.reduce((a, b) => a + b, 0), shards };
  }

  /** The session table for the persisted index, as byte chunks in this order: agent (u8), id, project (u32). */
  *sessionChunks(): Generator<Uint8Array> {
    const ns = this.sessionCount;
    yield this.sessionAgent.subarray(0, ns);
    yield bytesOf(this.sessionId.subarray(0, ns));
    yield bytesOf(this.sessionProject.subarray(0, ns));
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
   * Rebuild the store from persisted tables (`read(bytes)` hands out the next `bytes` of the
   * file, in the order of sessionChunks; the u8 session agents come padded to 4 bytes); the entries
   * are attached after. Returns undefined when an index points outside its table (a damaged file: rescan).
   */
  static restore(
    pricing: Pricing,
    statePath: string,
    dedupeBudget: number | undefined,
    strings: string[],
    skippedLines: number,
    sessions: number,
    read: (bytes: number) => Uint8Array,
  ): UsageStore | undefined {
    const store = new UsageStore(pricing, statePath, dedupeBudget);
    for (let i = 1; i < strings.length; i++) store.intern(strings[i]!);
    if (store.strings.length !== strings.length) return undefined; // duplicate strings
    store.skippedLines = skippedLines;
    const ns = sessions;
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
    return store;
  }
}

function grown<T extends Uint32Array | Uint8Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

function bytesOf(a: Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
