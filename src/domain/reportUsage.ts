// What the report is built from, whatever the source: usage rows (an endpoint's `/v1/me/usage` buckets,
// or local metering attributed to tagged sessions) and runs (tagged workflow sessions and agent sessions
// from the local logs, with their cost). Pure: the caller fetches pages and reads logs.
import type { TokenCounts, UsagePage } from './schemas';
import { MINUTE_MS, RunClass, TagTimeline } from './attribution';
import type { WorkflowSession } from './session';
import { UNTAGGED } from './workflowClasses';

export interface ReportUsageRow {
  startMs: number;
  endMs: number;
  /** the workflow class ('untagged' when no session covers it) */
  workflow: string;
  /** the model as the source names it ('' when unknown) */
  model: string;
  /** the agent (claude_code, codex) or the provider an endpoint reports ('' when unknown) */
  agent: string;
  /** integer micros; null when the model has no price (never counted as $0) */
  costMicros: number | null;
  currency: string;
  requests: number;
  /** all tokens of the row (input, output, cache read and write); 0 when the source does not say */
  tokens: number;
}

export interface ReportRun {
  id: string;
  /** a tagged workflow session, or one agent session (a Claude Code / Codex conversation) */
  kind: 'session' | 'agent_run';
  workflow: string;
  label: string;
  startMs: number;
  endMs: number;
  /** the priced part of the run's spend (integer micros) */
  costMicros: number;
  requests: number;
  /** requests of models without a price, and their tokens: not in costMicros */
  unpricedRequests: number;
  unpricedTokens: number;
  agent?: string;
  project?: string;
}

/** The fields of a local metering rollup the report uses (src/usage/usageSnapshot.ts UsageEvent has them). */
export interface MeteredEvent {
  timestamp: number;
  agent: string;
  model: string;
  costMicros: number | null;
  sessionId: string;
  project: string;
  requests: number;
  tokens: MeteredTokens;
}

/** The token counts of a metered rollup (cache_write holds all cache writes). */
export interface MeteredTokens {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
}

export function tokenTotal(t: MeteredTokens | TokenCounts | undefined): number {
  return t ? (t.input ?? 0) + (t.output ?? 0) + (t.cache_read ?? 0) + (t.cache_write ?? 0) : 0;
}

/** The endpoint's buckets as usage rows; null dimensions become '' (or 'untagged' for the workflow). */
export function rowsFromUsagePages(pages: readonly UsagePage[]): ReportUsageRow[] {
  const rows: ReportUsageRow[] = [];
  for (const page of pages) {
    for (const bucket of page.data) {
      const startMs = Date.parse(bucket.start);
      const endMs = Date.parse(bucket.end);
      for (const r of bucket.results) {
        rows.push({
          startMs,
          endMs,
          workflow: r.workflow || UNTAGGED,
          model: r.model ?? '',
          agent: r.provider ?? '',
          costMicros: r.cost.amount_micros,
          currency: r.cost.currency,
          requests: r.requests ?? 0,
          tokens: tokenTotal(r.tokens),
        });
      }
    }
  }
  return rows;
}

/**
 * Follows `next_cursor` until the last page (or `maxPages`, a guard against a server that never ends).
 * `fetchPage` is the network call; the loop itself does no I/O.
 */
export async function collectUsagePages(
  fetchPage: (cursor: string | undefined) => Promise<UsagePage>,
  maxPages = 200,
): Promise<{ pages: UsagePage[]; complete: boolean }> {
  const pages: UsagePage[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const page = await fetchPage(cursor);
    pages.push(page);
    if (!page.next_cursor) return { pages, complete: true };
    cursor = page.next_cursor;
  }
  return { pages, complete: false };
}

function sessionSpan(s: WorkflowSession, nowMs: number): [number, number] {
  return [Date.parse(s.start), s.end === null ? nowMs : Date.parse(s.end)];
}

interface Attributed {
  event: MeteredEvent;
  session: WorkflowSession | undefined;
}

/** Each event in [fromMs, toMs) with the tagged session that owns its minute (domain/attribution.ts). */
function attribute(
  events: readonly MeteredEvent[],
  sessions: readonly WorkflowSession[],
  fromMs: number,
  toMs: number,
  nowMs: number,
): Attributed[] {
  const relevant = sessions.filter((s) => {
    const [start, end] = sessionSpan(s, nowMs);
    return Number.isFinite(start) && end > fromMs - MINUTE_MS && start < toMs + MINUTE_MS;
  });
  const byId = new Map(relevant.map((s) => [s.id, s]));
  const timeline = TagTimeline.ofSessions(relevant, nowMs);
  const out: Attributed[] = [];
  for (const event of events) {
    if (event.timestamp < fromMs || event.timestamp >= toMs) continue;
    const span = timeline.spanOfMinute(event.timestamp);
    out.push({ event, session: span?.id !== undefined ? byId.get(span.id) : undefined });
  }
  return out;
}

