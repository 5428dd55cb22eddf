// The report as text for a terminal and as Markdown for a pull request or a wiki page (the CLI's
// `--format text|md`). Same model, same figures as the webview and the exports.
import { formatMicros, percentText, shortDate, statusWord } from './format';
import { dateTime } from './reportDates';
import type { BandReport, BreakdownRow, ReportModel, RunRow } from './reportModel';
import { spendText } from './reportSpend';

type Table = { head: string[]; rows: string[][]; right: boolean[] };

function m(micros: number, currency: string): string {
  return formatMicros(micros, currency, 'exact');
}

function periodText(b: BandReport): string {
  const zone = b.period.timezone ?? 'UTC';
  return `${shortDate(new Date(b.period.start), zone)}–${shortDate(new Date(Date.parse(b.period.end) - 1), zone)}`;
}

function bandTable(model: ReportModel): Table {
  return {
    head: ['Band', 'Period', 'Used', 'Allocated', '%', 'Pace', 'Forecast', 'Status'],
    right: [false, false, true, true, true, true, true, false],
    rows: model.bands.map((b) => [
      `${b.label}${b.inFocus ? ' *' : ''}`,
      periodText(b),
      spendText(b.usedMicros, b.unpriced, b.currency),
      `${m(b.allocatedMicros, b.currency)}${b.temporaryIncrease ? ` (incl. +${m(b.temporaryIncrease.micros, b.currency)} until ${shortDate(new Date(b.temporaryIncrease.until), b.period.timezone ?? 'UTC')})` : ''}`,
      percentText(b.percentUsed),
      m(b.paceMicros, b.currency),
      b.forecastMicros === null ? '—' : m(b.forecastMicros, b.currency),
      statusWord(b.status, b),
    ]),
  };
}

function breakdownTable(title: string, rows: readonly BreakdownRow[], currency: string): Table {
  return {
    head: [title, 'Spend', 'Share', 'Requests'],
    right: [false, true, true, true],
    rows: rows.map((r) => [
      `${r.label}${r.inFocus ? ' *' : ''}`,
      spendText(r.micros, r.unpriced, currency),
      r.unpriced?.nothingPriced ? '—' : percentText(r.percent),
      String(r.requests),
    ]),
  };
}

function runTable(title: string, rows: readonly RunRow[], currency: string, timeZone: string): Table {
  return {
    head: [title, 'Class', 'Started', 'Spend', 'Requests', 'Outlier'],
    right: [false, false, false, true, true, false],
    rows: rows.map((r) => [
      r.label,
      r.workflow,
      dateTime(new Date(r.startMs), timeZone),
      spendText(r.costMicros, r.unpriced, currency),
      String(r.requests),
      r.outlier ? `yes (over ${m(r.thresholdMicros ?? 0, currency)}, median ${m(r.medianMicros, currency)})` : '',
    ]),
  };
}

function tables(model: ReportModel): [string, Table][] {
  const c = model.currency;
  const zone = model.window.timezone;
  const out: [string, Table][] = [['Bands', bandTable(model)]];
  out.push(['By workflow class', breakdownTable('Class', model.byWorkflow, c)]);
  out.push(['By model', breakdownTable('Model', model.byModel, c)]);
  out.push(['By agent', breakdownTable('Agent', model.byAgent, c)]);
  if (model.sessions.length > 0) out.push(['Biggest sessions', runTable('Session', model.sessions, c, zone)]);
  if (model.agentRuns.length > 0) out.push(['Biggest agent runs', runTable('Agent run', model.agentRuns, c, zone)]);
  return out;
}

function headerLines(model: ReportModel): string[] {
  const c = model.currency;
  const stale = model.source.stale ? ' · STALE (last good bands)' : '';
  return [
    `${model.developer.name} · ${model.role} · bands from ${model.source.bands} · usage from ${model.source.usage === 'none' ? 'the bands only (no history)' : model.source.usage === 'local_logs' ? 'local agent logs' : 'the endpoint'}${stale}`,
    `Seats ${m(model.bill.seatsMicros, c)} + usage ${spendText(model.bill.usageMicros, model.bill.usageUnpriced, c)} = ${spendText(model.bill.totalMicros, model.bill.totalUnpriced, c)} (${model.window.label})`,
    `${model.totals.requests} requests; ${model.outlierCount} outlier run(s).`,
  ];
}

function textTable(t: Table): string[] {
  const all = [t.head, ...t.rows];
  const widths = t.head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r
      .map((cellText, i) => (t.right[i] ? cellText.padStart(widths[i]!) : cellText.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return t.rows.length === 0 ? ['  (none)'] : [fmt(t.head), ...t.rows.map(fmt)].map((l) => `  ${l}`);
}

export function reportToText(model: ReportModel): string {
  const lines = [`${model.title} (${model.window.timezone})`, ...headerLines(model)];
  for (const [title, table] of tables(model)) lines.push('', title, ...textTable(table));
  if (model.focus?.review === 'weekly') lines.push('', `* in this review: ${model.focus.classes.join(', ')}`);
  lines.push('', `Outliers: ${model.outlierRule}`);
  for (const note of model.notes) lines.push(`Note: ${note}`);
  return `${lines.join('\n')}\n`;
}

/** Markdown table cells: pipes and line breaks would break the row. */
function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function reportToMarkdown(model: ReportModel): string {
  const lines = [`# ${mdCell(model.title)}`, '', ...headerLines(model).map((l) => `${mdCell(l)}  `)];
  for (const [title, table] of tables(model)) {
    lines.push('', `## ${title}`, '');
    if (table.rows.length === 0) {
      lines.push('_None._');
      continue;
    }
    lines.push(
      `| ${table.head.map(mdCell).join(' | ')} |`,
      `|${table.right.map((r) => (r ? ' ---: ' : ' --- ')).join('|')}|`,
    );
    for (const row of table.rows) lines.push(`| ${row.map(mdCell).join(' | ')} |`);
  }
  if (model.focus?.review === 'weekly') lines.push('', `\\* in this review: ${model.focus.classes.join(', ')}`);
  lines.push('', `_Outliers: ${mdCell(model.outlierRule)}_`);
  for (const note of model.notes) lines.push('', `> ${mdCell(note)}`);
  return `${lines.join('\n')}\n`;
}
