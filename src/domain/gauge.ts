// The gauge of one band at an instant: how much is used, whether the developer is on pace, where the
// period will end at this rate, and the status from the band's thresholds.
import { percentOf, reachesPercent, scaleMicros } from './money';
import { periodProgress } from './period';
import type { Band, BandStatus, SeatItem, Threshold } from './schemas';

export const DEFAULT_THRESHOLDS: readonly Threshold[] = [
  { percent: 80, severity: 'warn' },
  { percent: 100, severity: 'critical' },
];

/** Below this share of the period elapsed, a forecast is noise: it is not shown as crossing. */
const MIN_FRACTION_FOR_FORECAST = 0.05;

export interface Gauge {
  bandId: string;
  currency: string;
  allocatedMicros: number;
  usedMicros: number;
  reservedMicros: number;
  remainingMicros: number;
  /** used / allocated × 100 (display only) */
  percentUsed: number;
  /** what linear use would have spent by now */
  paceMicros: number;
  /** used − pace: positive = ahead of pace (spending faster than linear) */
  aheadOfPaceMicros: number;
  /** spend at period end if the current rate continues */
  forecastMicros: number;
  forecastPercent: number;
  /** the forecast crosses 100 % before the period ends (and enough of the period has passed to say so) */
  forecastCrosses: boolean;
  /** when the forecast reaches 100 %, if it does before the end */
  forecastCrossAt: Date | undefined;
  status: BandStatus;
  fractionElapsed: number;
  daysLeft: number;
  msLeft: number;
  resetsAt: Date;
  /** false for a lifetime budget (an adapter's limit with no reset cadence) */
  resets: boolean;
}

export function statusFromThresholds(
  usedMicros: number,
  allocatedMicros: number,
  thresholds: readonly Threshold[],
): BandStatus {
  if (usedMicros > allocatedMicros) return 'exceeded';
  let status: BandStatus = 'ok';
  for (const t of thresholds.length > 0 ? thresholds : DEFAULT_THRESHOLDS) {
    if (!reachesPercent(usedMicros, allocatedMicros, t.percent)) continue;
    if (t.severity === 'critical') status = 'critical';
    else if (t.severity === 'warn' && status === 'ok') status = 'warn';
  }
  return status;
}

export function gaugeFor(band: Band, now: Date): Gauge {
  const progress = periodProgress(band.period, now);
  const allocated = band.allocated.amount_micros;
  const used = band.used.amount_micros;
  const reserved = band.reserved?.amount_micros ?? 0;
  // Scaled by whole milliseconds, not by the float fraction: a band exactly on pace one third into the
  // period must forecast exactly its allocation (a rounded fraction made it forecast a few micros over).
  const { elapsedMs, lengthMs } = progress;
  const paceMicros = lengthMs > 0 ? scaleMicros(allocated, elapsedMs, lengthMs) : allocated;
  const canForecast = progress.fractionElapsed >= MIN_FRACTION_FOR_FORECAST;
  const forecastMicros = canForecast && elapsedMs > 0 ? scaleMicros(used, lengthMs, elapsedMs) : used;
  const forecastPercent = percentOf(forecastMicros, allocated);
  const forecastCrosses = canForecast && used <= allocated && forecastMicros > allocated && progress.remainingMs > 0;
  let forecastCrossAt: Date | undefined;
  if (forecastCrosses && used > 0) {
    // linear rate used/elapsed reaches allocated at elapsed × allocated/used
    forecastCrossAt = new Date(progress.startMs + scaleMicros(elapsedMs, allocated, used));
  }
  return {
    bandId: band.id,
    currency: band.allocated.currency,
    allocatedMicros: allocated,
    usedMicros: used,
    reservedMicros: reserved,
    remainingMicros: band.remaining.amount_micros,
    percentUsed: percentOf(used, allocated),
    paceMicros,
    aheadOfPaceMicros: used - paceMicros,
    forecastMicros,
    forecastPercent,
    forecastCrosses,
    forecastCrossAt,
    status: band.status,
    fractionElapsed: progress.fractionElapsed,
    daysLeft: progress.daysLeft,
    msLeft: progress.remainingMs,
    resetsAt: new Date(progress.endMs),
    resets: band.period.interval !== LIFETIME_INTERVAL,
  };
}

/**
 * Monthly cost of a seat: yearly seats spread over 12 months, weekly ones × 52/12, daily ones × 365/12,
 * and multiples (P3M quarterly, P2Y) divided by their count. Anything else is taken as monthly.
 */
export function monthlySeatMicros(seat: SeatItem): number {
  const match = /^P(\d{1,4})([YMWD])$/.exec(seat.cost_period ?? 'P1M');
  const count = match ? Number(match[1]) : 1;
  if (!match || count === 0) return seat.cost.amount_micros;
  const perMonth: Record<string, [number, number]> = { Y: [1, 12], M: [1, 1], W: [52, 12], D: [365, 12] };
  const [numerator, denominator] = perMonth[match[2]!]!;
  return scaleMicros(seat.cost.amount_micros, numerator, denominator * count);
}

export interface WholeBill {
  currency: string;
  seatsMicros: number;
  usageMicros: number;
  totalMicros: number;
  usageAllocatedMicros: number;
  /** seats + usage allocations: what the organization planned for this developer */
  plannedMicros: number;
}

/**
 * Seats + usage = the whole bill. Usage counts each class band once; an `all` band is a ceiling over
 * the class bands, so it is counted only when there are no class bands (else it would count twice).
 */
/** The interval adapters give a budget that never resets (an OpenRouter limit without `limit_reset`). */
export const LIFETIME_INTERVAL = 'lifetime';

export function wholeBill(seats: readonly SeatItem[], bands: readonly Band[], currency = 'USD'): WholeBill {
  const classBands = bands.filter((b) => b.workflow !== 'all');
  // Several `all` bands are nested layers of one budget (a LiteLLM key inside its user inside its team):
  // each includes the spend of the one below, so only the first (the binding one, adapters put it
  // first) counts.
  const counted = classBands.length > 0 ? classBands : bands.slice(0, 1);
  let seatsMicros = 0;
  for (const seat of seats) if (seat.cost.currency === currency) seatsMicros += monthlySeatMicros(seat);
  let usageMicros = 0;
  let usageAllocatedMicros = 0;
  for (const band of counted) {
    if (band.used.currency !== currency) continue;
    usageMicros += band.used.amount_micros;
    usageAllocatedMicros += band.allocated.amount_micros;
  }
  return {
    currency,
    seatsMicros,
    usageMicros,
    totalMicros: seatsMicros + usageMicros,
    usageAllocatedMicros,
    plannedMicros: seatsMicros + usageAllocatedMicros,
  };
}
