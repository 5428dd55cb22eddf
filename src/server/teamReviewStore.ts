// Gathers one team's review (domain/teamReview.ts) from the store: the team's developers, their roles'
// seats and their bands prorated to the window, the usage of the window (and of the two weeks before
// its end, for the week-over-week change) grouped into runs, and the band-increase requests of the
// period with their recorded results. One query per table for the whole team, so a review of a
// thousand developers costs a handful of round trips on Postgres.
import { attribute, TagTimeline, type TagSpan } from '../domain/attribution';
import { scaleMicros } from '../domain/money';
import { isSupportedInterval, periodContaining, type PeriodInterval } from '../domain/period';
import {
  buildTeamReview,
  type ReviewPeriod,
  type ReviewRequestRow,
  type ReviewRun,
  type TeamReview,
} from '../domain/teamReview';
import { AdminInputError } from './adminStore';
import type { BandRow } from './bandsBuilder';
import type { SqlDb } from './storage/sqlDb';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const TIME_ZONE = 'UTC';

export interface ReviewOptions {
  team: string;
  period: ReviewPeriod;
  /** an instant inside the period to review; default: the last complete period before `now` */
  at?: Date | undefined;
  now: Date;
  currency?: string | undefined;
}

/** The window of a review: the week or month holding `at`, or the last complete one before `now`. */
export function reviewWindow(
  period: ReviewPeriod,
  at: Date | undefined,
  now: Date,
): { startMs: number; endMs: number } {
  const interval: PeriodInterval = period === 'week' ? 'P1W' : 'P1M';
  const current = periodContaining(interval, now, TIME_ZONE);
  const target = at ?? new Date(Date.parse(current.start) - 1);
  const p = periodContaining(interval, target, TIME_ZONE);
  return { startMs: Date.parse(p.start), endMs: Date.parse(p.end) };
}

/** `micros` per `interval` for the window: prorated by whole days of the interval's period holding the window start. */
function prorate(micros: number, interval: string, window: { startMs: number; endMs: number }): number {
  const i: PeriodInterval = isSupportedInterval(interval) ? interval : 'P1M';
  const p = periodContaining(i, new Date(window.startMs), TIME_ZONE);
  const periodDays = Math.round((Date.parse(p.end) - Date.parse(p.start)) / DAY_MS);
  const windowDays = Math.round((window.endMs - window.startMs) / DAY_MS);
  return periodDays === windowDays ? micros : scaleMicros(micros, windowDays, periodDays);
}

