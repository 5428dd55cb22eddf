// The report's page body as HTML (inside the webview's shell, which adds the CSP, styles and script).
// Pure and bounded: one SVG per band (its line downsampled), one bar chart per breakdown, tables of at
// most a period's days and the top runs, so a year of usage costs the same DOM as a quiet week.
// No inline styles or handlers (the CSP forbids them): classes and data-action attributes only.
import { bandChart, bandChartSvg } from './chartBand';
import { barChart, barChartSvg, type BarDatum } from './chartBars';
import { escapeXml as e } from './chartSvg';
import { formatMicros, percentText, shortDate, statusWord } from './format';
import { dateTime } from './reportDates';
import type { BandReport, BreakdownRow, ReportModel, RunRow } from './reportModel';
import { spendShortText, spendText, unpricedPart, unpricedUsageDetail } from './reportSpend';

const MAX_BARS = 12;

function m(micros: number, currency: string, style: 'compact' | 'exact' = 'exact'): string {
  return formatMicros(micros, currency, style);
}

function bandSection(b: BandReport, nowMs: number): string {
  const zone = b.period.timezone ?? 'UTC';
  const chart = bandChart({
    startMs: Date.parse(b.period.start),
    endMs: Date.parse(b.period.end),
    timeZone: zone,
    nowMs,
    spend: b.series,
    allocation: b.allocation,
    paceToMicros: b.allocation[0]?.micros ?? b.allocatedMicros,
    forecast: b.forecast ?? undefined,
  });
  const span = `${shortDate(new Date(b.period.start), zone)}–${shortDate(new Date(Date.parse(b.period.end) - 1), zone)}`;
  const forecastText =
    b.forecastMicros === null
      ? ''
      : `, forecast ${m(b.forecastMicros, b.currency)} by ${shortDate(new Date(Date.parse(b.period.end) - 1), zone)}`;
  const used = spendText(b.usedMicros, b.unpriced, b.currency);
  const description = `${b.label}: ${used} of ${m(b.allocatedMicros, b.currency)} used (${percentText(b.percentUsed)}), ${span}${forecastText}; ${statusWord(b.status, b)}.`;
  const svg = bandChartSvg(chart, {
    title: `${b.label}, cumulative spend ${span}`,
    description,
    money: (micros) =>
      micros === 0 ? m(0, b.currency, 'compact').replace(/\.00$/, '') : m(micros, b.currency, 'compact'),
  });
  const increase = b.temporaryIncrease
    ? `<p class="sb-increase">Includes a temporary increase of ${e(m(b.temporaryIncrease.micros, b.currency))} until ${e(shortDate(new Date(b.temporaryIncrease.until), zone))}: the allocation line steps down there.</p>`
    : '';
  const rows = b.series
    .slice(1)
    .map(
      (p) =>
        `<tr><td>${e(dateTime(new Date(p.ms), zone))}</td><td class="sb-num">${e(m(p.micros, b.currency))}</td></tr>`,
    )
    .join('');
  return (
    `<article class="sb-band${b.inFocus ? ' sb-focus' : ''}" data-band-id="${e(b.id)}">` +
    `<h3>${e(b.label)} <span class="sb-status sb-status-${e(b.status)}">${e(statusWord(b.status, b))}</span>${b.current ? '' : ' <span class="sb-past">past period</span>'}</h3>` +
    `<p class="sb-figures"><strong>${e(used)}</strong> of ${e(m(b.allocatedMicros, b.currency))} (${e(percentText(b.percentUsed))}) · pace ${e(m(b.paceMicros, b.currency))}${b.forecastMicros === null ? '' : ` · forecast <span class="sb-forecast-text">${e(m(b.forecastMicros, b.currency))}</span>`} · ${e(span)}</p>` +
    increase +
    `<div class="sb-chart-box">${svg}</div>` +
    (b.estimatedSeries
      ? '<p class="sb-note">No usage history: the line joins the start of the period to today’s total.</p>'
      : '') +
    `<details class="sb-data"><summary>Data</summary><table><thead><tr><th>Up to</th><th>Cumulative</th></tr></thead><tbody>${rows}</tbody></table></details>` +
    '</article>'
  );
}

