// Scales and axis ticks for the report's SVG charts. Money stays integer micros until it becomes a pixel;
// time ticks are local midnights in the period's zone, so a 23- or 25-hour DST day is drawn with its real
// width and every label still sits on a local midnight.
import { TZDate } from '@date-fns/tz';
import { addDays, addMonths, startOfDay, startOfMonth } from 'date-fns';
import { MS_PER_DAY } from './period';

/** A linear map from a domain to pixels; a zero-width domain maps everything to the range start. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (value: number) => number {
  const span = d1 - d0;
  if (span === 0 || !Number.isFinite(span)) return () => r0;
  const k = (r1 - r0) / span;
  return (value) => r0 + (value - d0) * k;
}

export interface MoneyAxis {
  /** the top of the axis (≥ the largest value), a multiple of stepMicros */
  maxMicros: number;
  stepMicros: number;
  ticks: number[];
}

const NICE_STEPS = [1, 2, 2.5, 5, 10];
/** Never step by less than a cent: sub-cent gridlines would be labelled with identical text. */
const MIN_STEP_MICROS = 10_000;
/** An axis with nothing to show still spans $1, so an empty chart has a readable scale. */
const EMPTY_AXIS_MICROS = 1_000_000;

/** 0 … a round top in `targetSteps` or fewer round steps (1, 2, 2.5, 5 × 10^k micros). */
export function moneyAxis(maxMicros: number, targetSteps = 4): MoneyAxis {
  const top = maxMicros > 0 ? maxMicros : EMPTY_AXIS_MICROS;
  const raw = top / targetSteps;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  let step = MIN_STEP_MICROS;
  for (const nice of NICE_STEPS) {
    const candidate = nice * magnitude;
    if (candidate >= raw) {
      step = Math.max(MIN_STEP_MICROS, Math.round(candidate));
      break;
    }
  }
  const steps = Math.max(1, Math.ceil(top / step));
  const ticks: number[] = [];
  for (let i = 0; i <= steps; i++) ticks.push(i * step);
  return { maxMicros: steps * step, stepMicros: step, ticks };
}

export interface TimeTick {
  ms: number;
  label: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_STEPS = [1, 2, 3, 5, 7, 14];

/**
 * Labelled ticks on local midnights in [startMs, endMs]: every day, or every n days so that at most
 * `maxLabels` are drawn; spans over ~3 months are labelled by month.
 */
export function timeTicks(startMs: number, endMs: number, timeZone: string, maxLabels = 8): TimeTick[] {
  if (!(endMs > startMs)) return [];
  const spanDays = (endMs - startMs) / MS_PER_DAY;
  if (spanDays > 92) return monthTicks(startMs, endMs, timeZone, maxLabels);
  const days: number[] = [];
  for (let day = startOfDay(new TZDate(startMs, timeZone)); day.getTime() <= endMs; day = addDays(day, 1)) {
    if (day.getTime() >= startMs) days.push(day.getTime());
  }
  const every = DAY_STEPS.find((n) => Math.ceil(days.length / n) <= maxLabels) ?? Math.ceil(days.length / maxLabels);
  const ticks: TimeTick[] = [];
  for (let i = 0; i < days.length; i += every) {
    const local = new TZDate(days[i]!, timeZone);
    const first = ticks.length === 0 || local.getDate() <= every;
    ticks.push({
      ms: days[i]!,
      label: first ? `${local.getDate()} ${MONTHS[local.getMonth()]}` : String(local.getDate()),
    });
  }
  return ticks;
}

function monthTicks(startMs: number, endMs: number, timeZone: string, maxLabels: number): TimeTick[] {
  const months: number[] = [];
  for (let m = startOfMonth(new TZDate(startMs, timeZone)); m.getTime() <= endMs; m = addMonths(m, 1)) {
    if (m.getTime() >= startMs) months.push(m.getTime());
  }
  const every = Math.max(1, Math.ceil(months.length / maxLabels));
  const ticks: TimeTick[] = [];
  for (let i = 0; i < months.length; i += every) {
    const local = new TZDate(months[i]!, timeZone);
    const month = MONTHS[local.getMonth()]!;
    ticks.push({
      ms: months[i]!,
      label: local.getMonth() === 0 || ticks.length === 0 ? `${month} ${local.getFullYear()}` : month,
    });
  }
  return ticks;
}

export interface SeriesPoint {
  ms: number;
  micros: number;
}

/**
 * At most `maxPoints` points of a cumulative series, evenly spaced by index, always keeping the first
 * and the last. A cumulative series only rises, so the kept points bound the dropped ones: the line
 * never misses a peak, it only loses wiggles narrower than a pixel.
 */
export function downsampleSeries(points: readonly SeriesPoint[], maxPoints: number): SeriesPoint[] {
  if (points.length <= maxPoints || maxPoints < 2) return [...points];
  const out: SeriesPoint[] = [];
  const step = (points.length - 1) / (maxPoints - 1);
  for (let i = 0; i < maxPoints; i++) out.push(points[Math.round(i * step)]!);
  return out;
}
