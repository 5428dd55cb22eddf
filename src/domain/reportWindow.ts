// The span a report covers: a calendar month or an ISO week in a time zone (the monthly and weekly
// reviews), named for a person ("November 2026", "Week of 23 Nov 2026").
import { TZDate } from '@date-fns/tz';
import { periodContaining } from './period';

export type ReportWindowKind = 'month' | 'week';

export interface ReportWindow {
  kind: ReportWindowKind;
  /** ISO date-time with the zone's offset; inclusive */
  start: string;
  /** ISO date-time; exclusive */
  end: string;
  timezone: string;
  label: string;
  /** YYYY-MM for a month, YYYY-MM-DD (the Monday) for a week: used in file names and review ids */
  key: string;
}

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The month or ISO week containing `instant` in `timeZone`. */
export function windowContaining(kind: ReportWindowKind, instant: Date, timeZone: string): ReportWindow {
  const period = periodContaining(kind === 'month' ? 'P1M' : 'P1W', instant, timeZone);
  const local = new TZDate(Date.parse(period.start), timeZone);
  const y = local.getFullYear();
  const m = local.getMonth();
  if (kind === 'month') {
    return {
      kind,
      start: period.start,
      end: period.end,
      timezone: timeZone,
      label: `${MONTH_NAMES[m]} ${y}`,
      key: `${y}-${pad(m + 1)}`,
    };
  }
  return {
    kind,
    start: period.start,
    end: period.end,
    timezone: timeZone,
    label: `Week of ${local.getDate()} ${MONTH_NAMES[m]!.slice(0, 3)} ${y}`,
    key: `${y}-${pad(m + 1)}-${pad(local.getDate())}`,
  };
}

/** "2026-11" → that month in `timeZone`; undefined for anything else (including month 13). */
export function monthWindow(yyyyMm: string, timeZone: string): ReportWindow | undefined {
  const match = /^(\d{4})-(\d{2})$/.exec(yyyyMm.trim());
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  if (month < 1 || month > 12) return undefined;
  // the 15th at noon is inside the month in every zone
  return windowContaining('month', new TZDate(year, month - 1, 15, 12, 0, 0, 0, timeZone), timeZone);
}

/** The window right before (-1) or after (+1) this one. */
export function shiftWindow(window: ReportWindow, direction: -1 | 1): ReportWindow {
  const anchor = direction < 0 ? Date.parse(window.start) - 1 : Date.parse(window.end);
  return windowContaining(window.kind, new Date(anchor), window.timezone);
}