export async function gatherTeamReview(db: SqlDb, options: ReviewOptions): Promise<TeamReview> {
  const window = reviewWindow(options.period, options.at, options.now);
  const currency = options.currency ?? 'USD';
  const compareStart = Math.min(window.startMs, window.endMs - 2 * WEEK_MS);
  const developers = await db.all<{ id: string; display_name: string | null; role_id: string }>(
    'SELECT id, display_name, role_id FROM developers WHERE team_id = ? ORDER BY id',
    [options.team],
  );
  const inTeam = new Set(developers.map((d) => d.id));
  const roles = new Set(developers.map((d) => d.role_id));

  const seatMicrosByRole: Record<string, number> = {};
  const seats = await db.all<{ role_id: string; currency: string; cost_micros: number; cost_period: string }>(
    'SELECT role_id, currency, cost_micros, cost_period FROM seats',
  );
  for (const s of seats) {
    if (!roles.has(s.role_id) || s.currency !== currency) continue;
    seatMicrosByRole[s.role_id] = (seatMicrosByRole[s.role_id] ?? 0) + prorate(s.cost_micros, s.cost_period, window);
  }

  // Bands: a developer's own band for a class overrides the role's (as bandsBuilder.ts does).
  const bands = await db.all<BandRow>('SELECT * FROM bands ORDER BY rowid');
  const allocations: { developerId: string; workflow: string; allocatedMicros: number }[] = [];
  for (const d of developers) {
    const own = bands.filter((b) => b.developer_id === d.id);
    const seen = new Set(own.map((b) => b.workflow));
    for (const b of [...own, ...bands.filter((r) => r.role_id === d.role_id && !seen.has(r.workflow))]) {
      if (b.currency !== currency) continue;
      allocations.push({
        developerId: d.id,
        workflow: b.workflow,
        allocatedMicros: prorate(b.allocated_micros, b.interval, window),
      });
    }
  }

  const events = await db.all<{ developer_id: string; time_ms: number; workflow: string | null; cost_micros: number }>(
    `SELECT e.developer_id, e.time_ms, e.workflow, e.cost_micros FROM usage_events e JOIN developers d ON d.id = e.developer_id
     WHERE d.team_id = ? AND e.time_ms >= ? AND e.time_ms < ? AND e.currency = ? ORDER BY e.developer_id, e.time_ms`,
    [options.team, compareStart, window.endMs, currency],
  );
  const tags = await db.all<{
    developer_id: string;
    id: string;
    workflow: string;
    started_ms: number;
    ended_ms: number | null;
  }>(
    `SELECT t.developer_id, t.id, t.workflow, t.started_ms, t.ended_ms FROM session_tags t JOIN developers d ON d.id = t.developer_id
     WHERE d.team_id = ? AND t.started_ms < ? AND (t.ended_ms IS NULL OR t.ended_ms > ?)`,
    [options.team, window.endMs, compareStart - DAY_MS],
  );
  const spansByDev = new Map<string, TagSpan[]>();
  for (const t of tags) {
    let list = spansByDev.get(t.developer_id);
    if (!list) spansByDev.set(t.developer_id, (list = []));
    list.push({ workflow: t.workflow, startMs: t.started_ms, endMs: t.ended_ms, id: t.id });
  }
  // Runs: the events attributed to one tagged session make one run; any other event is a run of its own.
  const runs: ReviewRun[] = [];
  let timelineOf: { developerId: string; timeline: TagTimeline } | undefined;
  const sessions = new Map<string, ReviewRun>();
  for (const e of events) {
    if (!inTeam.has(e.developer_id)) continue;
    if (timelineOf?.developerId !== e.developer_id)
      timelineOf = { developerId: e.developer_id, timeline: new TagTimeline(spansByDev.get(e.developer_id) ?? []) };
    const { workflow, viaSpan } = attribute(e.workflow, e.time_ms, timelineOf.timeline);
    const span = viaSpan ? timelineOf.timeline.spanOfMinute(e.time_ms) : undefined;
    if (span?.id !== undefined && span.workflow === workflow) {
      const key = `${e.developer_id}\u0000${span.id}`;
      const run = sessions.get(key);
      if (run) run.costMicros += e.cost_micros;
      else {
        const created: ReviewRun = {
          developerId: e.developer_id,
          workflow,
          startMs: Math.max(e.time_ms, span.startMs),
          costMicros: e.cost_micros,
          kind: 'session',
        };
        sessions.set(key, created);
        runs.push(created);
      }
    } else
      runs.push({
        developerId: e.developer_id,
        workflow,
        startMs: e.time_ms,
        costMicros: e.cost_micros,
        kind: 'event',
      });
  }

  type Row = {
    id: string;
    developer_id: string;
    kind: string;
    status: string;
    band_id: string | null;
    body: string;
    created_ms: number;
    updated_ms: number;
    resolution: string | null;
    outcome_result: string | null;
    outcome_recorded_ms: number | null;
  };
  const requestRows = await db.all<Row>(
    `SELECT r.id, r.developer_id, r.kind, r.status, r.band_id, r.body, r.created_ms, r.updated_ms, r.resolution, r.outcome_result, r.outcome_recorded_ms
     FROM requests r JOIN developers d ON d.id = r.developer_id
     WHERE d.team_id = ? AND r.kind = 'band_increase' AND r.created_ms < ? AND (r.created_ms >= ? OR r.updated_ms >= ?) ORDER BY r.seq`,
    [options.team, window.endMs, window.startMs, window.startMs],
  );
  const requests: ReviewRequestRow[] = requestRows.map((r) => {
    const body = JSON.parse(r.body) as {
      requested?: { delta?: { amount_micros: number }; new_allocated?: { amount_micros: number } };
      justification?: string;
      outcome?: ReviewRequestRow['outcome'];
    };
    const resolution = r.resolution
      ? (JSON.parse(r.resolution) as { approved?: { amount_micros: number }; decided_at?: string })
      : null;
    return {
      id: r.id,
      developerId: r.developer_id,
      kind: r.kind,
      status: r.status,
      bandId: r.band_id,
      requestedMicros: body.requested?.delta?.amount_micros ?? body.requested?.new_allocated?.amount_micros ?? null,
      approvedMicros: resolution?.approved?.amount_micros ?? null,
      createdMs: r.created_ms,
      decidedMs: resolution?.decided_at ? Date.parse(resolution.decided_at) : null,
      justification: body.justification ?? null,
      outcome: body.outcome ?? null,
      result:
        r.outcome_result !== null && r.outcome_recorded_ms !== null
          ? { text: r.outcome_result, recordedMs: r.outcome_recorded_ms }
          : null,
    };
  });

  return buildTeamReview({
    team: options.team,
    period: options.period,
    startMs: window.startMs,
    endMs: window.endMs,
    currency,
    generatedMs: options.now.getTime(),
    developers: developers.map((d) => ({ id: d.id, name: d.display_name, role: d.role_id })),
    seatMicrosByRole,
    allocations,
    runs,
    requests,
  });
}

/** `admin request outcome ID --result …`: record what an approved increase achieved. */
export async function recordOutcome(db: SqlDb, requestId: string, result: string, nowMs: number): Promise<void> {
  if (result.trim() === '' || result.length > 2000)
    throw new AdminInputError(
      '--result must be 1 to 2000 characters saying what the increase achieved (e.g. "lead time 4 d → 2.5 d").',
    );
  await db.transaction(async () => {
    const row = await db.get<{ kind: string; status: string }>('SELECT kind, status FROM requests WHERE id = ?', [
      requestId,
    ]);
    if (!row)
      throw new AdminInputError(
        `no request ${requestId}. List them with: spend-band admin request list --status approved`,
      );
    if (row.kind !== 'band_increase' || row.status !== 'approved') {
      throw new AdminInputError(
        `request ${requestId} is a ${row.status} ${row.kind}; a result is recorded only for an approved band increase.`,
      );
    }
    await db.run(
      'UPDATE requests SET outcome_result = ?, outcome_recorded_ms = ?, revision = revision + 1 WHERE id = ?',
      [result.trim(), nowMs, requestId],
    );
  });
}
