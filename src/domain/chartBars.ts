// Horizontal bars for the breakdowns (by workflow class, model, agent) and the biggest runs: one row a
// category, the bar's length proportional to spend on a common zero, the amount written beside it so
// the picture is never the only carrier of the figure.
import { linearScale } from './chartScale';
import { escapeXml, svgNumber } from './chartSvg';

export interface BarDatum {
  key: string;
  label: string;
  micros: number;
  /** the figure written beside the bar when not just the money (e.g. "no price (1.2M tokens)") */
  valueText?: string;
  /** drawn with the outlier style and a marker */
  marked?: boolean;
}

export interface BarRow {
  key: string;
  label: string;
  valueLabel: string;
  marked: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface BarChart {
  width: number;
  height: number;
  maxMicros: number;
  rows: BarRow[];
}

export interface BarChartOptions {
  money: (micros: number) => string;
  width?: number;
  rowHeight?: number;
  labelWidth?: number;
  valueWidth?: number;
}

export function barChart(data: readonly BarDatum[], options: BarChartOptions): BarChart {
  const width = options.width ?? 640;
  const rowHeight = options.rowHeight ?? 22;
  const labelWidth = options.labelWidth ?? 200;
  const valueWidth = options.valueWidth ?? 84;
  let maxMicros = 0;
  for (const d of data) maxMicros = Math.max(maxMicros, d.micros);
  const x = linearScale(0, maxMicros, 0, width - labelWidth - valueWidth);
  const rows = data.map((d, i) => ({
    key: d.key,
    label: d.label,
    valueLabel: d.valueText ?? options.money(d.micros),
    marked: d.marked === true,
    x: labelWidth,
    y: i * rowHeight + 3,
    // a non-zero amount always shows at least a sliver, so it is not read as nothing
    width: d.micros > 0 ? Math.max(1, x(Math.max(0, d.micros))) : 0,
    height: rowHeight - 6,
  }));
  return { width, height: Math.max(rowHeight, data.length * rowHeight), maxMicros, rows };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function barChartSvg(chart: BarChart, title: string): string {
  const parts = [
    `<svg class="sb-bars" viewBox="0 0 ${chart.width} ${chart.height}" role="img" aria-label="${escapeXml(title)}" xmlns="http://www.w3.org/2000/svg">`,
    `<title>${escapeXml(title)}</title>`,
  ];
  for (const row of chart.rows) {
    const mid = svgNumber(row.y + row.height / 2 + 4);
    const mark = row.marked ? '▲ ' : '';
    parts.push(
      `<text class="sb-bar-label" x="${row.x - 8}" y="${mid}" text-anchor="end">${escapeXml(mark + truncate(row.label, 30))}</text>`,
      `<rect class="${row.marked ? 'sb-bar sb-bar-outlier' : 'sb-bar'}" x="${row.x}" y="${svgNumber(row.y)}" width="${svgNumber(row.width)}" height="${svgNumber(row.height)}" rx="2"><title>${escapeXml(`${row.label}: ${row.valueLabel}`)}</title></rect>`,
      `<text class="sb-bar-value" x="${svgNumber(row.x + row.width + 6)}" y="${mid}">${escapeXml(row.valueLabel)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
