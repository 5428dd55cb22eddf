// The report of one window (a month or a week): per band, cumulative spend by local day over the band's
// period against its allocation, pace and forecast; spend by workflow class, model and agent; seats +
// usage = the whole bill; the biggest tagged sessions and agent runs with outliers marked. One model
// feeds the webview, the exports and `spend-band report`, so they always agree.
import { TZDate } from '@date-fns/tz';
import { addDays, startOfDay } from 'date-fns';
import { allocationSteps, type AllocationStep } from './chartBand';
import type { SeriesPoint } from './chartScale';
import { formatMicros } from './format';
import { gaugeFor, monthlySeatMicros, statusFromThresholds } from './gauge';
import { percentOf, scaleMicros } from './money';
import { classSpreads, isOutlier, OUTLIER_RULE_TEXT, type ClassSpread } from './outlierRule';
import { isSupportedInterval, localDate, periodContaining } from './period';
import { AGENT_LABELS, type ReportRun, type ReportUsageRow } from './reportUsage';
import { unpricedPart, type UnpricedPart } from './reportSpend';
import type { ReportWindow } from './reportWindow';
import { ALL_WORKFLOWS, type Band, type BandStatus, type BandsDocument, type Period } from './schemas';
import { humanize, workflowClassFor, type WorkflowClass } from './workflowClasses';

export type ReportUsageSource = 'endpoint' | 'local_logs' | 'none';

export interface ReportFocus {
  review: 'weekly' | 'monthly';
  /** the classes the review looks at (all classes for the monthly review) */
  classes: readonly string[];
}

export interface ReportInput {
  document: BandsDocument;
  /** where the bands came from (endpoint, local, litellm, openrouter) */
  source: string;
  stale?: boolean;
  window: ReportWindow;
  now: Date;
  usage: readonly ReportUsageRow[];
  usageSource: ReportUsageSource;
  /** true when the usage history stopped early (too many pages): figures may be low */
  usageIncomplete?: boolean;
  runs: readonly ReportRun[];
  classes?: readonly WorkflowClass[];
  focus?: ReportFocus | undefined;
  /** how many sessions and agent runs to list (default 10 each) */
  topRuns?: number;
}

export interface BandReport {
  id: string;
  label: string;
  workflow: string;
  period: Period;
  /** the band's period is the current one (else a past period, shown with today's allocation) */
  current: boolean;
  currency: string;
  allocatedMicros: number;
  usedMicros: number;
  paceMicros: number;
  forecastMicros: number | null;
  status: BandStatus;
  percentUsed: number;
  temporaryIncrease: { micros: number; until: string } | null;
  allocation: AllocationStep[];
  /** cumulative spend at each local day's end (the current day ends at now), from (period start, 0) */
  series: SeriesPoint[];
  /** the series is a straight line to the band's total because no usage history was available */
  estimatedSeries: boolean;
  forecast: { fromMs: number; fromMicros: number; toMicros: number } | null;
  /** usage in the band's period (up to now) whose model has no price: not in usedMicros nor the line */
  unpriced: UnpricedPart | null;
  inFocus: boolean;
}

export interface BreakdownRow {
  key: string;
  label: string;
  micros: number;
  requests: number;
  /** share of the priced total, 0–100 (display only) */
  percent: number;
  unpricedRequests: number;
  /** the requests without a price and their tokens; null when all are priced */
  unpriced: UnpricedPart | null;
  inFocus: boolean;
}

export interface RunRow extends ReportRun {
  outlier: boolean;
  /** the outlier threshold of the run's class, when the class has enough runs to judge */
  thresholdMicros: number | null;
  medianMicros: number;
  unpriced: UnpricedPart | null;
}

export interface DayRow {
  /** YYYY-MM-DD in the report's zone */
  date: string;
  startMs: number;
  /** the priced part */
  micros: number;
  requests: number;
  unpriced: UnpricedPart | null;
}

export interface ReportModel {
  title: string;
  window: ReportWindow;
  generatedAt: string;
  currency: string;
  developer: { id: string; name: string };
  role: string;
  source: { bands: string; usage: ReportUsageSource; stale: boolean; incomplete: boolean };
  focus: ReportFocus | null;
  totals: { micros: number; requests: number; unpricedRequests: number; unpriced: UnpricedPart | null };
  bands: BandReport[];
  byWorkflow: BreakdownRow[];
  byModel: BreakdownRow[];
  byAgent: BreakdownRow[];
  daily: DayRow[];
  bill: {
    seats: { id: string; label: string; micros: number }[];
    seatsMicros: number;
    usageMicros: number;
    totalMicros: number;
    /** usage without a price: the usage (and so the whole bill) is a lower bound, or unknown */
    usageUnpriced: UnpricedPart | null;
    totalUnpriced: UnpricedPart | null;
  };
  sessions: RunRow[];
  agentRuns: RunRow[];
  /** how many runs of the window are outliers (also beyond the ones listed) */
  outlierCount: number;
  outlierRule: string;
  notes: string[];
}

