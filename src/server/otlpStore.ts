// Storing what otlpIngest.ts read from an OTLP export, in one transaction per request.
//
// Events: a Claude Code api_request event is a usage event keyed by its request id (the same key an
// import of the transcript line with that id gets, adminStore.ts), so the request counts once
// whichever arrives first; when the event comes second, its exact cost replaces the metered figure.
// A re-sent batch finds its keys present and changes nothing.
//
// Metrics: `claude_code.cost.usage` / `token.usage` points count only for a session that has sent no
// api_request event (else the same spend would count twice). Each point is remembered (otlp_points),
// so a re-sent batch counts once; a cumulative series counts the difference from its previous point
// (a drop means the process restarted: the new value counts whole). The counted deltas are summed into
// one usage row per session, model and minute (dedupe key `otlpm:<developer>:<session>:…`); when the
// session's first event arrives those rows are deleted, as the events now carry that session.
import { createHash } from 'node:crypto';
import { insertUsageEvents, USAGE_EVENT_COLUMNS, usageEventRow } from './adminStore';
import { COST_METRIC, type LogsIngest, type MetricPoint } from './otlpIngest';
import type { SqlDb } from './storage/sqlDb';

const METRIC_ROW_PREFIX = 'otlpm:';

function metricRowPrefix(developerId: string, session: string): string {
  return `${METRIC_ROW_PREFIX}${developerId}:${session}:`;
}

export interface LogsStored {
  /** rows inserted, or updated to the official cost */
  changed: number;
  /** already there as sent (a re-sent batch) */
  duplicates: number;
}

export async function storeLogUsage(
  db: SqlDb,
  developerId: string,
  ingest: LogsIngest,
  nowMs: number,
): Promise<LogsStored> {
  const stored: LogsStored = { changed: 0, duplicates: 0 };
  const withId = ingest.events.filter((e) => e.sourceId !== undefined);
  const withoutId = ingest.events.filter((e) => e.sourceId === undefined);
  // OTLP events carry no total: total_tokens stays NULL, as before usageEventRow() bound it
  const upsert = `INSERT INTO usage_events (${USAGE_EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (dedupe_key) DO UPDATE SET cost_micros = excluded.cost_micros, currency = excluded.currency, estimated = 0,
       model = coalesce(excluded.model, usage_events.model), workflow = coalesce(usage_events.workflow, excluded.workflow),
       input_tokens = coalesce(excluded.input_tokens, usage_events.input_tokens), output_tokens = coalesce(excluded.output_tokens, usage_events.output_tokens),
       cache_read_tokens = coalesce(excluded.cache_read_tokens, usage_events.cache_read_tokens),
       cache_write_tokens = coalesce(excluded.cache_write_tokens, usage_events.cache_write_tokens)
     WHERE excluded.estimated = 0 AND (usage_events.estimated = 1 OR usage_events.cost_micros <> excluded.cost_micros)`;
  await db.transaction(async () => {
    // A retried transaction starts counting again.
    Object.assign(stored, { changed: 0, duplicates: 0 });
    for (const e of withId) {
      const key = `id:${developerId}:${e.sourceId}`;
      const { changes } = await db.run(upsert, usageEventRow({ ...e, developerId }, key));
      // One statement a record: the upsert's WHERE makes a re-sent record change nothing (0 changes).
      if (changes > 0) stored.changed++;
      else stored.duplicates++;
    }
    if (withoutId.length > 0) {
      const r = await insertUsageEvents(db, withoutId);
      stored.changed += r.inserted;
      stored.duplicates += r.duplicates;
    }
    for (const session of ingest.sessionsWithEvents) {
      await db.run(
        'INSERT INTO otlp_sessions (developer_id, session_id, first_ms) VALUES (?, ?, ?) ON CONFLICT (developer_id, session_id) DO NOTHING',
        [developerId, session, nowMs],
      );
      const prefix = metricRowPrefix(developerId, session);
      await db.run('DELETE FROM usage_events WHERE developer_id = ? AND dedupe_key >= ? AND dedupe_key < ?', [
        developerId,
        prefix,
        `${prefix}\uffff`,
      ]);
    }
  });
  return stored;
}

export interface MetricsStored {
  counted: number;
  duplicates: number;
  /** points of sessions whose api_request events are counted instead */
  coveredByEvents: number;
}

/** Nanosecond stamps as fixed-width text, so that text order is time order. */
function padNs(ns: string): string {
  return /^\d{1,20}$/.test(ns) ? ns.padStart(20, '0') : '0'.repeat(20);
}

