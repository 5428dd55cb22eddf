// Budget periods: a calendar month or an ISO week (Monday start) in an IANA time zone, or a day.
// Boundaries are local midnights, so a period that spans a DST change is 1 hour shorter or longer;
// "fraction elapsed" uses real elapsed time, which is what linear spend would follow.
import { TZDate } from '@date-fns/tz';
import { addDays, addMonths, addWeeks, startOfDay, startOfISOWeek, startOfMonth } from 'date-fns';
import type { Period } from './schemas';

export type PeriodInterval = 'P1M' | 'P1W' | 'P1D';

export const MS_PER_DAY = 86_400_000;

export function isSupportedInterval(value: string): value is PeriodInterval {
  return value === 'P1M' || value === 'P1W' || value === 'P1D';
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The system's IANA zone (the default for local bands). */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** The period of `interval` that contains `now`, computed in `timeZone`. */
export function periodContaining(interval: PeriodInterval, now: Date, timeZone: string): Period {
  const local = new TZDate(now.getTime(), timeZone);
  // an unknown zone or an invalid date would otherwise come out as "NaN-NaN-NaNTNaN…" boundaries
  // (checked on the result: constructing an Intl formatter per call costs ~35 µs)
  if (Number.isNaN(local.getTime())) {
    if (Number.isNaN(now.getTime())) throw new RangeError('cannot find the period of an invalid date');
    throw new RangeError(`unknown time zone "${timeZone}": use an IANA name such as Europe/Berlin or UTC`);
  }
  let start: TZDate;
  let end: TZDate;
  switch (interval) {
    case 'P1M':
      start = startOfMonth(local);
      end = addMonths(start, 1);
      break;
    case 'P1W':
      start = startOfISOWeek(local);
      end = addWeeks(start, 1);
      break;
    case 'P1D':
      start = startOfDay(local);
      end = addDays(start, 1);
      break;
  }
  return { interval, start: toIsoWithOffset(start), end: toIsoWithOffset(end), timezone: timeZone };
}

/** The period right after `period` (same interval and zone). */
export function nextPeriod(period: Period): Period {
  const interval = period.interval;
  if (!isSupportedInterval(interval)) throw new RangeError(`unsupported interval ${interval}`);
  return periodContaining(interval, new Date(Date.parse(period.end)), period.timezone ?? 'UTC');
}

/** ISO 8601 with the zone's offset at that instant, e.g. 2026-11-01T00:00:00+01:00. */
export function toIsoWithOffset(date: TZDate): string {
  const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
  const offsetMinutes = -date.getTimezoneOffset();
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const offset = `${sign}${pad(Math.trunc(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${offset}`
  );
}

export interface PeriodProgress {
  startMs: number;
  endMs: number;
  lengthMs: number;
  elapsedMs: number;
  remainingMs: number;
  /** 0..1, clamped */
  fractionElapsed: number;
  /**
   * whole calendar days left in the period's zone, rounded up (a period ending in 3 h has 1 day left; an
   * ended one 0). Counted on the local clock, so a 25-hour day before a DST fall-back does not add a day.
   */
  daysLeft: number;
}

/** Epoch ms shifted by the zone's offset at that instant: differences of these follow the local clock. */
function wallClockMs(ms: number, timeZone: string): number {
  return ms - new TZDate(ms, timeZone).getTimezoneOffset() * 60_000;
}

export function periodProgress(period: Period, now: Date): PeriodProgress {
  const startMs = Date.parse(period.start);
  const endMs = Date.parse(period.end);
  const lengthMs = Math.max(0, endMs - startMs);
  const nowMs = now.getTime();
  const elapsedMs = Math.min(lengthMs, Math.max(0, nowMs - startMs));
  const remainingMs = Math.max(0, endMs - nowMs);
  return {
    startMs,
    endMs,
    lengthMs,
    elapsedMs,
    remainingMs,
    fractionElapsed: lengthMs === 0 ? 1 : elapsedMs / lengthMs,
    daysLeft: daysLeftIn(period.timezone, nowMs, endMs, remainingMs),
  };
}

function daysLeftIn(timeZone: string | undefined, nowMs: number, endMs: number, remainingMs: number): number {
  if (remainingMs <= 0) return 0;
  const localMs = timeZone ? wallClockMs(endMs, timeZone) - wallClockMs(nowMs, timeZone) : Number.NaN;
  // an unknown zone falls back to real time; a zone that switches at midnight can leave < 0 local ms
  const ms = Number.isFinite(localMs) ? localMs : remainingMs;
  return Math.max(1, Math.ceil(ms / MS_PER_DAY));
}

/** Calendar date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(instant: Date | number, timeZone: string): string {
  const d = new TZDate(typeof instant === 'number' ? instant : instant.getTime(), timeZone);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Local midnight at the start of YYYY-MM-DD in a zone, as epoch ms. */
export function startOfLocalDate(isoDate: string, timeZone: string): number {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return new TZDate(y, m - 1, d, 0, 0, 0, 0, timeZone).getTime();
}
