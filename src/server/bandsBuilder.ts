// The BandsDocument of one developer at an instant, computed from the database: seats of the role,
// the bands (a developer's own band for a class overrides the role's), usage events attributed to
// classes through session tags, live reservations and temporary increases, and the escalation policy.
import { statusFromThresholds } from '../domain/gauge';
import { isSupportedInterval, periodContaining, type PeriodInterval } from '../domain/period';
import {
  ALL_WORKFLOWS,
  type Band,
  type BandsDocument,
  type EscalationPolicy,
  type EscalationRule,
  type Money,
  type SeatItem,
  type Threshold,
} from '../domain/schemas';
import { humanize, workflowClassFor } from '../domain/workflowClasses';
import { attribute, MINUTE_MS, TagTimeline } from '../domain/attribution';
import type { SqlDb } from './storage/sqlDb';

export interface DeveloperRow {
  id: string;
  display_name: string | null;
  email: string | null;
  role_id: string;
}

export interface BandRow {
  id: string;
  developer_id: string | null;
  role_id: string | null;
  workflow: string;
  label: string | null;
  interval: string;
  timezone: string;
  currency: string;
  allocated_micros: number;
  enforcement: string;
  thresholds: string;
}

interface EventRow {
  time_ms: number;
  cost_micros: number;
  currency: string;
  provider: string;
  workflow: string | null;
  estimated: number;
}

/** A developer sees one band per workflow class; its id is stable across periods. */
export function apiBandId(workflow: string): string {
  return `b_${workflow}`;
}

export function getDeveloper(db: SqlDb, developerId: string): Promise<DeveloperRow | undefined> {
  return db.get<DeveloperRow>('SELECT id, display_name, email, role_id FROM developers WHERE id = ?', [developerId]);
}

/** The developer's bands: their own, plus the role's for classes they have no own band for. */
export async function effectiveBandRows(
  db: SqlDb,
  developer: Pick<DeveloperRow, 'id' | 'role_id'>,
): Promise<BandRow[]> {
  const own = await db.all<BandRow>('SELECT * FROM bands WHERE developer_id = ? ORDER BY rowid', [developer.id]);
  const role = await db.all<BandRow>('SELECT * FROM bands WHERE role_id = ? ORDER BY rowid', [developer.role_id]);
  const seen = new Set(own.map((b) => b.workflow));
  return [...own, ...role.filter((b) => !seen.has(b.workflow))];
}

export function bandPeriod(row: Pick<BandRow, 'interval' | 'timezone'>, now: Date) {
  const interval: PeriodInterval = isSupportedInterval(row.interval) ? row.interval : 'P1M';
  return periodContaining(interval, now, row.timezone);
}

export async function escalationPolicyFor(db: SqlDb, developer: DeveloperRow): Promise<EscalationPolicy> {
  type PolicyRow = {
    currency: string;
    per_run_cap_micros: number | null;
    max_duration: string | null;
    max_iterations: number | null;
  };
  const rolePolicy = await db.get<PolicyRow>('SELECT * FROM policies WHERE scope = ?', [`role:${developer.role_id}`]);
  const devPolicy = await db.get<PolicyRow>('SELECT * FROM policies WHERE scope = ?', [`developer:${developer.id}`]);
  const pick = <K extends keyof PolicyRow>(key: K): PolicyRow[K] | null =>
    devPolicy?.[key] ?? rolePolicy?.[key] ?? null;
  const capCurrency = devPolicy?.per_run_cap_micros != null ? devPolicy.currency : (rolePolicy?.currency ?? 'USD');
  type RuleRow = {
    id: string;
    applies_to: string;
    when_json: string;
    action: EscalationRule['action'];
    approver_role: string | null;
    message: string | null;
  };
  const ruleRows = [
    ...(await db.all<RuleRow>('SELECT * FROM rules WHERE developer_id = ? ORDER BY seq', [developer.id])),
    ...(await db.all<RuleRow>('SELECT * FROM rules WHERE role_id = ? ORDER BY seq', [developer.role_id])),
  ];
  const perRunCap = pick('per_run_cap_micros');
  const maxDuration = pick('max_duration');
  const maxIterations = pick('max_iterations');
  return {
    ...(perRunCap !== null ? { per_run_cap: { currency: capCurrency, amount_micros: perRunCap } } : {}),
    ...(maxDuration !== null ? { max_duration: maxDuration } : {}),
    ...(maxIterations !== null ? { max_iterations: maxIterations } : {}),
    rules: ruleRows.map((r) => {
      const appliesTo = JSON.parse(r.applies_to) as string[];
      const when = JSON.parse(r.when_json) as NonNullable<EscalationRule['when']>;
      return {
        id: r.id,
        ...(appliesTo.length > 0 ? { applies_to: appliesTo } : {}),
        ...(Object.keys(when).length > 0 ? { when } : {}),
        action: r.action,
        ...(r.approver_role ? { approver_role: r.approver_role } : {}),
        ...(r.message ? { message: r.message } : {}),
      };
    }),
  };
}

