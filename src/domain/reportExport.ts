// The report as files for spreadsheets and scripts: JSON (one document) and CSV (one rectangular table,
// a `section` column telling rows apart). Money is an exact decimal string from integer micros, never a
// float, so a column sums to the cent in any spreadsheet.
import { microsToDecimalString } from './money';
import type { BandReport, BreakdownRow, ReportModel, RunRow } from './reportModel';

export const REPORT_JSON_SCHEMA = 'spend-band/report/v1';

interface DecimalMoney {
  amount: string;
  currency: string;
}

function dm(micros: number, currency: string): DecimalMoney {
  return { amount: microsToDecimalString(micros), currency };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function breakdownJson(rows: readonly BreakdownRow[], currency: string) {
  return rows.map((r) => ({
    key: r.key,
    label: r.label,
    spend: dm(r.micros, currency),
    requests: r.requests,
    unpriced_requests: r.unpricedRequests,
  }));
}

function runJson(r: RunRow, currency: string) {
  return {
    id: r.id,
    label: r.label,
    workflow: r.workflow,
    start: iso(r.startMs),
    end: iso(r.endMs),
    spend: dm(r.costMicros, currency),
    requests: r.requests,
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
    used: dm(b.usedMicros, b.currency),
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
      spend: dm(model.totals.micros, c),
      requests: model.totals.requests,
      unpriced_requests: model.totals.unpricedRequests,
    },
    bill: {
      seats: model.bill.seats.map((s) => ({ id: s.id, label: s.label, cost: dm(s.micros, c) })),
      seats_total: dm(model.bill.seatsMicros, c),
      usage: dm(model.bill.usageMicros, c),
      total: dm(model.bill.totalMicros, c),
    },
    bands: model.bands.map(bandJson),
    by_workflow: breakdownJson(model.byWorkflow, c),
    by_model: breakdownJson(model.byModel, c),
    by_agent: breakdownJson(model.byAgent, c),
    daily: model.daily.map((d) => ({ date: d.date, spend: dm(d.micros, c) })),
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

const NUMERIC = new Set(['amount', 'allocated', 'requests']);

/** The CSV export: one row per band, day, class, model, agent, seat, bill line, session and agent run. */
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
      amount: amount(b.usedMicros),
      allocated: amount(b.allocatedMicros),
      currency: b.currency,
      status: b.status,
    });
  }
  for (const d of model.daily)
    rows.push({ section: 'day', key: d.date, start: iso(d.startMs), amount: amount(d.micros), currency: c });
  const sections: [string, readonly BreakdownRow[]][] = [
    ['workflow', model.byWorkflow],
    ['model', model.byModel],
    ['agent', model.byAgent],
  ];
  for (const [section, list] of sections) {
    for (const r of list)
      rows.push({ section, key: r.key, label: r.label, amount: amount(r.micros), currency: c, requests: r.requests });
  }
  for (const s of model.bill.seats)
    rows.push({ section: 'seat', key: s.id, label: s.label, amount: amount(s.micros), currency: c });
  rows.push(
    { section: 'bill', key: 'seats', label: 'Seats', amount: amount(model.bill.seatsMicros), currency: c },
    { section: 'bill', key: 'usage', label: 'Usage', amount: amount(model.bill.usageMicros), currency: c },
    { section: 'bill', key: 'total', label: 'Seats + usage', amount: amount(model.bill.totalMicros), currency: c },
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
        amount: amount(r.costMicros),
        currency: c,
        requests: r.requests,
        outlier: r.outlier,
      });
    }
  }
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) lines.push(CSV_COLUMNS.map((col) => cell(row[col], NUMERIC.has(col))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
