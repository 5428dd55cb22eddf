// Everything counted so far, in a compact form: the dedupe table (one entry per distinct request: its
// 64-bit key, its four token counts and the key of the rollup it belongs to — agent session, minute,
// model; see dedupeTable.ts), the agent sessions (sessionTable.ts) and the strings that name models and
// projects. A request seen again with
// more tokens (Claude Code's earlier content-block lines carry partial output) has its entry
// overwritten. The rollups' sums and costs are not stored: columns() adds the entries up, so a
// changed price table needs no rescan and nothing is stored twice (a meter that refreshes often
// keeps the sums in memory between refreshes: keepRollups).
//
// Memory: the dedupe table, which grows with every request, keeps at most a fixed number of entries
// in memory and the rest on disk. Counting builds no table of rollups, and keeps no list of files
// (see scanEngine.ts); what stays in memory is 25 bytes per agent session (their ids are on disk).
//
// Dedupe is exact up to the 64-bit key (two 32-bit hashes of message.id+requestId, or of the Codex
// rollout and running total; see jsonBytes.ts): with n distinct requests the chance that any two
// share a key is about n²/2⁶⁵ — 1.3e-9 at 200 000 requests (2 GB of logs), 2.7e-7 at 3 million.
import { DedupeTable, DEFAULT_BUDGET, spillPathBeside } from './dedupe/dedupeTable';
import type { FileSource } from './scratchFile';
import type { FileRecords } from '../agents/logParser';
import type { ModelPrice, Pricing } from '../prices/prices';
import { requestCostMicros } from '../prices/prices';
import { RollupTable } from './rollupTable';
import { SessionTable } from './sessionTable';
import {
  TOKEN_CACHE_READ,
  TOKEN_CACHE_WRITE,
  TOKEN_CACHE_WRITE_1H,
  TOKEN_INPUT,
  TOKEN_OUTPUT,
  TOKEN_WORDS,
} from '../tokenColumns';

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
  /** token counts per rollup (tokenColumns.ts) */
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

  private sessions: SessionTable;

  /** the counted requests (token counts clamped to 2³²−1, far above any request) */
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
    sessions?: SessionTable,
  ) {
    this.sessions = sessions ?? new SessionTable(() => spillPathBeside(statePath));
    this.entries = new DedupeTable(
      {
        roll: (session, minute, model, sign, i, o, r, w, h) =>
          this.rollups?.add(session, minute, model, sign, i, o, r, w, h, this.costOf(model, i, o, r, w, h) ?? 0),
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

  /** Close the files the dedupe table reads (the index) and spills to, and the sessions' names. */
  close(): void {
    this.entries.close();
    this.sessions.close();
  }

  get sessionCount(): number {
    return this.sessions.count;
  }

  /** The agent (index in AGENTS) of a session. */
  sessionAgent(session: number): number {
    return this.sessions.agent[session]!;
  }

  /** The agent's own id of a session (read from disk, with all others, on first use). */
  sessionName(session: number): string {
    return this.sessions.name(session);
  }

  /** The folder a session ran in ('' when its log does not say). */
  sessionProject(session: number): string {
    return this.strings[this.sessions.project[session]!]!;
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

  private priceOfModel(model: number): ModelPrice | null {
    let p = this.modelPrice[model];
    if (p === undefined) {
      p = this.pricing.priceOf(this.strings[model]!) ?? null;
      this.modelPrice[model] = p;
    }
    return p;
  }

  /** A request's cost in integer micros (rounded per request, as a bill is), or null when its model has no price. */
  private costOf(model: number, i: number, o: number, r: number, w: number, h: number): number | null {
    const price = this.priceOfModel(model);
    return price ? requestCostMicros(price, i, o, r, w, h) : null;
  }

  /**
   * Keep the rollups and their sums between calls of columns() and update them as entries change,
   * instead of adding every entry up again on each call: for a meter that refreshes again and again
   * (at 2 GB of logs the sums took 10 ms a refresh). Costs 72 bytes a rollup; the CLI's one scan does without.
   * The dedupe table keeps a filter of its keys too (see DedupeTable.useKeyFilter).
   */
  keepRollups(): void {
    this.keep = true;
    this.entries.useKeyFilter();
  }

  private keep = false;
  /** The kept rollups (when `keep`, from the first columns() on; dropped by reprice()). */
  private rollups: RollupTable | undefined;

  /** Count a file's records (what changed is told by takeChanged()). */
  apply(agent: AgentId, records: FileRecords): void {
    const agentNo = AGENTS.indexOf(agent);
    // The file's strings that name models and projects, in the store's string table (session ids go
    // to the session table instead).
    const local = new Int32Array(records.strings.length).fill(-1);
    const named = (i: number) => (local[i] !== -1 ? local[i]! : (local[i] = this.intern(records.strings[i]!)));
    const t = records.tokens;
    // The file's (session, project) pairs, each looked up once.
    const sessions = new Map<number, number>();
    for (let r = 0; r < records.count; r++) {
      const pair = records.session[r]! * 0x200000 + records.project[r]!;
      let session = sessions.get(pair);
      if (session === undefined) {
        session = this.sessions.sessionOf(agentNo, records.strings[records.session[r]!]!, named(records.project[r]!));
        sessions.set(pair, session);
      }
      const minute = Math.floor(records.timestampMs[r]! / MINUTE_MS);
      this.entries.offer(
        records.keyHi[r]!,
        records.keyLo[r]!,
        session,
        minute,
        named(records.model[r]!),
        t[r * TOKEN_WORDS + TOKEN_INPUT]!,
        t[r * TOKEN_WORDS + TOKEN_OUTPUT]!,
        t[r * TOKEN_WORDS + TOKEN_CACHE_READ]!,
        t[r * TOKEN_WORDS + TOKEN_CACHE_WRITE]!,
        t[r * TOKEN_WORDS + TOKEN_CACHE_WRITE_1H]!,
      );
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
      this.entries.forEach((session, minute, model, i, o, r, w, h) =>
        fresh.add(session, minute, model, 1, i, o, r, w, h, this.costOf(model, i, o, r, w, h) ?? 0),
      );
      if (this.keep) this.rollups = fresh;
      table = fresh;
    }
    const nb = table.count;
    const ns = this.sessionCount;
    const bucketModel = table.model.copy(nb);
    const priced = new Uint8Array(nb);
    for (let b = 0; b < nb; b++) priced[b] = this.priceOfModel(bucketModel[b]!) ? 1 : 0;
    // The columns name sessions through the string table: the sessions' ids follow the store's strings.
    const strings = this.strings.slice();
    const sessionId = new Uint32Array(ns);
    for (let s = 0; s < ns; s++) {
      sessionId[s] = strings.length;
      strings.push(this.sessions.name(s));
    }
    return {
      strings,
      sessionAgent: this.sessions.agent.slice(0, ns),
      sessionId,
      sessionProject: this.sessions.project.slice(0, ns),
      bucketSession: table.session.copy(nb),
      bucketMinute: table.minute.copy(nb),
      bucketModel,
      // Copies: the caller may transfer them to another thread.
      bucketTokens: table.tokens.slice(0, nb * TOKEN_WORDS),
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
  visitRequests(
    visit: (
      session: number,
      minute: number,
      model: number,
      i: number,
      o: number,
      r: number,
      w: number,
      h: number,
      costMicros: number | null,
    ) => void,
  ): void {
    this.entries.forEach((session, minute, model, i, o, r, w, h) =>
      visit(session, minute, model, i, o, r, w, h, this.costOf(model, i, o, r, w, h)),
    );
  }

  get pricesAsOf(): string {
    return this.pricing.table.as_of;
  }

  /** Counts of the persisted tables (queued records are applied first). */
  sizes(): { sessions: number; sessionNamesBytes: number; entries: number; shards: number[] } {
    this.entries.settleAll();
    const shards = this.entries.shardCounts();
    return {
      sessions: this.sessionCount,
      sessionNamesBytes: this.sessions.namesBytes,
      entries: shards.reduce((a, b) => a + b, 0),
      shards,
    };
  }

  /** The session table for the persisted index (see SessionTable.chunks), and the bytes of its ids. */
  sessionChunks(): Generator<Uint8Array> {
    return this.sessions.chunks();
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
   * Rebuild the store from persisted tables (`read(bytes)` hands out the next `bytes` of the file,
   * in the order of sessionChunks); the entries are attached after. Returns undefined when an index
   * points outside its tables (a damaged file: rescan).
   */
  static restore(
    pricing: Pricing,
    statePath: string,
    dedupeBudget: number | undefined,
    strings: string[],
    skippedLines: number,
    sessions: { count: number; namesBytes: number },
    read: (bytes: number) => Uint8Array,
  ): UsageStore | undefined {
    if (strings[0] !== '' || !strings.every((x) => typeof x === 'string')) return undefined;
    const table = SessionTable.restore(
      () => spillPathBeside(statePath),
      sessions.count,
      sessions.namesBytes,
      AGENTS.length,
      strings.length,
      read,
    );
    if (!table) return undefined;
    const store = new UsageStore(pricing, statePath, dedupeBudget, table);
    for (let i = 1; i < strings.length; i++) store.intern(strings[i]!);
    store.skippedLines = skippedLines;
    if (store.strings.length !== strings.length) {
      store.close();
      return undefined; // duplicate strings
    }
    return store;
  }
}
