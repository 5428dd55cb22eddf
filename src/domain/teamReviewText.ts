// The team review as Markdown (to paste into a review document) or CSV (one table of rows with a
// `section` column, for a spreadsheet). Money is printed exactly from micros (no float rounding).
import { microsToDecimalString } from './money';
import type { TeamReview } from './teamReview';

/** One RFC 4180 cell; text a spreadsheet would run as a formula (= + - @ first) gets an apostrophe (names come from admins and developers). */
function escapeCsvCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Exact money from integer micros: "$1,234.50" keeps cents, and shows sub-cent digits only when present. */
export function reviewMoney(micros: number, currency: string): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const units = Math.floor(abs / 1_000_000);
  let fraction = String(abs % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  if (fraction.length < 2) fraction = fraction.padEnd(2, '0');
  const grouped = units.toLocaleString('en-US');
  return currency === 'USD' ? `${sign}$${grouped}.${fraction}` : `${sign}${grouped}.${fraction} ${currency}`;
}

/** Plain exact decimal for CSV, no grouping or currency sign. */
const decimal = microsToDecimalString;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

function table(header: string[], rows: string[][]): string {
  if (rows.length === 0) return '_none_\n';
  return (
    [
      `| ${header.join(' | ')} |`,
      `| ${header.map(() => '---').join(' | ')} |`,
      ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    ].join('\n') + '\n'
  );
}

export function teamReviewMarkdown(review: TeamReview): string {
  const m = (micros: number) => reviewMoney(micros, review.currency);
  const out: string[] = [];
  out.push(
    `# Team review: ${review.team}, ${review.period} ${review.start.slice(0, 10)} – ${new Date(Date.parse(review.end) - 1).toISOString().slice(0, 10)}\n`,
  );
  out.push(
    `${review.totals.developers} developers: seats ${m(review.totals.seatMicros)} + metered usage ${m(review.totals.usageMicros)} = **${m(review.totals.totalMicros)}** against a baseline of ${m(review.totals.baselineMicros)}. Generated ${review.generatedAt}.\n`,
  );
  out.push('## Per role\n');
  out.push(
    table(
      ['Role', 'Developers', 'Seats', 'Usage', 'Total', 'Baseline', 'Over baseline'],
      review.roles.map((r) => [
        r.role,
        String(r.developers),
        m(r.seatMicros),
        m(r.usageMicros),
        m(r.totalMicros),
        m(r.baselineMicros),
        m(r.overBaselineMicros),
      ]),
    ),
  );
  out.push('\n## Per developer\n');
  out.push(
    table(
      ['Developer', 'Role', 'Seat', 'Usage', 'Total', 'Baseline', 'Over baseline'],
      review.developers.map((d) => [
        d.name ? `${d.name} (${d.developerId})` : d.developerId,
        d.role,
        m(d.seatMicros),
        m(d.usageMicros),
        m(d.totalMicros),
        m(d.baselineMicros),
        m(d.overBaselineMicros),
      ]),
    ),
  );
  out.push(`\n## Idle and barely used seats (${m(review.idleSeatMicros)} of seats)\n`);
  out.push(`${review.rules.idle}\n\n`);
  out.push(
    table(
      ['Developer', 'Role', 'State', 'Seat', 'Usage'],
      review.idleSeats.map((s) => [
        s.name ? `${s.name} (${s.developerId})` : s.developerId,
        s.role,
        s.state === 'idle' ? 'idle' : 'barely used',
        m(s.seatMicros),
        m(s.usageMicros),
      ]),
    ),
  );
  out.push('\n## Workflow classes\n');
  out.push(`${review.rules.drift}\n\n`);
  out.push(
    table(
      ['Class', 'Spend', 'Bands', '% of bands', 'Last 7 days', '7 days before', 'Change', 'Drifting'],
      review.classes.map((c) => [
        c.workflow,
        m(c.spendMicros),
        c.bandMicros > 0 ? m(c.bandMicros) : '—',
        c.percentOfBand === null ? '—' : `${c.percentOfBand} %`,
        m(c.lastWeekMicros),
        m(c.previousWeekMicros),
        c.weekOverWeekPercent === null ? '—' : `${c.weekOverWeekPercent > 0 ? '+' : ''}${c.weekOverWeekPercent} %`,
        c.drifting ? `yes: ${c.why}` : 'no',
      ]),
    ),
  );
  out.push('\n## Outliers within role and class\n');
  out.push(`${review.rules.outlier}\n\n`);
  out.push(
    table(
      ['Developer', 'Role', 'Class', 'Spend', 'Role median', 'Threshold', 'Largest runs'],
      review.outliers.map((o) => [
        o.name ? `${o.name} (${o.developerId})` : o.developerId,
        o.role,
        o.workflow,
        m(o.spendMicros),
        m(o.roleMedianMicros),
        m(o.thresholdMicros),
        o.largestRuns
          .map((r) => `${m(r.costMicros)} ${new Date(r.startMs).toISOString().slice(0, 16).replace('T', ' ')}`)
          .join('; '),
      ]),
    ),
  );
  out.push('\n## Increase requests\n');
  const requestRows = [
    ...review.requests.approved,
    ...review.requests.denied,
    ...review.requests.pending,
    ...review.requests.other,
  ].map((r) => [
    r.id,
    r.developerId,
    r.status,
    r.bandId ?? '—',
    r.requestedMicros === null ? '—' : m(r.requestedMicros),
    r.approvedMicros === null ? '—' : m(r.approvedMicros),
    r.outcome
      ? [
          r.outcome.kind,
          r.outcome.metric,
          r.outcome.target !== undefined ? `target ${r.outcome.target}${r.outcome.unit ?? ''}` : '',
        ]
          .filter(Boolean)
          .join(', ')
      : '—',
    r.reviewAt ?? '—',
    r.status !== 'approved'
      ? '—'
      : r.result
        ? `recorded: ${r.result.text}`
        : r.reviewOverdue
          ? 'missing (review date passed)'
          : 'not yet',
  ]);
  out.push(
    table(
      ['Request', 'Developer', 'Status', 'Band', 'Asked', 'Approved', 'Promised outcome', 'Review date', 'Result'],
      requestRows,
    ),
  );
  return out.join('');
}