const WEEKS_PER_MONTH_NUMERATOR = 12;
const WEEKS_PER_MONTH_DENOMINATOR = 52;

/** Local midnights from the day containing startMs up to and including the first one ≥ endMs. */
function dayBoundaries(startMs: number, endMs: number, timeZone: string): number[] {
  const out: number[] = [];
  let day = startOfDay(new TZDate(startMs, timeZone));
  for (;;) {
    out.push(Math.max(day.getTime(), startMs));
    if (day.getTime() >= endMs) break;
    day = addDays(day, 1);
  }
  out[out.length - 1] = Math.max(out[out.length - 1]!, endMs);
  return out;
}

/** Index i such that bounds[i] ≤ ms < bounds[i+1], or -1. */
function binOf(bounds: readonly number[], ms: number): number {
  let lo = 0;
  let hi = bounds.length - 2;
  if (hi < 0 || ms < bounds[0]! || ms >= bounds[bounds.length - 1]!) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bounds[mid]! <= ms) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function bandCovers(band: Band, workflow: string): boolean {
  return band.workflow === ALL_WORKFLOWS || band.workflow === workflow;
}

/** The band's period that ends the window: its current period, or the period containing the window's last instant. */
export function periodForWindow(band: Band, window: ReportWindow): { period: Period; current: boolean } {
  const windowLast = Date.parse(window.end) - 1;
  const start = Date.parse(band.period.start);
  const end = Date.parse(band.period.end);
  if (windowLast >= start && Date.parse(window.start) < end) return { period: band.period, current: true };
  const interval = band.period.interval;
  if (!isSupportedInterval(interval)) return { period: band.period, current: true };
  return {
    period: periodContaining(interval, new Date(windowLast), band.period.timezone ?? window.timezone),
    current: false,
  };
}

/** The span usage is needed for: the window and the period of every band that ends it, up to now. */
export function usageRange(document: BandsDocument, window: ReportWindow, now: Date): { fromMs: number; toMs: number } {
  let fromMs = Date.parse(window.start);
  let toMs = Date.parse(window.end);
  for (const band of document.bands) {
    const { period } = periodForWindow(band, window);
    fromMs = Math.min(fromMs, Date.parse(period.start));
    toMs = Math.max(toMs, Date.parse(period.end));
  }
  return { fromMs, toMs: Math.max(fromMs + 1, Math.min(toMs, now.getTime() + 60_000)) };
}