function seriesKey(series: string): string {
  return createHash('sha256').update(series).digest('base64url').slice(0, 27);
}

export async function storeMetricPoints(
  db: SqlDb,
  developerId: string,
  points: readonly MetricPoint[],
): Promise<MetricsStored> {
  const stored: MetricsStored = { counted: 0, duplicates: 0, coveredByEvents: 0 };
  const insertPoint =
    'INSERT INTO otlp_points (developer_id, series, start_ns, time_ns, value, cumulative) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (developer_id, series, start_ns, time_ns) DO NOTHING';
  const addToRow = `INSERT INTO usage_events (developer_id, time_ms, provider, model, workflow, currency, cost_micros, input_tokens, output_tokens,
       cache_read_tokens, cache_write_tokens, total_tokens, estimated, dedupe_key) VALUES (?, ?, 'anthropic', ?, ?, 'USD', ?, ?, ?, ?, ?, NULL, 0, ?)
     ON CONFLICT (dedupe_key) DO UPDATE SET cost_micros = usage_events.cost_micros + excluded.cost_micros,
       input_tokens = coalesce(usage_events.input_tokens, 0) + coalesce(excluded.input_tokens, 0),
       output_tokens = coalesce(usage_events.output_tokens, 0) + coalesce(excluded.output_tokens, 0),
       cache_read_tokens = coalesce(usage_events.cache_read_tokens, 0) + coalesce(excluded.cache_read_tokens, 0),
       cache_write_tokens = coalesce(usage_events.cache_write_tokens, 0) + coalesce(excluded.cache_write_tokens, 0)`;
  await db.transaction(async () => {
    Object.assign(stored, { counted: 0, duplicates: 0, coveredByEvents: 0 });
    for (const p of points) {
      if (
        p.session !== '' &&
        (await db.get('SELECT 1 AS one FROM otlp_sessions WHERE developer_id = ? AND session_id = ?', [
          developerId,
          p.session,
        ])) !== undefined
      ) {
        stored.coveredByEvents++;
        continue;
      }
      const series = seriesKey(p.series);
      const start = padNs(p.startNs);
      const time = padNs(p.timeNs);
      let delta: number;
      if (p.cumulative) {
        const last = await db.get<{ time_ns: string; value: number }>(
          'SELECT time_ns, value FROM otlp_points WHERE developer_id = ? AND series = ? AND start_ns = ? ORDER BY time_ns DESC LIMIT 1',
          [developerId, series, start],
        );
        if (last && last.time_ns >= time) {
          stored.duplicates++;
          continue;
        }
        delta = last && p.value >= last.value ? p.value - last.value : p.value;
        await db.run(insertPoint, [developerId, series, start, time, p.value, 1]);
        // A cumulative series needs only its latest point.
        await db.run('DELETE FROM otlp_points WHERE developer_id = ? AND series = ? AND start_ns = ? AND time_ns < ?', [
          developerId,
          series,
          start,
          time,
        ]);
      } else {
        if ((await db.run(insertPoint, [developerId, series, start, time, p.value, 0])).changes === 0) {
          stored.duplicates++;
          continue;
        }
        delta = p.value;
      }
      if (delta === 0) continue;
      const minute = Math.floor(p.timeMs / 60_000) * 60_000;
      const key = `${metricRowPrefix(developerId, p.session)}${p.model}:${minute}`;
      const tokens = Math.round(delta);
      const isCost = p.metric === COST_METRIC;
      await db.run(addToRow, [
        developerId,
        minute,
        p.model || null,
        p.workflow,
        isCost ? Math.round(delta * 1_000_000) : 0,
        !isCost && p.tokenType === 'input' ? tokens : null,
        !isCost && p.tokenType === 'output' ? tokens : null,
        !isCost && p.tokenType === 'cacheRead' ? tokens : null,
        !isCost && p.tokenType === 'cacheCreation' ? tokens : null,
        key,
      ]);
      stored.counted++;
    }
  });
  return stored;
}

/** How long a delta point is remembered: exporters retry a failed batch within minutes, not days. */
export const DELTA_POINT_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * Forget delta points older than the retention (they only serve to drop a re-sent batch); a cumulative
 * series keeps its latest point, which its next point is counted against. Returns how many went.
 */
export async function purgeOtlpPoints(db: SqlDb, nowMs: number): Promise<number> {
  const cutoffNs = padNs(`${Math.max(0, nowMs - DELTA_POINT_RETENTION_MS)}000000`);
  return (await db.run('DELETE FROM otlp_points WHERE cumulative = 0 AND time_ns < ?', [cutoffNs])).changes;
}
