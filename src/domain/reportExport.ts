// The report as files for spreadsheets and scripts: JSON (one document) and CSV (one rectangular table,
// a `section` column telling rows apart). Money is an exact decimal string from integer micros, never a
// float, so a column sums to the cent in any spreadsheet. Usage without a price is never $0: JSON gives
// `amount: null` (nothing priced) or `lower_bound: true` (part priced) with `unpriced_requests` and
// `unpriced_tokens` beside; CSV leaves `amount` empty and fills the `unpriced_*` columns.
import { microsToDecimalString } from './money';
import type { BandReport, BreakdownRow, ReportModel, RunRow } from './reportModel';
import { spendCsvAmount, spendJson, type UnpricedPart } from './reportSpend';

export const REPORT_JSON_SCHEMA = 'spend-band/report/v1';

interface DecimalMoney {
  amount: string;
  currency: string;
}

function dm(micros: number, currency: string): DecimalMoney {
  return { amount: microsToDecimalString(micros), currency };
}

/** The unpriced requests and tokens beside a figure (0 and 0 when all is priced). */
function unpricedJson(part: UnpricedPart | null) {
  return { unpriced_requests: part?.requests ?? 0, unpriced_tokens: part?.tokens ?? 0 };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function breakdownJson(rows: readonly BreakdownRow[], currency: string) {
  return rows.map((r) => ({
    key: r.key,
    label: r.label,
    spend: spendJson(r.micros, r.unpriced, currency),
    requests: r.requests,
    ...unpricedJson(r.unpriced),
  }));
}

function runJson(r: RunRow, currency: string) {
  return {
    id: r.id,
    label: r.label,
    workflow: r.workflow,
    start: iso(r.startMs),
    end: iso(r.endMs),
    spend: spendJson(r.costMicros, r.unpriced, currency),
    requests: r.requests,
    ...unpricedJson(r.unpriced),
    ...(r.agent ? { agent: r.agent } : {}),
    outlier: r.outlier,
    outlier_threshold: r.thresholdMicros === null ? null : dm(r.thresholdMicros, currency),
  };
}

function bandJson(b: BandReport) {
  return {
    id: b.id,
    label: b.label,
    workflow: b.workflow,
    period: b.period,
    current: b.current,
    status: b.status,
    allocated: dm(b.allocatedMicros, b.currency),
    used: spendJson(b.usedMicros, b.unpriced, b.currency),
    ...unpricedJson(b.unpriced),
    pace: dm(b.paceMicros, b.currency),
    forecast: b.forecastMicros === null ? null : dm(b.forecastMicros, b.currency),
    temporary_increase: b.temporaryIncrease
      ? { amount: dm(b.temporaryIncrease.micros, b.currency), until: b.temporaryIncrease.until }
      : null,
    cumulative: b.series.map((p) => ({ at: iso(p.ms), spend: microsToDecimalString(p.micros) })),
    estimated_line: b.estimatedSeries,
  };
}

/** The JSON export: a self-describing document (schema id, window, money as decimal strings). */
export function reportToJson(model: ReportModel): string {
  const c = model.currency;
  const doc = {
    schema: REPORT_JSON_SCHEMA,
    title: model.title,
    window: model.window,
    generated_at: model.generatedAt,
    currency: c,
    developer: model.developer,
    role: model.role,
    source: model.source,
    ...(model.focus ? { review: { kind: model.focus.review, classes: model.focus.classes } } : {}),
    totals: {
      spend: spendJson(model.totals.micros, model.totals.unpriced, c),
      requests: model.totals.requests,
      ...unpricedJson(model.totals.unpriced),
    },
    bill: {
      seats: model.bill.seats.map((s) => ({ id: s.id, label: s.label, cost: dm(s.micros, c) })),
      seats_total: dm(model.bill.seatsMicros, c),
      usage: spendJson(model.bill.usageMicros, model.bill.usageUnpriced, c),
      total: spendJson(model.bill.totalMicros, model.bill.totalUnpriced, c),
      ...unpricedJson(model.bill.usageUnpriced),
    },
    bands: model.bands.map(bandJson),
    by_workflow: breakdownJson(model.byWorkflow, c),
    by_model: breakdownJson(model.byModel, c),
    by_agent: breakdownJson(model.byAgent, c),
    daily: model.daily.map((d) => ({
      date: d.date,
      spend: spendJson(d.micros, d.unpriced, c),
      requests: d.requests,
      ...unpricedJson(d.unpriced),
    })),
    sessions: model.sessions.map((r) => runJson(r, c)),
    agent_runs: model.agentRuns.map((r) => runJson(r, c)),
    outliers: model.outlierCount,
    outlier_rule: model.outlierRule,
    notes: model.notes,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export const CSV_COLUMNS = [
  'section',
  'key',
  'label',
  'workflow',
  'start',
  'end',
  'amount',
  'allocated',
  'currency',
  'requests',
  'status',
  'outlier',
  'unpriced_requests',
  'unpriced_tokens',
] as const;
type CsvRow = Partial<Record<(typeof CSV_COLUMNS)[number], string | number | boolean>>;

/**
 * One CSV cell (RFC 4180). Text that a spreadsheet would run as a formula (=, +, -, @ first) is
 * prefixed with an apostrophe: labels come from servers and project folder names.
 */
function cell(value: string | number | boolean | undefined, numeric: boolean): string {
  if (value === undefined) return '';
  let text = String(value);
  if (!numeric && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const NUMERIC = new Set(['amount', 'allocated', 'requests', 'unpriced_requests', 'unpriced_tokens']);

/** The CSV cells of a figure's unpriced part (empty when all is priced). */
function unpricedCells(part: UnpricedPart | null): CsvRow {
  return part ? { unpriced_requests: part.requests, unpriced_tokens: part.tokens } : {};
}

/**
 * The CSV export: one row per band, day, class, model, agent, seat, bill line, session and agent run.
 * `amount` is the priced part; empty when nothing is priced; with `unpriced_requests` filled it is a lower bound.
 */
export function reportToCsv(model: ReportModel): string {
  const c = model.currency;
  const rows: CsvRow[] = [];
  const amount = (micros: number) => microsToDecimalString(micros);
  for (const b of model.bands) {
    rows.push({
      section: 'band',
      key: b.id,
      label: b.label,
      workflow: b.workflow,
      start: b.period.start,
      end: b.period.end,
      amount: spendCsvAmount(b.usedMicros, b.unpriced),
      allocated: amount(b.allocatedMicros),
      currency: b.currency,
      status: b.status,
      ...unpricedCells(b.unpriced),
    });
  }
  for (const d of model.daily)
    rows.push({
      section: 'day',
      key: d.date,
      start: iso(d.startMs),
      amount: spendCsvAmount(d.micros, d.unpriced),
      currency: c,
      requests: d.requests,
      ...unpricedCells(d.unpriced),
    });
  const sections: [string, readonly BreakdownRow[]][] = [
    ['workflow', model.byWorkflow],
    ['model', model.byModel],
    ['agent', model.byAgent],
  ];
  for (const [section, list] of sections) {
    for (const r of list)
      rows.push({
        section,
        key: r.key,
        label: r.label,
        amount: spendCsvAmount(r.micros, r.unpriced),
        currency: c,
        requests: r.requests,
        ...unpricedCells(r.unpriced),
      });
  }
  for (const s of model.bill.seats)
    rows.push({ section: 'seat', key: s.id, label: s.label, amount: amount(s.micros), currency: c });
  rows.push(
    { section: 'bill', key: 'seats', label: 'Seats', amount: amount(model.bill.seatsMicros), currency: c },
    {
      section: 'bill',
      key: 'usage',
      label: 'Usage',
      amount: spendCsvAmount(model.bill.usageMicros, model.bill.usageUnpriced),
      currency: c,
      ...unpricedCells(model.bill.usageUnpriced),
    },
    {
      section: 'bill',
      key: 'total',
      label: 'Seats + usage',
      amount: spendCsvAmount(model.bill.totalMicros, model.bill.totalUnpriced),
      currency: c,
      ...unpricedCells(model.bill.totalUnpriced),
    },
  );
  for (const [section, list] of [
    ['session', model.sessions],
    ['agent_run', model.agentRuns],
  ] as const) {
    for (const r of list) {
      rows.push({
        section,
        key: r.id,
        label: r.label,
        workflow: r.workflow,
        start: iso(r.startMs),
        end: iso(r.endMs),
        amount: spendCsvAmount(r.costMicros, r.unpriced),
        currency: c,
        requests: r.requests,
        outlier: r.outlier,
        ...unpricedCells(r.unpriced),
      });
    }
  }
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) lines.push(CSV_COLUMNS.map((col) => cell(row[col], NUMERIC.has(col))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