function bandReport(band: Band, input: ReportInput, rows: readonly ReportUsageRow[], notes: string[]): BandReport {
  const { period, current } = periodForWindow(band, input.window);
  const nowMs = input.now.getTime();
  const startMs = Date.parse(period.start);
  const endMs = Date.parse(period.end);
  const zone = period.timezone ?? input.window.timezone;
  const currency = band.allocated.currency;
  const lastMs = Math.min(endMs, nowMs);
  const bounds = dayBoundaries(startMs, endMs, zone);
  const perDay = new Array<number>(Math.max(0, bounds.length - 1)).fill(0);
  let covered = 0;
  let requests = 0;
  let unpricedRequests = 0;
  let unpricedTokens = 0;
  for (const row of rows) {
    if (row.currency !== currency || !bandCovers(band, row.workflow)) continue;
    if (row.startMs < startMs || row.startMs >= lastMs) continue;
    const i = binOf(bounds, row.startMs);
    if (i < 0) continue;
    requests += row.requests;
    if (row.costMicros === null) {
      unpricedRequests += row.requests;
      unpricedTokens += row.tokens;
      continue;
    }
    perDay[i]! += row.costMicros;
    covered++;
  }
  const series: SeriesPoint[] = [{ ms: startMs, micros: 0 }];
  let cumulative = 0;
  for (let i = 0; i < perDay.length && bounds[i]! < lastMs; i++) {
    cumulative += perDay[i]!;
    series.push({ ms: Math.min(bounds[i + 1]!, lastMs), micros: cumulative });
  }
  const increase = band.temporary_increase;
  // A past period gets today's allocation without today's temporary increase: that belongs to now.
  const allocated = band.allocated.amount_micros - (!current && increase ? increase.amount.amount_micros : 0);
  const thresholds = band.thresholds;
  let used = cumulative;
  let estimatedSeries = false;
  if (current) {
    // The document's figure is what the status bar shows and what enforcement uses.
    used = band.used.amount_micros;
    if (covered === 0 && used !== 0 && input.usageSource !== 'endpoint') {
      // no history: a straight line from the start to today's total, marked as such
      series.length = 1;
      if (lastMs > startMs) series.push({ ms: lastMs, micros: used });
      estimatedSeries = true;
    } else if (Math.abs(cumulative - used) > Math.max(10_000, Math.abs(used) / 100)) {
      notes.push(
        `${band.label ?? humanize(band.workflow)}: the usage history adds up to ${formatMicros(cumulative, currency, 'exact')}, the band says ${formatMicros(used, currency, 'exact')}; the chart draws the history, the figures are the band's.`,
      );
    }
  }
  const gauge = current ? gaugeFor(band, input.now) : undefined;
  const elapsedMs = Math.max(0, lastMs - startMs);
  const lengthMs = endMs - startMs;
  const last = series[series.length - 1]!;
  let forecast: BandReport['forecast'] = null;
  let forecastMicros: number | null = null;
  if (gauge && nowMs < endMs && elapsedMs > 0) {
    // the same linear rule as the gauge, from where the drawn line ends
    forecastMicros = gauge.fractionElapsed >= 0.05 ? scaleMicros(last.micros, lengthMs, elapsedMs) : last.micros;
    forecast = { fromMs: last.ms, fromMicros: last.micros, toMicros: forecastMicros };
  }
  return {
    id: band.id,
    label: band.label ?? workflowClassFor(band.workflow, input.classes).label,
    workflow: band.workflow,
    period,
    current,
    currency,
    allocatedMicros: allocated,
    usedMicros: used,
    paceMicros: gauge ? gauge.paceMicros : allocated,
    forecastMicros,
    status: current ? band.status : statusFromThresholds(used, allocated, thresholds),
    percentUsed: percentOf(used, allocated),
    temporaryIncrease: increase && current ? { micros: increase.amount.amount_micros, until: increase.until } : null,
    allocation: current ? allocationSteps(band, startMs, endMs) : [{ fromMs: startMs, toMs: endMs, micros: allocated }],
    series,
    estimatedSeries,
    forecast,
    // a band figure that is not zero holds priced usage (or is the endpoint's own): never "nothing priced"
    unpriced: unpricedPart(requests, unpricedRequests, unpricedTokens, used !== 0),
    inFocus: input.focus ? input.focus.classes.includes(band.workflow) || band.workflow === ALL_WORKFLOWS : false,
  };
}

function breakdown(
  rows: readonly ReportUsageRow[],
  keyOf: (r: ReportUsageRow) => string,
  labelOf: (key: string) => string,
  inFocus: (key: string) => boolean,
): BreakdownRow[] {
  const map = new Map<string, BreakdownRow>();
  const tokens = new Map<string, number>();
  let total = 0;
  for (const row of rows) {
    const key = keyOf(row);
    let entry = map.get(key);
    if (!entry)
      map.set(
        key,
        (entry = {
          key,
          label: labelOf(key),
          micros: 0,
          requests: 0,
          percent: 0,
          unpricedRequests: 0,
          unpriced: null,
          inFocus: inFocus(key),
        }),
      );
    entry.requests += row.requests;
    if (row.costMicros === null) {
      entry.unpricedRequests += row.requests;
      tokens.set(key, (tokens.get(key) ?? 0) + row.tokens);
    } else {
      entry.micros += row.costMicros;
      total += row.costMicros;
    }
  }
  const out = [...map.values()].sort((a, b) => b.micros - a.micros || a.key.localeCompare(b.key));
  for (const entry of out) {
    entry.percent = total > 0 ? (entry.micros / total) * 100 : 0;
    entry.unpriced = unpricedPart(entry.requests, entry.unpricedRequests, tokens.get(entry.key) ?? 0);
  }
  return out;
}

