// What a refresh hands to the rest of the product: usage rolled up per (agent session, minute,
// model), 57 bytes each in columns (23 MB for the 409 000 rollups of 8 GB of logs), and precise
// enough to attribute usage to tagged workflow sessions at their timestamps (to the minute), to plot
// spend by day, and to name the biggest agent sessions.
import { AGENTS, MINUTE_MS, type AgentId, type UsageColumns, type UsageStore } from './store/usageStore';
import {
  TOKEN_CACHE_READ,
  TOKEN_CACHE_WRITE,
  TOKEN_CACHE_WRITE_1H,
  TOKEN_INPUT,
  TOKEN_OUTPUT,
  TOKEN_WORDS,
} from './tokenColumns';

export type { AgentId } from './store/usageStore';

export interface UsageTokens {
  input: number;
  output: number;
  cache_read: number;
  /** all cache writes */
  cache_write: number;
  /** the part of cache_write with the 1-hour lifetime (priced at its own rate) */
  cache_write_1h: number;
}

export interface UsageEvent {
  /** epoch ms: the start of the minute the requests fell in */
  timestamp: number;
  agent: AgentId;
  /** the model as the log names it */
  model: string;
  tokens: UsageTokens;
  /** integer micros (USD), or null when the model has no price */
  costMicros: number | null;
  /** the agent's own session id (Claude sessionId / Codex rollout id) */
  sessionId: string;
  /** the working directory the agent ran in ('' when the log does not say) */
  project: string;
  /** distinct requests in this rollup */
  requests: number;
}

export interface UnpricedModel {
  model: string;
  tokens: UsageTokens;
  requests: number;
}

export interface UsageSnapshot {
  /** sorted by timestamp, then agent, session, model (built on first access) */
  readonly events: UsageEvent[];
  /**
   * The events with a timestamp in [fromMs, toMs), in the same order, built for that window alone:
   * for a caller that looks at a period (a report, the history of the last 30 days), so that a long
   * history costs it nothing outside the period (events of all 409 000 rollups of 8 GB of logs took
   * 420 ms to build and sort on the editor's thread).
   */
  eventsBetween(fromMs: number, toMs: number): UsageEvent[];
  /** every event, in no particular order, without keeping them (for totals over a large history) */
  eachEvent(visit: (event: UsageEvent) => void): void;
  /** lines that could not be read (corrupt, truncated, a usage line without a valid timestamp…) */
  skippedLines: number;
  /** models seen without a price: their usage is in `events` with costMicros null, never as $0 */
  unpricedModels: UnpricedModel[];
  /** ISO time the logs were read */
  asOf: string;
  /** the date of the price table used */
  pricesAsOf: string;
  stats: ScanStats;
}

export interface ScanStats {
  filesTotal: number;
  filesRead: number;
  bytesRead: number;
  /** requests that were new or grew in this refresh */
  requestsChanged: number;
  durationMs: number;
  fullScan: boolean;
  /** set when the index could not be saved (the figures are still right) */
  indexError?: string;
  /** log files whose names are not valid UTF-8: listed, but they cannot be opened by name, so not read */
  undecodableNames?: string[];
}

export interface ScanProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export function emptyTokens(): UsageTokens {
  return { input: 0, output: 0, cache_read: 0, cache_write: 0, cache_write_1h: 0 };
}