function bars(title: string, rows: readonly BreakdownRow[], currency: string, id: string): string {
  if (rows.length === 0)
    return `<section class="sb-breakdown" data-breakdown="${id}"><h3>${e(title)}</h3><p class="sb-empty">No usage in this window.</p></section>`;
  const shown = rows.slice(0, MAX_BARS);
  const rest = rows.slice(MAX_BARS);
  const data: BarDatum[] = shown.map((r) => ({
    key: r.key,
    label: `${r.label}${r.inFocus ? ' ★' : ''}`,
    micros: r.micros,
    valueText: spendShortText(r.micros, r.unpriced, currency),
  }));
  if (rest.length > 0) {
    const micros = rest.reduce((a, r) => a + r.micros, 0);
    const unpriced = unpricedPart(
      rest.reduce((a, r) => a + r.requests, 0),
      rest.reduce((a, r) => a + (r.unpriced?.requests ?? 0), 0),
      rest.reduce((a, r) => a + (r.unpriced?.tokens ?? 0), 0),
    );
    data.push({
      key: 'other',
      label: `${rest.length} more`,
      micros,
      valueText: spendShortText(micros, unpriced, currency),
    });
  }
  // The bars say "no price" / "≥ $x"; what has no price is listed in words with its tokens.
  const unpricedRows = rows.filter((r) => r.unpriced);
  const unpricedText =
    unpricedRows.length === 0
      ? ''
      : `<p class="sb-unpriced">No price (not in the money, never counted as $0): ${unpricedRows
          .map((r) => `${e(r.label)} ${e(unpricedUsageDetail(r.unpriced!))}`)
          .join('; ')}. Sums marked ≥ are lower bounds.</p>`;
  const chart = barChart(data, { money: (micros) => m(micros, currency, 'compact') });
  return `<section class="sb-breakdown" data-breakdown="${id}"><h3>${e(title)}</h3><div class="sb-chart-box">${barChartSvg(chart, title)}</div>${unpricedText}</section>`;
}

function runTable(title: string, runs: readonly RunRow[], currency: string, timeZone: string, id: string): string {
  if (runs.length === 0)
    return `<section class="sb-runs" data-runs="${id}"><h3>${e(title)}</h3><p class="sb-empty">None in this window (they come from the agent logs on this machine).</p></section>`;
  const body = runs
    .map(
      (r) =>
        `<tr class="${r.outlier ? 'sb-outlier' : ''}"><td>${r.outlier ? '<span class="sb-outlier-mark" title="outlier">▲</span> ' : ''}${e(r.label)}</td><td>${e(r.workflow)}</td><td>${e(dateTime(new Date(r.startMs), timeZone))}</td><td class="sb-num">${e(spendText(r.costMicros, r.unpriced, currency))}</td><td class="sb-num">${r.requests}</td><td>${r.outlier ? `outlier: over ${e(m(r.thresholdMicros ?? 0, currency))} (median ${e(m(r.medianMicros, currency))})` : ''}</td></tr>`,
    )
    .join('');
  return `<section class="sb-runs" data-runs="${id}"><h3>${e(title)}</h3><table><thead><tr><th>Run</th><th>Class</th><th>Started</th><th>Spend</th><th>Requests</th><th></th></tr></thead><tbody>${body}</tbody></table></section>`;
}