/** Local metering rollups in [fromMs, toMs) as usage rows, each attributed to the tagged session at its minute. */
export function rowsFromMetering(
  events: readonly MeteredEvent[],
  sessions: readonly WorkflowSession[],
  fromMs: number,
  toMs: number,
  nowMs: number,
  currency = 'USD',
): ReportUsageRow[] {
  return attribute(events, sessions, fromMs, toMs, nowMs).map(({ event, session }) => ({
    startMs: event.timestamp,
    endMs: event.timestamp + MINUTE_MS,
    workflow: session?.workflow ?? UNTAGGED,
    model: event.model,
    agent: event.agent,
    costMicros: event.costMicros,
    currency,
    requests: event.requests,
    tokens: tokenTotal(event.tokens),
  }));
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? '';
}

/** Agents of the local logs and providers an endpoint names, as people write them. */
export const AGENT_LABELS: Record<string, string> = {
  claude_code: 'Claude Code',
  codex: 'Codex',
  anthropic: 'Anthropic',
  openai: 'OpenAI',
  github_copilot: 'GitHub Copilot',
  openrouter: 'OpenRouter',
  litellm: 'LiteLLM',
  cursor: 'Cursor',
  local_logs: 'Local logs',
};

/** A metered event's requests, priced spend, and unpriced requests and tokens, added to a run. */
function addTo(run: ReportRun, event: MeteredEvent): void {
  run.requests += event.requests;
  if (event.costMicros === null) {
    run.unpricedRequests += event.requests;
    run.unpricedTokens += tokenTotal(event.tokens);
  } else run.costMicros += event.costMicros;
}

/**
 * Runs from local metering in [fromMs, toMs): each tagged session with the priced spend inside it, and
 * each agent session (one conversation) with its class by the run rule of domain/attribution.ts.
 */
export function runsFromMetering(
  events: readonly MeteredEvent[],
  sessions: readonly WorkflowSession[],
  fromMs: number,
  toMs: number,
  nowMs: number,
): ReportRun[] {
  const tagged = new Map<string, ReportRun>();
  const agentRuns = new Map<string, ReportRun & { byWorkflow: RunClass }>();
  const timeline = TagTimeline.ofSessions(sessions, nowMs);
  for (const { event, session } of attribute(events, sessions, fromMs, toMs, nowMs)) {
    const workflow = session?.workflow ?? UNTAGGED;
    if (session) {
      let run = tagged.get(session.id);
      if (!run) {
        const [start, end] = sessionSpan(session, nowMs);
        run = {
          id: session.id,
          kind: 'session',
          workflow,
          label: session.workspace ? baseName(session.workspace) : `session ${session.id.slice(0, 8)}`,
          startMs: start,
          endMs: end,
          costMicros: 0,
          requests: 0,
          unpricedRequests: 0,
          unpricedTokens: 0,
        };
        tagged.set(session.id, run);
      }
      addTo(run, event);
    }
    const key = `${event.agent}\u0000${event.sessionId}`;
    let run = agentRuns.get(key);
    if (!run) {
      const project = baseName(event.project);
      run = {
        id: event.sessionId,
        kind: 'agent_run',
        workflow,
        label: `${AGENT_LABELS[event.agent] ?? event.agent}${project ? ` · ${project}` : ''} · ${event.sessionId.slice(0, 8)}`,
        startMs: event.timestamp,
        endMs: event.timestamp + MINUTE_MS,
        costMicros: 0,
        requests: 0,
        unpricedRequests: 0,
        unpricedTokens: 0,
        agent: event.agent,
        ...(event.project ? { project: event.project } : {}),
        byWorkflow: new RunClass(timeline),
      };
      agentRuns.set(key, run);
    }
    addTo(run, event);
    run.startMs = Math.min(run.startMs, event.timestamp);
    run.endMs = Math.max(run.endMs, event.timestamp + MINUTE_MS);
    run.byWorkflow.add(event.timestamp, event.costMicros);
  }
  const runs: ReportRun[] = [...tagged.values()];
  // An agent run's class: the run rule (domain/attribution.ts).
  for (const { byWorkflow, ...run } of agentRuns.values()) runs.push({ ...run, workflow: byWorkflow.workflow });
  return runs;
}