export function teamReviewCsv(review: TeamReview): string {
  const rows: string[][] = [['section', 'key', 'role', 'class', 'seat', 'usage', 'total', 'baseline', 'detail']];
  for (const r of review.roles)
    rows.push([
      'role',
      r.role,
      r.role,
      '',
      decimal(r.seatMicros),
      decimal(r.usageMicros),
      decimal(r.totalMicros),
      decimal(r.baselineMicros),
      `${r.developers} developers`,
    ]);
  for (const d of review.developers)
    rows.push([
      'developer',
      d.developerId,
      d.role,
      '',
      decimal(d.seatMicros),
      decimal(d.usageMicros),
      decimal(d.totalMicros),
      decimal(d.baselineMicros),
      d.name ?? '',
    ]);
  for (const s of review.idleSeats)
    rows.push(['idle_seat', s.developerId, s.role, '', decimal(s.seatMicros), decimal(s.usageMicros), '', '', s.state]);
  for (const c of review.classes) {
    rows.push([
      'class',
      c.workflow,
      '',
      c.workflow,
      '',
      decimal(c.spendMicros),
      '',
      decimal(c.bandMicros),
      `last7=${decimal(c.lastWeekMicros)} prev7=${decimal(c.previousWeekMicros)} drifting=${c.drifting}`,
    ]);
  }
  for (const o of review.outliers)
    rows.push([
      'outlier',
      o.developerId,
      o.role,
      o.workflow,
      '',
      decimal(o.spendMicros),
      '',
      '',
      `median=${decimal(o.roleMedianMicros)} threshold=${decimal(o.thresholdMicros)}`,
    ]);
  for (const r of [
    ...review.requests.approved,
    ...review.requests.denied,
    ...review.requests.pending,
    ...review.requests.other,
  ]) {
    rows.push([
      'request',
      r.id,
      '',
      r.bandId ?? '',
      '',
      r.approvedMicros === null ? '' : decimal(r.approvedMicros),
      '',
      '',
      `${r.status}; result=${r.result ? r.result.text : r.status === 'approved' ? 'none' : ''}`,
    ]);
  }
  return rows.map((r) => r.map(escapeCsvCell).join(',')).join('\n') + '\n';
}
