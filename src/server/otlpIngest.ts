// What the agents' own OpenTelemetry export tells us, as usage: pure mapping from decoded OTLP
// requests (otlpDecode.ts) to usage events and metric points. Storing them is otlpStore.ts.
//
// Claude Code (https://code.claude.com/docs/en/monitoring-usage): the event `claude_code.api_request`
// (log record; `event.name` = `api_request`) carries `model`, `cost_usd`, `input_tokens`,
// `output_tokens`, `cache_read_tokens`, `cache_creation_tokens`, `event.timestamp`, `session.id` and
// `request_id` (the transcript's `requestId`), so one event is one request with its exact cost. The
// metrics `claude_code.cost.usage` (USD, by `model`) and `claude_code.token.usage` (tokens, by `type`
// input/output/cacheRead/cacheCreation and `model`) are sums over a window; they are used only for a
// session that sends no events (otlpStore.ts). Codex (`[otel]` in ~/.codex/config.toml) logs
// `codex.sse_event` records whose `event.kind` is `response.completed` with `input_token_count`,
// `output_token_count`, `cached_token_count`, `reasoning_token_count` and `model`, but no cost: those
// are priced from the bundled price table and marked estimated.
//
// The workflow class comes from the resource attribute `spendband.workflow` (set for agents we launch,
// flows/preflight/childEnvironment.ts); without it the event is stored unclassed and the one
// attribution rule (session tags by time) classes it when bands and usage are read.
import type { Pricing } from '../usage/prices/prices';
import type { UsageEventInput } from './adminStore';
import type { OtlpAnyValue, OtlpKeyValue, OtlpLogsRequest, OtlpMetricsRequest } from './otlpDecode';

export const WORKFLOW_ATTRIBUTE = 'spendband.workflow';
const CLASS_ID = /^[a-z][a-z0-9_]{0,63}$/;
const MAX_TEXT = 200;

export type Attributes = Map<string, string | number | boolean>;

function scalar(value: OtlpAnyValue | undefined): string | number | boolean | undefined {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.boolValue !== undefined) return value.boolValue;
  return undefined;
}

export function attributes(list: readonly OtlpKeyValue[] | undefined, into: Attributes = new Map()): Attributes {
  for (const kv of list ?? []) {
    const v = scalar(kv.value);
    if (kv.key !== undefined && v !== undefined) into.set(kv.key, v);
  }
  return into;
}

function text(attrs: Attributes, key: string): string | undefined {
  const v = attrs.get(key);
  if (v === undefined || v === '') return undefined;
  const s = String(v);
  return s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s;
}

