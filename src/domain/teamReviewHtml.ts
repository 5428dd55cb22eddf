// The team review as one static HTML page: no script, no external resource (styles inline, charts as
// inline SVG), light and dark from the reader's colour scheme, and a print stylesheet (A4, no
// backgrounds wasted, tables kept whole). Every text that came from the database is escaped.
import { barChart, barChartSvg } from './chartBars';
import { escapeXml } from './chartSvg';
import type { TeamReview } from './teamReview';
import { reviewMoney } from './teamReviewText';

const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --card: #f6f8fa; --line: #d1d9e0; --bar: #2f6fdd; --warn: #b35900; --bad: #c62828; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --card: #151b23; --line: #3d444d; --bar: #4493f8; --warn: #f0883e; --bad: #ff7b72; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1040px; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.muted, .rule { color: var(--muted); } .rule { font-size: 12.5px; margin: 4px 0 8px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 10px; margin: 16px 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.card b { display: block; font-size: 19px; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12.5px; } td.n, th.n { text-align: right; white-space: nowrap; }
.tag { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 12px; border: 1px solid currentColor; }
.warn { color: var(--warn); } .bad { color: var(--bad); }
svg.sb-bars { width: 100%; height: auto; max-width: 900px; }
.sb-bar { fill: var(--bar); } .sb-bar-outlier { fill: var(--warn); }
.sb-bar-label, .sb-bar-value { fill: var(--fg); font-size: 12px; }
@media print {
  @page { size: A4; margin: 14mm; }
  body { max-width: none; padding: 0; font-size: 11px; color: #000; background: #fff; }
  :root { --fg: #000; --muted: #444; --bg: #fff; --card: #fff; --line: #bbb; --bar: #555; --warn: #000; --bad: #000; }
  h2 { break-after: avoid; } table, svg, .cards { break-inside: avoid; }
}`;

function table(header: readonly string[], rows: readonly (readonly string[])[], numeric: ReadonlySet<number>): string {
  if (rows.length === 0) return '<p class="muted">None.</p>';
  const th = header.map((h, i) => `<th${numeric.has(i) ? ' class="n"' : ''}>${escapeXml(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => `<td${numeric.has(i) ? ' class="n"' : ''}>${c}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

export function teamReviewHtml(review: TeamReview): string {
  const m = (micros: number) => escapeXml(reviewMoney(micros, review.currency));
  const e = escapeXml;
  const who = (name: string | null, id: string) => (name ? `${e(name)} <span class="muted">${e(id)}</span>` : e(id));
  const lastDay = new Date(Date.parse(review.end) - 1).toISOString().slice(0, 10);
  const title = `Team review: ${review.team}, ${review.period} ${review.start.slice(0, 10)} – ${lastDay}`;
  const outlierIds = new Set(review.outliers.map((o) => o.developerId));
  const idleIds = new Set(review.idleSeats.map((s) => s.developerId));
  const money = (micros: number) => reviewMoney(micros, review.currency);

  const devChart = barChartSvg(
    barChart(
      review.developers.map((d) => ({
        key: d.developerId,
        label: `${d.name ?? d.developerId} (${d.role})`,
        micros: d.totalMicros,
        marked: outlierIds.has(d.developerId),
      })),
      { money, width: 900, labelWidth: 260, valueWidth: 100 },
    ),
    'Seat + usage per developer; ▲ marks an outlier within its role',
  );
  const classChart = barChartSvg(
    barChart(
      review.classes.map((c) => ({
        key: c.workflow,
        label: `${c.workflow}${c.bandMicros > 0 ? ` (band ${money(c.bandMicros)})` : ''}`,
        micros: c.spendMicros,
        marked: c.drifting,
      })),
      { money, width: 900, labelWidth: 320, valueWidth: 100 },
    ),
    'Spend per workflow class; ▲ marks a drifting class',
  );

  const requests = [
    ...review.requests.approved,
    ...review.requests.denied,
    ...review.requests.pending,
    ...review.requests.other,
  ];
  const parts = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${e(title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${e(title)}</h1>`,
    `<p class="muted">Generated ${e(review.generatedAt)} · ${review.totals.developers} developers · ${e(review.currency)}</p>`,
    '<div class="cards">',
    `<div class="card">Seats<b>${m(review.totals.seatMicros)}</b></div>`,
    `<div class="card">Metered usage<b>${m(review.totals.usageMicros)}</b></div>`,
    `<div class="card">Total<b>${m(review.totals.totalMicros)}</b></div>`,
    `<div class="card">Baseline<b>${m(review.totals.baselineMicros)}</b></div>`,
    `<div class="card">Idle / barely used seats<b>${review.idleSeats.length} · ${m(review.idleSeatMicros)}</b></div>`,
    '</div>',
    '<h2>Per role</h2>',
    table(
      ['Role', 'Developers', 'Seats', 'Usage', 'Total', 'Baseline', 'Over baseline'],
      review.roles.map((r) => [
        e(r.role),
        String(r.developers),
        m(r.seatMicros),
        m(r.usageMicros),
        m(r.totalMicros),
        m(r.baselineMicros),
        `<span class="${r.overBaselineMicros > 0 ? 'bad' : ''}">${m(r.overBaselineMicros)}</span>`,
      ]),
      new Set([1, 2, 3, 4, 5, 6]),
    ),
    '<h2>Per developer</h2>',
    devChart,
    table(
      ['Developer', 'Role', 'Seat', 'Usage', 'Total', 'Baseline', 'Over baseline'],
      review.developers.map((d) => [
        `${who(d.name, d.developerId)}${outlierIds.has(d.developerId) ? ' <span class="tag warn">outlier</span>' : ''}${idleIds.has(d.developerId) ? ' <span class="tag">idle seat</span>' : ''}`,
        e(d.role),
        m(d.seatMicros),
        m(d.usageMicros),
        m(d.totalMicros),
        m(d.baselineMicros),
        `<span class="${d.overBaselineMicros > 0 ? 'bad' : ''}">${m(d.overBaselineMicros)}</span>`,
      ]),
      new Set([2, 3, 4, 5, 6]),
    ),
    `<h2>Idle and barely used seats</h2><p class="rule">${e(review.rules.idle)}</p>`,
    table(
      ['Developer', 'Role', 'State', 'Seat cost', 'Usage'],
      review.idleSeats.map((s) => [
        who(s.name, s.developerId),
        e(s.role),
        s.state === 'idle' ? 'idle' : 'barely used',
        m(s.seatMicros),
        m(s.usageMicros),
      ]),
      new Set([3, 4]),
    ),
    `<h2>Workflow classes</h2><p class="rule">${e(review.rules.drift)}</p>`,
    classChart,
    table(
      ['Class', 'Spend', 'Bands', '% of bands', 'Last 7 days', '7 days before', 'Change', 'Drifting'],
      review.classes.map((c) => [
        e(c.workflow),
        m(c.spendMicros),
        c.bandMicros > 0 ? m(c.bandMicros) : '—',
        c.percentOfBand === null ? '—' : `${c.percentOfBand} %`,
        m(c.lastWeekMicros),
        m(c.previousWeekMicros),
        c.weekOverWeekPercent === null ? '—' : `${c.weekOverWeekPercent > 0 ? '+' : ''}${c.weekOverWeekPercent} %`,
        c.drifting ? `<span class="tag warn">drifting</span> ${e(c.why ?? '')}` : 'no',
      ]),
      new Set([1, 2, 3, 4, 5, 6]),
    ),
    `<h2>Outliers within role and class</h2><p class="rule">${e(review.rules.outlier)}</p>`,
    table(
      ['Developer', 'Role', 'Class', 'Spend', 'Role median', 'Threshold', 'Largest runs'],
      review.outliers.map((o) => [
        who(o.name, o.developerId),
        e(o.role),
        e(o.workflow),
        m(o.spendMicros),
        m(o.roleMedianMicros),
        m(o.thresholdMicros),
        o.largestRuns
          .map(
            (r) =>
              `${m(r.costMicros)} <span class="muted">${e(new Date(r.startMs).toISOString().slice(0, 16).replace('T', ' '))}</span>`,
          )
          .join('<br>'),
      ]),
      new Set([3, 4, 5]),
    ),
    '<h2>Increase requests</h2>',
    table(
      ['Request', 'Developer', 'Status', 'Band', 'Asked', 'Approved', 'Promised outcome', 'Review date', 'Result'],
      requests.map((r) => [
        e(r.id),
        e(r.developerId),
        e(r.status),
        e(r.bandId ?? '—'),
        r.requestedMicros === null ? '—' : m(r.requestedMicros),
        r.approvedMicros === null ? '—' : m(r.approvedMicros),
        r.outcome
          ? e(
              [
                r.outcome.kind,
                r.outcome.metric,
                r.outcome.target !== undefined ? `target ${r.outcome.target}${r.outcome.unit ?? ''}` : '',
              ]
                .filter(Boolean)
                .join(', '),
            )
          : '—',
        e(r.reviewAt ?? '—'),
        r.status !== 'approved'
          ? '—'
          : r.result
            ? `recorded: ${e(r.result.text)}`
            : r.reviewOverdue
              ? '<span class="tag bad">missing, review date passed</span>'
              : 'not yet',
      ]),
      new Set([4, 5]),
    ),
    '</body></html>',
  ];
  return parts.join('\n');
}
