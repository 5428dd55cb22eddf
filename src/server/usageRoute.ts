// GET /v1/me/usage: the developer's usage events summed into buckets [start, end) of PT1H, P1D, P1W
// or P1M, grouped by workflow (attributed through session tags), provider, model and/or band.
// Buckets are aligned to the calendar in `timezone` (an extension: default UTC) and clipped to
// [from, to); every bucket in range is returned, empty ones with no results. Cursor paging is by
// bucket; the cursor is bound to the query it came from.
import { createHash } from 'node:crypto';
import { TZDate } from '@date-fns/tz';
import { startOfHour } from 'date-fns';
import { z } from 'zod';
import { isValidTimeZone, periodContaining } from '../domain/period';
import { ALL_WORKFLOWS, type UsageResult } from '../domain/schemas';
import { attribute, MINUTE_MS, TagTimeline } from '../domain/attribution';
import { apiBandId, effectiveBandRows, getDeveloper } from './bandsBuilder';
import { ProblemError } from './problem';
import { decodeCursor, encodeCursor, jsonReply, limitParam, type Call, type Reply } from './routeContext';

const GRANULARITIES = ['PT1H', 'P1D', 'P1W', 'P1M'] as const;
type Granularity = (typeof GRANULARITIES)[number];
const GROUPS = ['workflow', 'provider', 'model', 'band'] as const;
type Group = (typeof GROUPS)[number];
/** A query may span at most this many buckets (paged 1–500 at a time). */
const MAX_BUCKETS = 20_000;
const HOUR_MS = 3_600_000;
const MIN_LENGTH_MS: Record<Granularity, number> = {
  PT1H: HOUR_MS,
  P1D: 23 * HOUR_MS,
  P1W: 167 * HOUR_MS,
  P1M: 28 * 24 * HOUR_MS - HOUR_MS,
};

const dateTime = z.iso.datetime({ offset: true });

function badParam(parameter: string, detail: string): ProblemError {
  return new ProblemError(400, 'invalid_request', `Query parameter ${parameter}: ${detail}.`, [{ parameter, detail }]);
}

function instantParam(query: URLSearchParams, name: string): number {
  const text = query.get(name);
  if (text === null) throw badParam(name, 'required, an ISO 8601 date-time with offset such as 2026-11-01T00:00:00Z');
  if (!dateTime.safeParse(text).success)
    throw badParam(name, 'an ISO 8601 date-time with offset such as 2026-11-01T00:00:00Z');
  return Date.parse(text);
}

function bucketContaining(granularity: Granularity, ms: number, timeZone: string): { start: number; end: number } {
  if (granularity === 'PT1H') {
    const start = startOfHour(new TZDate(ms, timeZone)).getTime();
    return { start, end: start + HOUR_MS };
  }
  const period = periodContaining(granularity, new Date(ms), timeZone);
  return { start: Date.parse(period.start), end: Date.parse(period.end) };
}

interface UsageCursor {
  s: number;
  q: string;
}

function isUsageCursor(value: unknown): value is UsageCursor {
  return (
    typeof value === 'object' &&
    value !== null &&
    Number.isSafeInteger((value as UsageCursor).s) &&
    typeof (value as UsageCursor).q === 'string'
  );
}

interface EventRow {
  time_ms: number;
  provider: string;
  model: string | null;
  workflow: string | null;
  currency: string;
  cost_micros: number;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  total_tokens: number | null;
  estimated: number;
}

interface Accumulator {
  result: UsageResult & {
    tokens: { input: number; output: number; cache_read: number; cache_write: number; total: number };
  };
}

