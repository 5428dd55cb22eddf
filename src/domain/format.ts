// Pure formatting of what the status bar, tooltip, tree and CLI show. Money is formatted from micros
// here and nowhere else.
import type { Gauge, WholeBill } from './gauge';
import { formatMoney } from './money';
import type { Band, BandStatus } from './schemas';
import { workflowClassFor, type WorkflowClass } from './workflowClasses';

export interface GaugeTextOptions {
  mode: 'compact' | 'full';
  display: 'money' | 'percent';
}

export const FORECAST_MARKER = '$(arrow-up)';

/** Micros of a currency as text: `$1.2k` (compact) or `$1,234.56` (exact). */
export function formatMicros(micros: number, currency: string, style: 'compact' | 'exact' = 'compact'): string {
  return formatMoney({ currency, amount_micros: micros }, { style });
}

export function percentText(percent: number): string {
  if (!Number.isFinite(percent)) return '∞%';
  if (percent > 0 && percent < 1) return '<1%';
  return `${Math.floor(percent)}%`;
}

/** "9d", "5h", "45m", "now" */
export function timeLeftText(ms: number): string {
  if (ms <= 0) return 'now';
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.ceil(ms / 3_600_000);
  if (hours < 24) return `${hours}h`;
  return `${Math.ceil(ms / 86_400_000)}d`;
}

/** The gauge item's text, e.g. `62% · $124/$200 · 9d` (full, money). */
export function gaugeText(gauge: Gauge, options: GaugeTextOptions): string {
  const percent = percentText(gauge.percentUsed);
  const amounts = `${formatMicros(gauge.usedMicros, gauge.currency)}/${formatMicros(gauge.allocatedMicros, gauge.currency)}`;
  const left = gauge.resets ? timeLeftText(gauge.msLeft) : 'no reset';
  const marker = gauge.forecastCrosses ? ` ${FORECAST_MARKER}` : '';
  let parts: string[];
  if (options.mode === 'compact') parts = [options.display === 'money' ? amounts : percent];
  else parts = options.display === 'money' ? [percent, amounts, left] : [percent, left];
  return `${parts.join(' · ')}${marker}`;
}

const STATUS_WORDS: Record<BandStatus, string> = {
  ok: 'on track',
  warn: 'past its warning threshold',
  critical: 'at its limit',
  exceeded: 'exceeded',
};

/** A band's forecast against its allocation, as the gauge and the report both carry it. */
export interface ForecastFigures {
  forecastMicros: number | null;
  allocatedMicros: number;
}

/**
 * The words for a band's status. Given its forecast, a band still "ok" whose forecast passes the
 * allocation is "over pace", never "on track" beside a forecast of 500 %: the same words on every
 * surface (CLI, tooltip, tree, report).
 */
export function statusWord(status: BandStatus | string, forecast?: ForecastFigures): string {
  if (
    status === 'ok' &&
    forecast &&
    forecast.forecastMicros !== null &&
    forecast.allocatedMicros > 0 &&
    forecast.forecastMicros > forecast.allocatedMicros
  ) {
    return `over pace (forecast ${percentText((forecast.forecastMicros / forecast.allocatedMicros) * 100)} by the reset)`;
  }
  return STATUS_WORDS[status as BandStatus] ?? status;
}

/** Intl formatters are costly to build (tens of µs each); one per zone and style is kept. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', options);
    formatters.set(key, f);
  }
  return f;
}

export function shortDate(date: Date, timeZone = 'UTC'): string {
  return formatter(`short|${timeZone}`, { month: 'short', day: 'numeric', timeZone }).format(date);
}

export function dateTimeText(date: Date, timeZone?: string): string {
  return formatter(`datetime|${timeZone ?? ''}`, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
    ...(timeZone ? { timeZone } : {}),
  }).format(date);
}

export function bandLabel(band: Pick<Band, 'label' | 'workflow'>, classes?: readonly WorkflowClass[]): string {
  return band.label ?? workflowClassFor(band.workflow, classes).label;
}

const TIME_UNIT_WORDS: Record<string, string> = { d: 'day', h: 'hour', m: 'minute' };

/** "resets in 1 day", "resets in 5 hours", "resets now": timeLeftText spelled out for a screen reader. */
function timeLeftWords(ms: number): string {
  const match = /^(\d+)([dhm])$/.exec(timeLeftText(ms));
  if (!match) return 'resets now';
  const [, count, unit] = match as unknown as [string, string, string];
  return `resets in ${count} ${TIME_UNIT_WORDS[unit]}${count === '1' ? '' : 's'}`;
}

