// A band-increase request tied to an outcome: the suggested amount, validation of every step, and the
// Bands API v1 body. Pure.
import { gaugeFor } from './gauge';
import { decimalToMicros, formatMoney } from './money';
import { nextPeriod } from './period';
import type { Band, IncreaseRequestCreate, Outcome, Request, RequestScope } from './schemas';

export const OUTCOME_CHOICES = [
  { kind: 'faster_review', label: 'Faster code review', example: 'PR review turnaround (h)' },
  { kind: 'shorter_lead_time', label: 'Shorter lead time', example: 'lead time for changes (d)' },
  { kind: 'lower_incident_load', label: 'Lower incident load', example: 'incidents per month' },
  { kind: 'maintenance_throughput', label: 'Maintenance throughput', example: 'maintenance PRs merged per week' },
] as const;

export const JUSTIFICATION_MIN = 20;
export const JUSTIFICATION_MAX = 2000;

/** Round up to a figure a person would ask for: $5 steps below $100, $10 below $1000, $50 above. */
export function roundUpAmount(micros: number): number {
  const step = micros <= 100_000_000 ? 5_000_000 : micros <= 1_000_000_000 ? 10_000_000 : 50_000_000;
  return Math.max(step, Math.ceil(micros / step) * step);
}

/**
 * The suggested delta: the forecast overage for the period (forecast − allocation), rounded up; when the
 * band is not forecast to go over, the overage already spent, else one step (the person knows why they ask).
 */
export function suggestedDeltaMicros(band: Band, now: Date): number {
  const g = gaugeFor(band, now);
  const overage = Math.max(g.forecastMicros - g.allocatedMicros, g.usedMicros - g.allocatedMicros, 0);
  return roundUpAmount(overage);
}

/** Parse "25", "$25", "25.50"; undefined with a reason when it is not a positive amount. */
export function parseAmount(text: string): { micros: number } | { error: string } {
  const cleaned = text.trim().replace(/^\$/, '').replace(/,/g, '');
  if (cleaned === '') return { error: 'Enter an amount, e.g. 50' };
  let micros: number;
  try {
    micros = decimalToMicros(cleaned);
  } catch {
    return { error: 'Enter a plain amount such as 50 or 12.50' };
  }
  if (micros <= 0) return { error: 'The amount must be more than 0' };
  if (micros > 1_000_000 * 1_000_000) return { error: 'That is more than 1,000,000 — check the amount' };
  return { micros };
}

/** A YYYY-MM-DD in the future, at most a year ahead. */
export function validateUntilDate(text: string, now: Date): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text.trim())) return 'Enter a date as YYYY-MM-DD';
  const t = Date.parse(`${text.trim()}T23:59:59Z`);
  if (!Number.isFinite(t) || new Date(t).toISOString().slice(0, 10) !== text.trim())
    return 'That is not a calendar date';
  if (t <= now.getTime()) return 'The date must be in the future';
  if (t > now.getTime() + 366 * 86_400_000) return 'At most a year ahead';
  return undefined;
}

export function validateJustification(text: string): string | undefined {
  const length = text.trim().length;
  if (length < JUSTIFICATION_MIN)
    return `Say what the increase buys: at least ${JUSTIFICATION_MIN} characters (${length} so far)`;
  if (length > JUSTIFICATION_MAX) return `At most ${JUSTIFICATION_MAX} characters (${length} now)`;
  return undefined;
}

export function validateNumber(text: string): string | undefined {
  if (text.trim() === '') return undefined;
  return Number.isFinite(Number(text.trim())) ? undefined : 'Enter a number, or leave it empty';
}

export interface IncreaseDraft {
  band: Band;
  mode: 'delta' | 'new_allocated';
  amountMicros: number;
  scope: RequestScope;
  /** YYYY-MM-DD with scope until_date */
  until?: string | undefined;
  outcome: Outcome;
  justification: string;
}

export function toIncreaseRequest(draft: IncreaseDraft): IncreaseRequestCreate {
  const money = { currency: draft.band.allocated.currency, amount_micros: draft.amountMicros };
  return {
    band_id: draft.band.id,
    requested: draft.mode === 'delta' ? { delta: money } : { new_allocated: money },
    scope: draft.scope,
    ...(draft.scope === 'until_date' && draft.until ? { until: draft.until } : {}),
    justification: draft.justification.trim(),
    outcome: draft.outcome,
  };
}

/** The increase in micros a request asks for on top of the band's current allocation. */
export function deltaOf(request: Pick<IncreaseRequestCreate, 'requested'>, band: Band): number {
  if (request.requested.delta) return request.requested.delta.amount_micros;
  const base = band.allocated.amount_micros - (band.temporary_increase?.amount.amount_micros ?? 0);
  return Math.max(0, (request.requested.new_allocated?.amount_micros ?? base) - base);
}

/** When an increase in this scope takes effect and ends (ISO), from the band's period. */
export function effectiveWindow(
  scope: RequestScope,
  band: Band,
  until: string | undefined,
  now: Date,
): { from: string; until: string } {
  if (scope === 'next_period') {
    const next = nextPeriod(band.period);
    return { from: next.start, until: next.end };
  }
  if (scope === 'until_date' && until)
    return { from: now.toISOString(), until: new Date(Date.parse(`${until}T23:59:59.999Z`)).toISOString() };
  return { from: now.toISOString(), until: band.period.end };
}

export function summaryLines(draft: IncreaseDraft): string[] {
  const money = { currency: draft.band.allocated.currency, amount_micros: draft.amountMicros };
  const amount = draft.mode === 'delta' ? `+${formatMoney(money)}` : `new allocation ${formatMoney(money)}`;
  const scope =
    draft.scope === 'current_period'
      ? 'this period'
      : draft.scope === 'next_period'
        ? 'next period'
        : `until ${draft.until}`;
  const outcome = OUTCOME_CHOICES.find((o) => o.kind === draft.outcome.kind)?.label ?? draft.outcome.kind;
  const metric = draft.outcome.metric
    ? ` — ${draft.outcome.metric}${draft.outcome.baseline !== undefined ? ` from ${draft.outcome.baseline}` : ''}${draft.outcome.target !== undefined ? ` to ${draft.outcome.target}` : ''}${draft.outcome.review_at ? `, reviewed ${draft.outcome.review_at}` : ''}`
    : '';
  return [
    `${draft.band.label ?? draft.band.workflow}: ${amount}, ${scope}`,
    `Outcome: ${outcome}${metric}`,
    `Why: ${draft.justification.trim()}`,
  ];
}

/** A pending request changed state in a way the developer should hear about. */
export function resolutionMessage(request: Request, bandName: (id: string) => string = (id) => id): string | undefined {
  const note = request.resolution?.note ? ` Note: “${request.resolution.note}”` : '';
  const by = request.resolution?.decided_by?.display_name ?? request.resolution?.decided_by?.id;
  const what = request.kind === 'run_approval' ? 'Run approval' : 'Increase request';
  const band = request.band_id ? ` for ${bandName(request.band_id)}` : '';
  if (request.status === 'approved') {
    const amount = request.resolution?.approved ? ` (${formatMoney(request.resolution.approved)})` : '';
    const until = request.resolution?.effective_until
      ? ` until ${request.resolution.effective_until.slice(0, 10)}`
      : '';
    return `${what}${band} approved${by ? ` by ${by}` : ''}${amount}${until}.${note}`;
  }
  if (request.status === 'denied') return `${what}${band} denied${by ? ` by ${by}` : ''}.${note}`;
  if (request.status === 'expired') return `${what}${band} expired without a decision.`;
  return undefined;
}