export async function getUsage(call: Call): Promise<Reply> {
  const { ctx, principal, query } = call;
  const from = instantParam(query, 'from');
  const to = instantParam(query, 'to');
  if (to <= from) throw badParam('to', 'must be after from (to is exclusive)');
  const granularityText = query.get('granularity') ?? 'P1D';
  if (!(GRANULARITIES as readonly string[]).includes(granularityText))
    throw badParam('granularity', `one of ${GRANULARITIES.join(', ')}`);
  const granularity = granularityText as Granularity;
  const timeZone = query.get('timezone') ?? 'UTC';
  if (timeZone.length > 64 || !isValidTimeZone(timeZone))
    throw badParam('timezone', 'an IANA time zone such as Europe/Berlin');
  const groupText = query.get('group_by') ?? '';
  const groups = groupText === '' ? [] : groupText.split(',').map((g) => g.trim());
  for (const g of groups)
    if (!(GROUPS as readonly string[]).includes(g))
      throw badParam('group_by', `a comma-separated list of ${GROUPS.join(', ')}`);
  if ((to - from) / MIN_LENGTH_MS[granularity] > MAX_BUCKETS)
    throw badParam(
      'from',
      `the range spans more than ${MAX_BUCKETS} ${granularity} buckets; use a coarser granularity or a shorter range`,
    );
  const limit = limitParam(query);
  const queryHash = createHash('sha256')
    .update(JSON.stringify([from, to, granularity, timeZone, [...groups].sort()]))
    .digest('base64url')
    .slice(0, 16);
  const cursorText = query.get('cursor');
  let start = bucketContaining(granularity, from, timeZone).start;
  if (cursorText) {
    const cursor = decodeCursor(cursorText, isUsageCursor);
    if (cursor.q !== queryHash || cursor.s < start || cursor.s >= to)
      throw badParam('cursor', 'belongs to another query; start again without a cursor');
    start = cursor.s;
  }

  const buckets: Array<{ start: number; end: number; clippedStart: number; clippedEnd: number }> = [];
  let cursorStart = start;
  while (buckets.length < limit && cursorStart < to) {
    const { end } = bucketContaining(granularity, cursorStart, timeZone);
    buckets.push({ start: cursorStart, end, clippedStart: Math.max(cursorStart, from), clippedEnd: Math.min(end, to) });
    cursorStart = end;
  }
  const pageStart = buckets[0]!.clippedStart;
  const pageEnd = buckets[buckets.length - 1]!.clippedEnd;

  const developer = await getDeveloper(ctx.db, principal.developerId);
  const bandWorkflows = new Set(developer ? (await effectiveBandRows(ctx.db, developer)).map((b) => b.workflow) : []);
  const events = await ctx.db.all<EventRow>(
    'SELECT * FROM usage_events WHERE developer_id = ? AND time_ms >= ? AND time_ms < ? ORDER BY time_ms, seq',
    [principal.developerId, pageStart, pageEnd],
  );
  const spans = new TagTimeline(
    (
      await ctx.db.all<{ workflow: string; started_ms: number; ended_ms: number | null }>(
        'SELECT workflow, started_ms, ended_ms FROM session_tags WHERE developer_id = ? AND started_ms < ? AND (ended_ms IS NULL OR ended_ms > ?)',
        [principal.developerId, pageEnd + MINUTE_MS, pageStart - MINUTE_MS],
      )
    ).map((t) => ({ workflow: t.workflow, startMs: t.started_ms, endMs: t.ended_ms })),
  );

  let eventIndex = 0;
  const data = buckets.map((bucket) => {
    const groupsInBucket = new Map<string, Accumulator>();
    while (eventIndex < events.length && events[eventIndex]!.time_ms < bucket.clippedEnd) {
      const e = events[eventIndex++]!;
      const { workflow, viaSpan } = attribute(e.workflow, e.time_ms, spans);
      const band = bandWorkflows.has(workflow)
        ? apiBandId(workflow)
        : bandWorkflows.has(ALL_WORKFLOWS)
          ? apiBandId(ALL_WORKFLOWS)
          : null;
      const dims: Record<Group, string | null> = { workflow, provider: e.provider, model: e.model, band };
      const keyParts = [e.currency, ...groups.map((g) => dims[g as Group])];
      const key = JSON.stringify(keyParts);
      let acc = groupsInBucket.get(key);
      if (!acc) {
        acc = {
          result: {
            ...(groups.includes('workflow') ? { workflow } : {}),
            ...(groups.includes('provider') ? { provider: e.provider } : {}),
            ...(groups.includes('model') ? { model: e.model } : {}),
            ...(groups.includes('band') ? { band_id: band } : {}),
            cost: { currency: e.currency, amount_micros: 0 },
            tokens: { input: 0, output: 0, cache_read: 0, cache_write: 0, total: 0 },
            requests: 0,
            estimated: false,
          },
        };
        groupsInBucket.set(key, acc);
      }
      const r = acc.result;
      r.cost.amount_micros += e.cost_micros;
      r.tokens.input += e.input_tokens ?? 0;
      r.tokens.output += e.output_tokens ?? 0;
      r.tokens.cache_read += e.cache_read_tokens ?? 0;
      r.tokens.cache_write += e.cache_write_tokens ?? 0;
      r.tokens.total +=
        e.total_tokens ??
        (e.input_tokens ?? 0) + (e.output_tokens ?? 0) + (e.cache_read_tokens ?? 0) + (e.cache_write_tokens ?? 0);
      r.requests! += 1;
      r.estimated ||= e.estimated === 1 || viaSpan;
    }
    return {
      start: new Date(bucket.clippedStart).toISOString(),
      end: new Date(bucket.clippedEnd).toISOString(),
      results: [...groupsInBucket.values()].map((a) => a.result),
    };
  });
  return jsonReply(200, {
    data,
    next_cursor: cursorStart < to ? encodeCursor({ s: cursorStart, q: queryHash } satisfies UsageCursor) : null,
    as_of: call.now.toISOString(),
  });
}