export interface BuiltDocument {
  document: BandsDocument;
  /** the document may change by itself at this instant (a period ends, a reservation or increase expires) */
  validUntilMs: number;
}

/** Build the developer's document at `now`, or undefined if the developer does not exist (any more). */
export async function buildBandsDocument(
  db: SqlDb,
  developerId: string,
  now: Date,
): Promise<BuiltDocument | undefined> {
  const developer = await getDeveloper(db, developerId);
  if (!developer) return undefined;
  const nowMs = now.getTime();
  const asOf = now.toISOString();
  let validUntilMs = Infinity;

  const role = await db.get<{ id: string; label: string | null }>('SELECT id, label FROM roles WHERE id = ?', [
    developer.role_id,
  ]);
  type SeatRow = {
    id: string;
    vendor: string;
    product: string;
    plan: string | null;
    currency: string;
    cost_micros: number;
    cost_period: string;
    included_quotas: string | null;
  };
  const seatRows = await db.all<SeatRow>('SELECT * FROM seats WHERE role_id = ? ORDER BY rowid', [developer.role_id]);
  const seats: SeatItem[] = seatRows.map((s) => ({
    id: s.id,
    vendor: s.vendor,
    product: s.product,
    ...(s.plan ? { plan: s.plan } : {}),
    cost: { currency: s.currency, amount_micros: s.cost_micros },
    cost_period: s.cost_period,
    ...(s.included_quotas ? { included_quotas: JSON.parse(s.included_quotas) as SeatItem['included_quotas'] } : {}),
    source: 'org_config',
  }));

  const bandRows = await effectiveBandRows(db, developer);
  const periods = bandRows.map((row) => bandPeriod(row, now));
  const bands: Band[] = [];
  if (bandRows.length > 0) {
    const rangeStart = Math.min(...periods.map((p) => Date.parse(p.start)));
    const rangeEnd = Math.max(...periods.map((p) => Date.parse(p.end)));
    // Summed by the database per minute (and class, provider, currency, estimated), not read row by row:
    // the attribution rule classes usage by the minute (domain/attribution.ts) and periods start on a
    // minute, so the sums are the same. Each pre-flight (the Claude Code hook before every sub-agent)
    // rebuilds this document; with ~22,000 events in the period reading every row took it to p50 176 ms.
    const events = (
      await db.all<Omit<EventRow, 'time_ms'> & { first_ms: number }>(
        `SELECT MIN(time_ms) AS first_ms, SUM(cost_micros) AS cost_micros, currency, provider, workflow, estimated
         FROM usage_events WHERE developer_id = ? AND time_ms >= ? AND time_ms < ?
         GROUP BY time_ms / ${MINUTE_MS}, currency, provider, workflow, estimated`,
        [developer.id, rangeStart, rangeEnd],
      )
    ).map(({ first_ms, ...rest }): EventRow => ({ ...rest, time_ms: first_ms }));
    const spans = new TagTimeline(
      (
        await db.all<{ workflow: string; started_ms: number; ended_ms: number | null }>(
          'SELECT workflow, started_ms, ended_ms FROM session_tags WHERE developer_id = ? AND started_ms < ? AND (ended_ms IS NULL OR ended_ms > ?)',
          [developer.id, rangeEnd + MINUTE_MS, rangeStart - MINUTE_MS],
        )
      ).map((t) => ({ workflow: t.workflow, startMs: t.started_ms, endMs: t.ended_ms })),
    );
    const attributed = events.map((e) => ({ ...e, ...attribute(e.workflow, e.time_ms, spans) }));

    type HoldRow = { band_id: string; currency: string; total: number; next_expiry: number };
    const holds = await db.all<HoldRow>(
      'SELECT band_id, currency, SUM(amount_micros) AS total, MIN(expires_ms) AS next_expiry FROM reservations WHERE developer_id = ? AND expires_ms > ? GROUP BY band_id, currency',
      [developer.id, nowMs],
    );
    type IncreaseRow = {
      band_id: string;
      currency: string;
      amount_micros: number;
      from_ms: number;
      until_ms: number;
      request_id: string | null;
    };
    const increases = await db.all<IncreaseRow>(
      'SELECT band_id, currency, amount_micros, from_ms, until_ms, request_id FROM increases WHERE developer_id = ? AND until_ms > ? ORDER BY seq',
      [developer.id, nowMs],
    );

    bandRows.forEach((row, i) => {
      const period = periods[i]!;
      const startMs = Date.parse(period.start);
      const endMs = Date.parse(period.end);
      validUntilMs = Math.min(validUntilMs, endMs);
      const bandId = apiBandId(row.workflow);
      let used = 0;
      const byProvider = new Map<string, { micros: number; estimated: boolean }>();
      for (const e of attributed) {
        if (e.time_ms < startMs || e.time_ms >= endMs || e.currency !== row.currency) continue;
        if (row.workflow !== ALL_WORKFLOWS && e.workflow !== row.workflow) continue;
        used += e.cost_micros;
        const source = byProvider.get(e.provider) ?? { micros: 0, estimated: false };
        source.micros += e.cost_micros;
        source.estimated ||= e.estimated === 1 || e.viaSpan;
        byProvider.set(e.provider, source);
      }
      let reserved = 0;
      for (const hold of holds) {
        if (hold.band_id !== bandId || hold.currency !== row.currency) continue;
        reserved += hold.total;
        validUntilMs = Math.min(validUntilMs, hold.next_expiry);
      }
      let increaseMicros = 0;
      let increaseUntil = 0;
      let increaseRequest: string | null = null;
      for (const inc of increases) {
        if (inc.band_id !== bandId || inc.currency !== row.currency) continue;
        if (inc.from_ms > nowMs) {
          validUntilMs = Math.min(validUntilMs, inc.from_ms);
          continue;
        }
        validUntilMs = Math.min(validUntilMs, inc.until_ms);
        increaseMicros += inc.amount_micros;
        increaseUntil = Math.max(increaseUntil, inc.until_ms);
        increaseRequest = inc.request_id ?? increaseRequest;
      }
      const allocated = row.allocated_micros + increaseMicros;
      const thresholds = JSON.parse(row.thresholds) as Threshold[];
      const money = (micros: number): Money => ({ currency: row.currency, amount_micros: micros });
      bands.push({
        id: bandId,
        workflow: row.workflow,
        label: row.label ?? workflowClassFor(row.workflow).label,
        period,
        allocated: money(allocated),
        used: money(used),
        reserved: money(reserved),
        remaining: money(allocated - used - reserved),
        enforcement: row.enforcement as Band['enforcement'],
        thresholds,
        status: statusFromThresholds(used, allocated, thresholds),
        as_of: asOf,
        sources: [...byProvider].map(([provider, s]) => ({
          provider,
          used: money(s.micros),
          as_of: asOf,
          estimated: s.estimated,
        })),
        temporary_increase:
          increaseMicros > 0
            ? {
                amount: money(increaseMicros),
                until: new Date(increaseUntil).toISOString(),
                ...(increaseRequest ? { request_id: increaseRequest } : {}),
              }
            : null,
      });
    });
  }

  return {
    document: {
      developer: {
        id: developer.id,
        ...(developer.display_name ? { display_name: developer.display_name } : {}),
        ...(developer.email ? { email: developer.email } : {}),
      },
      role: { id: developer.role_id, label: role?.label ?? humanize(developer.role_id) },
      seats,
      bands,
      escalation: await escalationPolicyFor(db, developer),
      capabilities: {
        session_tags: true,
        preflight: true,
        increase_requests: true,
        usage_history: true,
        preflight_dry_run: true,
        reservation_release: true,
      },
      generated_at: asOf,
    },
    validUntilMs,
  };
}