/** A count of tokens: a whole number ≥ 0 (as int, double or string), else undefined. */
function count(attrs: Attributes, key: string): number | undefined {
  const v = attrs.get(key);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** Nanoseconds since the epoch (decimal string or number) → milliseconds, or undefined when unset/0. */
export function nanosToMs(value: string | number | undefined): number | undefined {
  if (value === undefined || value === '' || value === 0 || value === '0') return undefined;
  const text = String(value);
  if (!/^\d{1,20}$/.test(text)) return undefined;
  const ms = text.length > 6 ? Number(text.slice(0, -6)) : 0;
  return ms > 0 ? ms : undefined;
}

function workflowOf(resource: Attributes): string | null {
  const w = resource.get(WORKFLOW_ATTRIBUTE);
  return typeof w === 'string' && CLASS_ID.test(w) ? w : null;
}

function eventTimeMs(
  attrs: Attributes,
  record: { timeUnixNano?: string | number; observedTimeUnixNano?: string | number },
  nowMs: number,
): number {
  const stamp = attrs.get('event.timestamp');
  if (typeof stamp === 'string') {
    const ms = Date.parse(stamp);
    if (Number.isFinite(ms)) return ms;
  }
  return nanosToMs(record.timeUnixNano) ?? nanosToMs(record.observedTimeUnixNano) ?? nowMs;
}

export interface LogsIngest {
  events: UsageEventInput[];
  /** Claude Code sessions (session.id) that sent api_request events in this batch */
  sessionsWithEvents: Set<string>;
  rejected: number;
  rejectedWhy: string[];
}

/** The usage in an OTLP logs request, for the developer whose token sent it (never another). */
export function usageFromLogs(
  request: OtlpLogsRequest,
  developerId: string,
  pricing: Pricing,
  nowMs: number,
): LogsIngest {
  const out: LogsIngest = { events: [], sessionsWithEvents: new Set(), rejected: 0, rejectedWhy: [] };
  const reject = (why: string) => {
    out.rejected++;
    if (out.rejectedWhy.length < 3 && !out.rejectedWhy.includes(why)) out.rejectedWhy.push(why);
  };
  for (const rl of request.resourceLogs ?? []) {
    const resource = attributes(rl.resource?.attributes);
    const workflow = workflowOf(resource);
    for (const sl of rl.scopeLogs ?? []) {
      for (const record of sl.logRecords ?? []) {
        // Standard attributes may sit on the resource or on the record; the record's win.
        const attrs = attributes(record.attributes, new Map(resource));
        const body = scalar(record.body);
        const name = record.eventName || text(attrs, 'event.name') || (typeof body === 'string' ? body : '');
        if (name === 'api_request' || name === 'claude_code.api_request') {
          const event = claudeEvent(attrs, record, developerId, workflow, nowMs);
          if (typeof event === 'string') reject(event);
          else {
            out.events.push(event);
            const session = text(attrs, 'session.id');
            if (session !== undefined) out.sessionsWithEvents.add(session);
          }
        } else if (
          (name === 'codex.sse_event' || name === 'codex.websocket_event' || name === 'sse_event') &&
          text(attrs, 'event.kind') === 'response.completed'
        ) {
          const event = codexEvent(attrs, record, developerId, workflow, pricing, nowMs);
          if (typeof event === 'string') reject(event);
          else out.events.push(event);
        }
        // Any other record (prompts, tool decisions, errors) carries no spend: accepted and ignored.
      }
    }
  }
  return out;
}

function claudeEvent(
  attrs: Attributes,
  record: { timeUnixNano?: string | number; observedTimeUnixNano?: string | number },
  developerId: string,
  workflow: string | null,
  nowMs: number,
): UsageEventInput | string {
  const costText = attrs.get('cost_usd');
  const cost = costText === undefined ? NaN : Number(costText);
  if (!Number.isFinite(cost) || cost < 0 || cost > 100_000) return 'an api_request event without a valid cost_usd';
  const timeMs = eventTimeMs(attrs, record, nowMs);
  const input = count(attrs, 'input_tokens');
  const output = count(attrs, 'output_tokens');
  const cacheRead = count(attrs, 'cache_read_tokens');
  const cacheWrite = count(attrs, 'cache_creation_tokens');
  const requestId = text(attrs, 'request_id');
  const session = text(attrs, 'session.id');
  const sequence = text(attrs, 'event.sequence');
  return {
    developerId,
    timeMs,
    provider: 'anthropic',
    model: text(attrs, 'model') ?? null,
    workflow,
    currency: 'USD',
    costMicros: Math.round(cost * 1_000_000),
    tokens: { input, output, cache_read: cacheRead, cache_write: cacheWrite },
    estimated: false,
    // The request id is the transcript's requestId: a line metered from the transcript and imported
    // with that id is the same request (adminStore.ts dedupe_key), counted once.
    sourceId:
      requestId ?? (session !== undefined && sequence !== undefined ? `claude_code:${session}:${sequence}` : undefined),
  };
}

function codexEvent(
  attrs: Attributes,
  record: { timeUnixNano?: string | number; observedTimeUnixNano?: string | number },
  developerId: string,
  workflow: string | null,
  pricing: Pricing,
  nowMs: number,
): UsageEventInput | string {
  const model = text(attrs, 'model');
  const inputAll = count(attrs, 'input_token_count');
  const output = count(attrs, 'output_token_count') ?? 0;
  const cached = Math.min(count(attrs, 'cached_token_count') ?? 0, inputAll ?? 0);
  if (model === undefined || inputAll === undefined)
    return 'a codex response.completed event without model or input_token_count';
  // OpenAI counts cached input inside input_token_count (and reasoning inside output).
  const input = inputAll - cached;
  const costMicros = pricing.costMicros(model, input, output, cached, 0);
  if (costMicros === undefined) return `no price for the Codex model "${model}" in the price table`;
  const timeMs = eventTimeMs(attrs, record, nowMs);
  const conversation = text(attrs, 'conversation.id') ?? '';
  return {
    developerId,
    timeMs,
    provider: 'openai',
    model,
    workflow,
    currency: 'USD',
    costMicros,
    tokens: { input, output, cache_read: cached, cache_write: 0 },
    estimated: true,
    sourceId: `codex:${conversation}:${timeMs}:${inputAll}:${output}:${cached}`,
  };
}

export const COST_METRIC = 'claude_code.cost.usage';
export const TOKEN_METRIC = 'claude_code.token.usage';

export interface MetricPoint {
  metric: typeof COST_METRIC | typeof TOKEN_METRIC;
  session: string;
  model: string;
  /** token.usage: input | output | cacheRead | cacheCreation */
  tokenType: string;
  /** identifies the time series: metric name and every data point attribute */
  series: string;
  startNs: string;
  timeNs: string;
  timeMs: number;
  value: number;
  cumulative: boolean;
  workflow: string | null;
}

/** The Claude Code cost and token points in an OTLP metrics request; other metrics are ignored. */
export function pointsFromMetrics(request: OtlpMetricsRequest): { points: MetricPoint[]; rejected: number } {
  const points: MetricPoint[] = [];
  let rejected = 0;
  for (const rm of request.resourceMetrics ?? []) {
    const resource = attributes(rm.resource?.attributes);
    const workflow = workflowOf(resource);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        if (metric.name !== COST_METRIC && metric.name !== TOKEN_METRIC) continue;
        const temporality = metric.sum?.aggregationTemporality;
        // 2 = AGGREGATION_TEMPORALITY_CUMULATIVE; Claude Code's default is delta (1).
        const cumulative = temporality === 2 || temporality === 'AGGREGATION_TEMPORALITY_CUMULATIVE';
        for (const point of metric.sum?.dataPoints ?? []) {
          const attrs = attributes(point.attributes, new Map(resource));
          const value = Number(point.asDouble ?? point.asInt ?? NaN);
          const timeNs = String(point.timeUnixNano ?? '');
          const timeMs = nanosToMs(point.timeUnixNano);
          if (!Number.isFinite(value) || value < 0 || timeMs === undefined) {
            rejected++;
            continue;
          }
          const own = [...attributes(point.attributes)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
          points.push({
            metric: metric.name,
            session: text(attrs, 'session.id') ?? '',
            model: text(attrs, 'model') ?? '',
            tokenType: text(attrs, 'type') ?? '',
            series: JSON.stringify([metric.name, own, text(resource, 'session.id') ?? '']),
            startNs: String(point.startTimeUnixNano ?? '0'),
            timeNs,
            timeMs,
            value,
            cumulative,
            workflow,
          });
        }
      }
    }
  }
  return { points, rejected };
}