function runRows(runs: readonly ReportRun[], spreads: Map<string, ClassSpread>, top: number): RunRow[] {
  return [...runs]
    .sort((a, b) => b.costMicros - a.costMicros || a.startMs - b.startMs)
    .slice(0, top)
    .map((run) => {
      const spread = spreads.get(`${run.kind}:${run.workflow}`);
      return {
        ...run,
        outlier: isOutlier(run.costMicros, spread),
        thresholdMicros: spread?.thresholdMicros ?? null,
        medianMicros: spread?.medianMicros ?? 0,
        unpriced: unpricedPart(run.requests, run.unpricedRequests, run.unpricedTokens),
      };
    });
}

export function buildReport(input: ReportInput): ReportModel {
  const { document, window } = input;
  const nowMs = input.now.getTime();
  const windowStart = Date.parse(window.start);
  const windowEnd = Date.parse(window.end);
  const currency = document.bands[0]?.allocated.currency ?? document.seats[0]?.cost.currency ?? 'USD';
  const notes: string[] = [];
  const rows = input.usage.filter((r) => r.currency === currency);
  if (rows.length < input.usage.length)
    notes.push(`${input.usage.length - rows.length} usage row(s) in another currency than ${currency} are left out.`);
  const focusSet = new Set(input.focus?.classes ?? []);
  const inFocus = (workflow: string) => focusSet.has(workflow);

  const bands = document.bands.map((band) => bandReport(band, input, rows, notes));
  if (bands.some((b) => !b.current))
    notes.push(
      'Past periods are drawn against today’s allocation: the endpoint does not say what the allocation was then.',
    );
  if (bands.some((b) => b.estimatedSeries))
    notes.push('Without usage history, a band’s line joins the start of its period to its total today.');

  const inWindow = rows.filter((r) => r.startMs >= windowStart && r.startMs < Math.min(windowEnd, nowMs + 60_000));
  const labels = input.classes;
  const byWorkflow = breakdown(
    inWindow,
    (r) => r.workflow,
    (k) => workflowClassFor(k, labels).label,
    inFocus,
  );
  const byModel = breakdown(
    inWindow,
    (r) => r.model || 'unknown',
    (k) => (k === 'unknown' ? 'Unknown model' : k),
    () => false,
  );
  const byAgent = breakdown(
    inWindow,
    (r) => r.agent || 'unknown',
    (k) => AGENT_LABELS[k] ?? (k === 'unknown' ? 'Unknown' : humanize(k)),
    () => false,
  );
  let totalMicros = 0;
  let totalRequests = 0;
  let unpricedRequests = 0;
  let unpricedTokens = 0;
  for (const r of inWindow) {
    totalRequests += r.requests;
    if (r.costMicros === null) {
      unpricedRequests += r.requests;
      unpricedTokens += r.tokens;
    } else totalMicros += r.costMicros;
  }
  const totalUnpriced = unpricedPart(totalRequests, unpricedRequests, unpricedTokens);
  if (totalUnpriced)
    notes.push(
      `${unpricedRequests} request(s) (${unpricedTokens} tokens) used models without a price: they are shown as tokens with "no price", never as $0, and every sum that includes them is a lower bound ("at least"). A price file (spend-band report --prices FILE) counts them.`,
    );
  if (input.usageIncomplete)
    notes.push('The usage history stopped before the end of the window (too many pages); totals may be low.');

  const bounds = dayBoundaries(windowStart, windowEnd, window.timezone);
  const daily: DayRow[] = [];
  const dayUnpriced: { requests: number; tokens: number }[] = [];
  for (let i = 0; i < bounds.length - 1; i++) {
    daily.push({
      date: localDate(bounds[i]!, window.timezone),
      startMs: bounds[i]!,
      micros: 0,
      requests: 0,
      unpriced: null,
    });
    dayUnpriced.push({ requests: 0, tokens: 0 });
  }
  for (const r of inWindow) {
    const i = binOf(bounds, r.startMs);
    if (i < 0) continue;
    daily[i]!.requests += r.requests;
    if (r.costMicros === null) {
      dayUnpriced[i]!.requests += r.requests;
      dayUnpriced[i]!.tokens += r.tokens;
    } else daily[i]!.micros += r.costMicros;
  }
  for (let i = 0; i < daily.length; i++)
    daily[i]!.unpriced = unpricedPart(daily[i]!.requests, dayUnpriced[i]!.requests, dayUnpriced[i]!.tokens);

  // Seats are monthly prices; a week carries 12/52 of a month.
  const seats = document.seats
    .filter((s) => s.cost.currency === currency)
    .map((s) => {
      const monthly = monthlySeatMicros(s);
      return {
        id: s.id,
        label: `${humanize(s.vendor)} ${s.product.replace(/_/g, ' ')}${s.plan ? ` (${s.plan})` : ''}`,
        micros:
          window.kind === 'week'
            ? scaleMicros(monthly, WEEKS_PER_MONTH_NUMERATOR, WEEKS_PER_MONTH_DENOMINATOR)
            : monthly,
      };
    });
  const seatsMicros = seats.reduce((a, s) => a + s.micros, 0);
  let usageMicros = totalMicros;
  let usageUnpriced = totalUnpriced;
  // One period rule for "the whole bill", as `status`, the tooltip and the Bands view count it: each
  // class band's usage over its own current period. In the month going on now, a weekly band whose
  // period began in the previous month adds those first days (from the same history), so status and
  // report give one total; the tables below count the window, and a note says so.
  const currentMonth = window.kind === 'month' && windowStart <= nowMs && nowMs < windowEnd;
  if (currentMonth && input.usageSource !== 'none') {
    const before: string[] = [];
    for (const band of document.bands) {
      const startMs = Date.parse(band.period.start);
      if (band.workflow === ALL_WORKFLOWS || band.allocated.currency !== currency || startMs >= windowStart) continue;
      const micros = rows
        .filter((r) => r.workflow === band.workflow && r.startMs >= startMs && r.startMs < windowStart)
        .reduce((a, r) => a + (r.costMicros ?? 0), 0);
      if (micros === 0) continue;
      usageMicros += micros;
      before.push(
        `${band.label ?? humanize(band.workflow)} since ${localDate(startMs, window.timezone)} (${formatMicros(micros, currency)} before ${window.label})`,
      );
    }
    if (before.length > 0)
      notes.push(
        `The whole bill counts usage as your bands and spend-band status do, each over its current period: ${before.join(', ')}; the tables count ${window.label} only.`,
      );
  }
  if (input.usageSource === 'none') {
    // no history: the bands' own figures are the usage (class bands, or the `all` band alone)
    const classBands = document.bands.filter((b) => b.workflow !== ALL_WORKFLOWS);
    usageMicros = (classBands.length > 0 ? classBands : document.bands).reduce(
      (a, b) => a + (b.used.currency === currency ? b.used.amount_micros : 0),
      0,
    );
    usageUnpriced = null;
  }

  const runs = input.runs.filter((r) => r.startMs < windowEnd && r.endMs > windowStart);
  const spreads = classSpreads(runs.map((r) => ({ group: `${r.kind}:${r.workflow}`, costMicros: r.costMicros })));
  const top = input.topRuns ?? 10;
  const outlierCount = runs.filter((r) => isOutlier(r.costMicros, spreads.get(`${r.kind}:${r.workflow}`))).length;
  if (runs.length === 0 && input.usageSource !== 'local_logs')
    notes.push('Sessions and agent runs come from the agent logs on this machine; none were read for this window.');

  const who = document.developer.display_name ?? document.developer.id;
  return {
    title: `${input.focus?.review === 'weekly' ? 'Weekly review' : input.focus?.review === 'monthly' ? 'Monthly review' : 'Spend report'} — ${window.label}`,
    window,
    generatedAt: input.now.toISOString(),
    currency,
    developer: { id: document.developer.id, name: who },
    role: document.role.label ?? document.role.id,
    source: {
      bands: input.source,
      usage: input.usageSource,
      stale: input.stale === true,
      incomplete: input.usageIncomplete === true,
    },
    focus: input.focus ?? null,
    totals: { micros: totalMicros, requests: totalRequests, unpricedRequests, unpriced: totalUnpriced },
    bands,
    byWorkflow,
    byModel,
    byAgent,
    daily,
    bill: {
      seats,
      seatsMicros,
      usageMicros,
      totalMicros: seatsMicros + usageMicros,
      usageUnpriced,
      totalUnpriced: usageUnpriced
        ? unpricedPart(
            usageUnpriced.requests,
            usageUnpriced.requests,
            usageUnpriced.tokens,
            seats.length > 0 || !usageUnpriced.nothingPriced,
          )
        : null,
    },
    sessions: runRows(
      runs.filter((r) => r.kind === 'session'),
      spreads,
      top,
    ),
    agentRuns: runRows(
      runs.filter((r) => r.kind === 'agent_run'),
      spreads,
      top,
    ),
    outlierCount,
    outlierRule: OUTLIER_RULE_TEXT,
    notes,
  };
}