/** The page body. `nowMs` places the "now" marker (the model's generatedAt by default). */
export function reportBodyHtml(model: ReportModel, nowMs = Date.parse(model.generatedAt)): string {
  const c = model.currency;
  const parts: string[] = [];
  const usageFrom =
    model.source.usage === 'endpoint'
      ? 'the endpoint'
      : model.source.usage === 'local_logs'
        ? 'the agent logs on this machine'
        : 'the bands (no history)';
  parts.push(
    '<header class="sb-header">',
    `<h1>${e(model.title)}</h1>`,
    `<p class="sb-sub">${e(model.developer.name)} · ${e(model.role)} · bands from ${e(model.source.bands)}, usage from ${e(usageFrom)} · ${e(model.window.timezone)}${model.source.stale ? ' · <span class="sb-stale">stale: the last good bands</span>' : ''}</p>`,
    '<nav class="sb-actions" aria-label="Report actions">',
    '<button data-action="previous" title="The previous window">◀ Previous</button>',
    '<button data-action="next" title="The next window">Next ▶</button>',
    `<button data-action="toggleKind">${model.window.kind === 'month' ? 'Show week' : 'Show month'}</button>`,
    '<button data-action="exportCsv">Export CSV…</button>',
    '<button data-action="exportJson">Export JSON…</button>',
    '<button data-action="refresh">Refresh</button>',
    '</nav>',
    '</header>',
  );
  if (model.focus) {
    const what =
      model.focus.review === 'weekly'
        ? `the volatile classes (${model.focus.classes.join(', ')}), marked ★`
        : 'the whole month';
    parts.push(
      `<p class="sb-review" role="note">${e(model.focus.review === 'weekly' ? 'Weekly review' : 'Monthly review')} of ${e(model.window.label)}: ${e(what)}. ${model.outlierCount} outlier run(s).</p>`,
    );
  }
  parts.push(
    '<section class="sb-bill" aria-label="The whole bill">',
    `<div><span class="sb-bill-label">Seats</span><span class="sb-bill-value">${e(m(model.bill.seatsMicros, c))}</span></div>`,
    '<div class="sb-op">+</div>',
    `<div><span class="sb-bill-label">Usage</span><span class="sb-bill-value">${e(spendText(model.bill.usageMicros, model.bill.usageUnpriced, c))}</span></div>`,
    '<div class="sb-op">=</div>',
    `<div><span class="sb-bill-label">Whole bill, ${e(model.window.label)}</span><span class="sb-bill-value sb-total">${e(spendText(model.bill.totalMicros, model.bill.totalUnpriced, c))}</span></div>`,
    '</section>',
  );
  parts.push(
    '<ul class="sb-legend" aria-label="Legend">',
    '<li><span class="sb-swatch sb-swatch-spend"></span>Cumulative spend</li>',
    '<li><span class="sb-swatch sb-swatch-allocation"></span>Allocation</li>',
    '<li><span class="sb-swatch sb-swatch-pace"></span>Pace (allocation spent evenly)</li>',
    '<li><span class="sb-swatch sb-swatch-forecast"></span>Forecast to period end</li>',
    '</ul>',
  );
  parts.push('<section class="sb-bands"><h2>Bands</h2>');
  if (model.bands.length === 0) parts.push('<p class="sb-empty">No bands: connect an endpoint or set local bands.</p>');
  for (const band of model.bands) parts.push(bandSection(band, nowMs));
  parts.push('</section>');
  parts.push(
    '<section class="sb-breakdowns"><h2>Where it went</h2>',
    bars('By workflow class', model.byWorkflow, c, 'workflow'),
    bars('By model', model.byModel, c, 'model'),
    bars('By agent', model.byAgent, c, 'agent'),
    '</section>',
  );
  parts.push(
    '<section class="sb-biggest"><h2>Biggest sessions and agent runs</h2>',
    runTable('Sessions', model.sessions, c, model.window.timezone, 'sessions'),
    runTable('Agent runs', model.agentRuns, c, model.window.timezone, 'agentRuns'),
    `<p class="sb-note">${e(model.outlierRule)}</p>`,
    '</section>',
  );
  if (model.notes.length > 0)
    parts.push(
      `<section class="sb-notes"><h2>Notes</h2><ul>${model.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul></section>`,
    );
  parts.push(
    `<footer class="sb-footer">Generated ${e(dateTime(new Date(model.generatedAt), model.window.timezone))} · ${model.totals.requests} requests in this window</footer>`,
  );
  return parts.join('\n');
}