export function addTokens(into: UsageTokens, t: UsageTokens): void {
  into.input += t.input;
  into.output += t.output;
  into.cache_read += t.cache_read;
  into.cache_write += t.cache_write;
  into.cache_write_1h += t.cache_write_1h;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Rollup `b` of the columns as an event. */
function eventAt(cols: UsageColumns, b: number): UsageEvent {
  const t = cols.bucketTokens;
  const s = cols.strings;
  const session = cols.bucketSession[b]!;
  return {
    timestamp: cols.bucketMinute[b]! * MINUTE_MS,
    agent: AGENTS[cols.sessionAgent[session]!] ?? 'claude_code',
    model: s[cols.bucketModel[b]!]!,
    tokens: {
      input: t[b * TOKEN_WORDS + TOKEN_INPUT]!,
      output: t[b * TOKEN_WORDS + TOKEN_OUTPUT]!,
      cache_read: t[b * TOKEN_WORDS + TOKEN_CACHE_READ]!,
      cache_write: t[b * TOKEN_WORDS + TOKEN_CACHE_WRITE]!,
      cache_write_1h: t[b * TOKEN_WORDS + TOKEN_CACHE_WRITE_1H]!,
    },
    costMicros: cols.bucketPriced[b] === 1 ? cols.bucketCost[b]! : null,
    sessionId: s[cols.sessionId[session]!]!,
    project: s[cols.sessionProject[session]!]!,
    requests: cols.bucketRequests[b]!,
  };
}

/** Unpriced usage added up per model name. */
export class UnpricedSums {
  private readonly byModel = new Map<string, UnpricedModel>();

  add(model: string, i: number, o: number, r: number, w: number, h: number, requests: number): void {
    let u = this.byModel.get(model);
    if (!u) this.byModel.set(model, (u = { model, tokens: emptyTokens(), requests: 0 }));
    u.tokens.input += i;
    u.tokens.output += o;
    u.tokens.cache_read += r;
    u.tokens.cache_write += w;
    u.tokens.cache_write_1h += h;
    u.requests += requests;
  }

  /** By model name, or in the order `compare` gives. */
  sorted(
    compare: (a: UnpricedModel, b: UnpricedModel) => number = (a, b) => (a.model < b.model ? -1 : 1),
  ): UnpricedModel[] {
    return [...this.byModel.values()].sort(compare);
  }
}

/** A total order, so that the same usage gives the same list however the files were read. */
const eventOrder = (a: UsageEvent, b: UsageEvent): number =>
  a.timestamp - b.timestamp || cmp(a.agent, b.agent) || cmp(a.sessionId, b.sessionId) || cmp(a.model, b.model);

/** Rollups below this count are ordered by one number (minute × 2²² + rollup) in a typed array. */
const TYPED_ORDER_MAX = 1 << 22;

/**
 * The rollups with a timestamp in [fromMs, toMs) as events in eventOrder. The rollups are put in
 * minute order by a numeric sort of a typed array first (no object, no comparator call per pair);
 * only rollups of the same minute are then compared by their names.
 */
function sortedEvents(cols: UsageColumns, fromMs: number, toMs: number): UsageEvent[] {
  const n = cols.bucketSession.length;
  const inWindow = (b: number) => {
    const t = cols.bucketMinute[b]! * MINUTE_MS;
    return cols.bucketRequests[b]! > 0 && t >= fromMs && t < toMs;
  };
  if (n >= TYPED_ORDER_MAX) {
    const list: UsageEvent[] = [];
    for (let b = 0; b < n; b++) if (inWindow(b)) list.push(eventAt(cols, b));
    return list.sort(eventOrder);
  }
  let count = 0;
  for (let b = 0; b < n; b++) if (inWindow(b)) count++;
  const keys = new Float64Array(count);
  for (let b = 0, k = 0; b < n; b++) if (inWindow(b)) keys[k++] = cols.bucketMinute[b]! * TYPED_ORDER_MAX + b;
  keys.sort();
  const list = new Array<UsageEvent>(count);
  for (let k = 0; k < count; k++) list[k] = eventAt(cols, keys[k]! % TYPED_ORDER_MAX);
  // Rollups of one minute, by agent, session and model.
  for (let start = 0; start < count;) {
    let end = start + 1;
    while (end < count && list[end]!.timestamp === list[start]!.timestamp) end++;
    if (end - start > 1) {
      const same = list.slice(start, end).sort(eventOrder);
      for (let k = 0; k < same.length; k++) list[start + k] = same[k]!;
    }
    start = end;
  }
  return list;
}

/**
 * The snapshot over the columns a scan produced. `events` is built (and sorted) on first use and
 * kept; `eachEvent` visits the same events unsorted without keeping them, for a caller that only
 * adds them up (the CLI), so that a large history costs no lasting objects.
 */
export function snapshotFromColumns(cols: UsageColumns, asOf: Date, stats: ScanStats): UsageSnapshot {
  const unpriced = new UnpricedSums();
  const t = cols.bucketTokens;
  for (let b = 0; b < cols.bucketSession.length; b++) {
    const requests = cols.bucketRequests[b]!;
    if (requests === 0 || cols.bucketPriced[b] === 1) continue;
    const at = b * TOKEN_WORDS;
    unpriced.add(
      cols.strings[cols.bucketModel[b]!]!,
      t[at + TOKEN_INPUT]!,
      t[at + TOKEN_OUTPUT]!,
      t[at + TOKEN_CACHE_READ]!,
      t[at + TOKEN_CACHE_WRITE]!,
      t[at + TOKEN_CACHE_WRITE_1H]!,
      requests,
    );
  }
  let events: UsageEvent[] | undefined;
  return {
    get events(): UsageEvent[] {
      events ??= sortedEvents(cols, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
      return events;
    },
    eventsBetween(fromMs: number, toMs: number): UsageEvent[] {
      if (events) return events.filter((e) => e.timestamp >= fromMs && e.timestamp < toMs);
      return sortedEvents(cols, fromMs, toMs);
    },
    eachEvent(visit: (event: UsageEvent) => void): void {
      if (events) {
        for (const e of events) visit(e);
        return;
      }
      for (let b = 0; b < cols.bucketSession.length; b++) if (cols.bucketRequests[b]! > 0) visit(eventAt(cols, b));
    },
    skippedLines: cols.skippedLines,
    unpricedModels: unpriced.sorted(),
    asOf: asOf.toISOString(),
    pricesAsOf: cols.pricesAsOf,
    stats,
  };
}

/**
 * One counted request read from the store, as an event. Its agent session's id and folder are looked
 * up only when asked for: the CLI's sums never ask, so the sessions' ids stay on disk.
 */
class RequestEvent implements UsageEvent {
  readonly timestamp: number;
  readonly agent: AgentId;
  readonly requests = 1;
  constructor(
    private readonly store: UsageStore,
    private readonly session: number,
    minute: number,
    readonly model: string,
    readonly tokens: UsageTokens,
    readonly costMicros: number | null,
  ) {
    this.timestamp = minute * MINUTE_MS;
    this.agent = AGENTS[store.sessionAgent(session)] ?? 'claude_code';
  }

  get sessionId(): string {
    return this.store.sessionName(this.session);
  }

  get project(): string {
    return this.store.sessionProject(this.session);
  }
}

/**
 * The snapshot over a store, for a caller that adds the usage up on the store's thread: eachEvent
 * visits every counted request as an event of its own (`requests: 1`), read from the store, so no
 * per-rollup arrays are built. `events` (the rollups, sorted) is built from the store on first use.
 * Valid until the store is closed or counts more.
 */
export function snapshotFromStore(store: UsageStore, asOf: Date, stats: ScanStats): UsageSnapshot {
  // Added up on first use: a pass over every counted request, which `spend-band usage` does not need
  // (it sums the unpriced usage in its own pass).
  let unpricedModels: UnpricedModel[] | undefined;
  const unpricedOnce = (): UnpricedModel[] => {
    if (unpricedModels) return unpricedModels;
    const unpriced = new UnpricedSums();
    store.visitRequests((_session, _minute, model, i, o, r, w, h, cost) => {
      if (cost === null) unpriced.add(store.strings[model]!, i, o, r, w, h, 1);
    });
    return (unpricedModels = unpriced.sorted());
  };
  let rollups: UsageSnapshot | undefined;
  return {
    get events(): UsageEvent[] {
      rollups ??= snapshotFromColumns(store.columns(), asOf, stats);
      return rollups.events;
    },
    eventsBetween(fromMs: number, toMs: number): UsageEvent[] {
      rollups ??= snapshotFromColumns(store.columns(), asOf, stats);
      return rollups.eventsBetween(fromMs, toMs);
    },
    eachEvent(visit: (event: UsageEvent) => void): void {
      store.visitRequests((session, minute, model, i, o, r, w, h, cost) =>
        visit(
          new RequestEvent(
            store,
            session,
            minute,
            store.strings[model]!,
            { input: i, output: o, cache_read: r, cache_write: w, cache_write_1h: h },
            cost,
          ),
        ),
      );
    },
    skippedLines: store.skippedLines,
    get unpricedModels(): UnpricedModel[] {
      return unpricedOnce();
    },
    asOf: asOf.toISOString(),
    pricesAsOf: store.pricesAsOf,
    stats,
  };
}