/** Screen-reader text for the gauge item: whole words, no symbols. */
export function gaugeAccessibilityLabel(band: Band, gauge: Gauge, classes?: readonly WorkflowClass[]): string {
  const parts = [
    `${bandLabel(band, classes)} band ${statusWord(gauge.status, gauge)}`,
    Number.isFinite(gauge.percentUsed)
      ? `${Math.floor(gauge.percentUsed)} percent used`
      : 'used with nothing allocated',
    `${formatMicros(gauge.usedMicros, gauge.currency, 'exact')} of ${formatMicros(gauge.allocatedMicros, gauge.currency, 'exact')}`,
    gauge.resets ? timeLeftWords(gauge.msLeft) : 'a lifetime budget that does not reset',
  ];
  if (gauge.forecastCrosses && gauge.forecastCrossAt)
    parts.push(`at this pace it runs out on ${shortDate(gauge.forecastCrossAt, band.period.timezone)}`);
  return parts.join(', ');
}

export interface BandRow {
  label: string;
  value: string;
}

/** The rows the tooltip and the tree show for one band. */
export function bandRows(band: Band, gauge: Gauge): BandRow[] {
  const c = gauge.currency;
  const zone = band.period.timezone;
  const rows: BandRow[] = [
    {
      label: 'Used',
      value: `${formatMicros(gauge.usedMicros, c, 'exact')} of ${formatMicros(gauge.allocatedMicros, c, 'exact')} (${percentText(gauge.percentUsed)})`,
    },
    { label: 'Remaining', value: formatMicros(gauge.remainingMicros, c, 'exact') },
  ];
  if (gauge.reservedMicros > 0)
    rows.push({
      label: 'Reserved',
      value: `${formatMicros(gauge.reservedMicros, c, 'exact')} held by pre-flight runs`,
    });
  const ahead = gauge.aheadOfPaceMicros;
  rows.push({
    label: 'Pace',
    value:
      Math.abs(ahead) < 10_000
        ? `on pace (${formatMicros(gauge.paceMicros, c, 'exact')} expected by now)`
        : `${formatMicros(Math.abs(ahead), c, 'exact')} ${ahead > 0 ? 'ahead of' : 'under'} pace (${formatMicros(gauge.paceMicros, c, 'exact')} expected by now)`,
  });
  rows.push({
    label: 'Forecast',
    value:
      `${formatMicros(gauge.forecastMicros, c, 'exact')} at period end (${percentText(gauge.forecastPercent)})` +
      (gauge.forecastCrosses && gauge.forecastCrossAt
        ? `, runs out around ${shortDate(gauge.forecastCrossAt, zone)}`
        : ''),
  });
  rows.push({
    label: 'Resets',
    value: gauge.resets
      ? `in ${timeLeftText(gauge.msLeft)} (${shortDate(gauge.resetsAt, zone)})`
      : 'never (a lifetime budget)',
  });
  if (band.temporary_increase) {
    const inc = band.temporary_increase;
    rows.push({
      label: inc.self_set ? 'Self-set increase' : 'Temporary increase',
      value: `+${formatMicros(inc.amount.amount_micros, inc.amount.currency, 'exact')} until ${shortDate(new Date(inc.until), zone)}`,
    });
  }
  return rows;
}

/** "Seats $49 + usage $212 = $261 this month (planned $389)" */
export function wholeBillText(bill: WholeBill): string {
  const c = bill.currency;
  return `Seats ${formatMicros(bill.seatsMicros, c, 'exact')} + usage ${formatMicros(bill.usageMicros, c, 'exact')} = ${formatMicros(bill.totalMicros, c, 'exact')} (planned ${formatMicros(bill.plannedMicros, c, 'exact')})`;
}
