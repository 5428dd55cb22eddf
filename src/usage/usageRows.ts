// Usage grouped for people: by day or month (in a time zone), model, agent or workflow class, and
// the biggest agent sessions. Costs stay integer micros; unpriced usage is counted apart.
import { TZDate } from '@date-fns/tz';
import { TagTimeline } from '../domain/attribution';
import type { WorkflowSession } from '../domain/session';
import {
  addTokens,
  emptyTokens,
  type AgentId,
  type UsageEvent,
  type UsageSnapshot,
  type UsageTokens,
} from './usageSnapshot';

export type UsageGrouping = 'day' | 'month' | 'model' | 'workflow' | 'agent';
export const USAGE_GROUPINGS: readonly UsageGrouping[] = ['day', 'month', 'model', 'workflow', 'agent'];

export interface UsageRow {
  key: string;
  tokens: UsageTokens;
  /** priced spend, integer micros */
  costMicros: number;
  requests: number;
  /** requests of models without a price (their tokens are in `tokens`, their cost is not known) */
  unpricedRequests: number;
}

export interface UsageTable {
  rows: UsageRow[];
  totals: UsageRow;
}

function newRow(key: string): UsageRow {
  return { key, tokens: emptyTokens(), costMicros: 0, requests: 0, unpricedRequests: 0 };
}

function addEvent(row: UsageRow, e: UsageEvent): void {
  addTokens(row.tokens, e.tokens);
  row.requests += e.requests;
  if (e.costMicros === null) row.unpricedRequests += e.requests;
  else row.costMicros += e.costMicros;
}

/** Zone names that mean UTC: their dates need no time zone database (Intl's first use costs ~25 ms). */
export function isUtcZone(timeZone: string): boolean {
  return timeZone === 'UTC' || timeZone === 'Etc/UTC' || timeZone === 'Etc/GMT' || timeZone === 'GMT';
}

/** Local calendar date of an instant, cached per quarter hour (every zone offset is a multiple of 15 min). */
export function localDayFormatter(timeZone: string): (ms: number) => string {
  const cache = new Map<number, string>();
  if (isUtcZone(timeZone))
    return (ms) => {
      const day = Math.floor(ms / 86_400_000);
      let text = cache.get(day);
      if (text === undefined) cache.set(day, (text = new Date(day * 86_400_000).toISOString().slice(0, 10)));
      return text;
    };
  return (ms) => {
    const q = Math.floor(ms / 900_000);
    let day = cache.get(q);
    if (day === undefined) {
      const d = new TZDate(q * 900_000, timeZone);
      day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
      cache.set(q, day);
    }
    return day;
  };
}

export interface GroupOptions {
  by: UsageGrouping;
  timeZone: string;
  /** tagged workflow sessions (for `by: 'workflow'`) */
  sessions?: readonly WorkflowSession[];
  fromMs?: number;
  toMs?: number;
}

/** An array of events, or a snapshot (visited without building its sorted list). */
export type EventSource = readonly UsageEvent[] | Pick<UsageSnapshot, 'eachEvent'>;

export function forEachEvent(source: EventSource, visit: (e: UsageEvent) => void): void {
  if (Array.isArray(source)) for (const e of source as readonly UsageEvent[]) visit(e);
  else (source as Pick<UsageSnapshot, 'eachEvent'>).eachEvent(visit);
}

export function groupUsage(events: EventSource, options: GroupOptions): UsageTable {
  const day = localDayFormatter(options.timeZone);
  const rows = new Map<string, UsageRow>();
  const totals = newRow('total');
  const from = options.fromMs ?? Number.NEGATIVE_INFINITY;
  const to = options.toMs ?? Number.POSITIVE_INFINITY;
  const timeline = options.by === 'workflow' ? TagTimeline.ofSessions(options.sessions ?? []) : undefined;
  forEachEvent(events, (e) => {
    if (e.timestamp < from || e.timestamp >= to) return;
    let key: string;
    switch (options.by) {
      case 'day':
        key = day(e.timestamp);
        break;
      case 'month':
        key = day(e.timestamp).slice(0, 7);
        break;
      case 'model':
        key = e.model;
        break;
      case 'agent':
        key = e.agent;
        break;
      case 'workflow':
        key = timeline!.classOfMinute(e.timestamp);
        break;
    }
    let row = rows.get(key);
    if (!row) rows.set(key, (row = newRow(key)));
    addEvent(row, e);
    addEvent(totals, e);
  });
  const sorted = [...rows.values()];
  if (options.by === 'day' || options.by === 'month') sorted.sort((a, b) => (a.key < b.key ? -1 : 1));
  else sorted.sort((a, b) => b.costMicros - a.costMicros || b.requests - a.requests || (a.key < b.key ? -1 : 1));
  return { rows: sorted, totals };
}

export interface AgentSessionTotal {
  agent: AgentId;
  sessionId: string;
  project: string;
  firstMs: number;
  lastMs: number;
  models: string[];
  tokens: UsageTokens;
  costMicros: number;
  requests: number;
  unpricedRequests: number;
}

/** The agent sessions (Claude sessions incl. their sub-agents, Codex rollouts) with the most spend. */
export function biggestSessions(
  events: EventSource,
  limit: number,
  fromMs = Number.NEGATIVE_INFINITY,
  toMs = Number.POSITIVE_INFINITY,
): AgentSessionTotal[] {
  const byId = new Map<string, AgentSessionTotal>();
  forEachEvent(events, (e) => {
    if (e.timestamp < fromMs || e.timestamp >= toMs) return;
    const id = `${e.agent}:${e.sessionId}`;
    let s = byId.get(id);
    if (!s) {
      s = {
        agent: e.agent,
        sessionId: e.sessionId,
        project: e.project,
        firstMs: e.timestamp,
        lastMs: e.timestamp,
        models: [],
        tokens: emptyTokens(),
        costMicros: 0,
        requests: 0,
        unpricedRequests: 0,
      };
      byId.set(id, s);
    }
    s.firstMs = Math.min(s.firstMs, e.timestamp);
    s.lastMs = Math.max(s.lastMs, e.timestamp);
    if (!s.models.includes(e.model)) s.models.push(e.model);
    addTokens(s.tokens, e.tokens);
    s.requests += e.requests;
    if (e.costMicros === null) s.unpricedRequests += e.requests;
    else s.costMicros += e.costMicros;
  });
  const tokenSum = (t: UsageTokens) => t.input + t.output + t.cache_read + t.cache_write;
  return [...byId.values()]
    .sort((a, b) => b.costMicros - a.costMicros || tokenSum(b.tokens) - tokenSum(a.tokens))
    .slice(0, limit);
}

/**
 * Priced spend (integer micros) per workflow class for events in [from, to), each minute classed by
 * the one attribution rule (domain/attribution.ts). Unpriced usage is not money.
 */
export function usedByWorkflow(
  snapshot: Pick<UsageSnapshot, 'eachEvent'>,
  sessions: readonly WorkflowSession[],
  from: Date,
  to: Date,
): Map<string, number> {
  const fromMs = from.getTime();
  const toMs = to.getTime();
  const timeline = TagTimeline.ofSessions(sessions);
  const used = new Map<string, number>();
  snapshot.eachEvent((event) => {
    if (event.timestamp < fromMs || event.timestamp >= toMs || event.costMicros === null) return;
    const workflow = timeline.classOfMinute(event.timestamp);
    used.set(workflow, (used.get(workflow) ?? 0) + event.costMicros);
  });
  return used;
}
