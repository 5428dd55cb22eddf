// What a refresh hands to the rest of the product: usage rolled up per (agent session, minute,
// model), small enough to keep in the extension host whatever the size of the logs, and precise
// enough to attribute usage to tagged workflow sessions at their timestamps (to the minute), to plot
// spend by day, and to name the biggest agent sessions.
import { AGENTS, MINUTE_MS, type AgentId, type UsageColumns } from './usageStore';

export type { AgentId } from './usageStore';

export interface UsageTokens {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
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
  /** sorted by timestamp, then agent, session, model */
  events: UsageEvent[];
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
}

export interface ScanProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export function emptyTokens(): UsageTokens {
  return { input: 0, output: 0, cache_read: 0, cache_write: 0 };
}

export function addTokens(into: UsageTokens, t: UsageTokens): void {
  into.input += t.input;
  into.output += t.output;
  into.cache_read += t.cache_read;
  into.cache_write += t.cache_write;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function snapshotFromColumns(cols: UsageColumns, asOf: Date, stats: ScanStats): UsageSnapshot {
  const events: UsageEvent[] = [];
  const unpriced = new Map<string, UnpricedModel>();
  const s = cols.strings;
  for (let b = 0; b < cols.bucketSession.length; b++) {
    const requests = cols.bucketRequests[b]!;
    if (requests === 0) continue;
    const session = cols.bucketSession[b]!;
    const model = s[cols.bucketModel[b]!]!;
    const tokens: UsageTokens = {
      input: cols.bucketTokens[b * 4]!,
      output: cols.bucketTokens[b * 4 + 1]!,
      cache_read: cols.bucketTokens[b * 4 + 2]!,
      cache_write: cols.bucketTokens[b * 4 + 3]!,
    };
    const priced = cols.bucketPriced[b] === 1;
    events.push({
      timestamp: cols.bucketMinute[b]! * MINUTE_MS,
      agent: AGENTS[cols.sessionAgent[session]!] ?? 'claude_code',
      model,
      tokens,
      costMicros: priced ? cols.bucketCost[b]! : null,
      sessionId: s[cols.sessionId[session]!]!,
      project: s[cols.sessionProject[session]!]!,
      requests,
    });
    if (!priced) {
      let u = unpriced.get(model);
      if (!u) unpriced.set(model, (u = { model, tokens: emptyTokens(), requests: 0 }));
      addTokens(u.tokens, tokens);
      u.requests += requests;
    }
  }
  // A total order, so that the same usage gives the same list however the files were read.
  events.sort((a, b) => a.timestamp - b.timestamp || cmp(a.agent, b.agent) || cmp(a.sessionId, b.sessionId) || cmp(a.model, b.model));
  return {
    events,
    skippedLines: cols.skippedLines,
    unpricedModels: [...unpriced.values()].sort((a, b) => (a.model < b.model ? -1 : 1)),
    asOf: asOf.toISOString(),
    pricesAsOf: cols.pricesAsOf,
    stats,
  };
}
