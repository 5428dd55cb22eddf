// The band chart: cumulative spend over the band's period against the allocation line (a step when a
// temporary increase ends inside the period), the pace line (linear use of the allocation) and the
// forecast from now to the period end. Geometry first (numbers the tests check), then one SVG string
// whose colours come from CSS classes, so the webview's theme variables decide them.
import { downsampleSeries, linearScale, moneyAxis, timeTicks, type SeriesPoint } from './chartScale';
import { escapeXml, svgNumber } from './chartSvg';
import type { Band } from './schemas';

export interface AllocationStep {
  fromMs: number;
  toMs: number;
  micros: number;
}

export interface BandChartInput {
  startMs: number;
  endMs: number;
  timeZone: string;
  nowMs: number;
  /** cumulative spend, sorted by time, starting at (startMs, 0) */
  spend: readonly SeriesPoint[];
  allocation: readonly AllocationStep[];
  /** where the pace line ends at endMs (the allocation, spent evenly) */
  paceToMicros: number;
  /** from (fromMs, fromMicros) to (endMs, toMicros); omitted when the period is over */
  forecast?: { fromMs: number; fromMicros: number; toMicros: number } | undefined;
  width?: number;
  height?: number;
  /** most points drawn for the spend line (a long period is downsampled) */
  maxPoints?: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface BandChart {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  maxMicros: number;
  yTicks: { micros: number; y: number }[];
  xTicks: { ms: number; x: number; label: string }[];
  spend: Point[];
  allocation: Point[];
  pace: [Point, Point];
  forecast: [Point, Point] | undefined;
  /** x of "now" when it falls inside the period */
  nowX: number | undefined;
}

const MARGIN = { left: 56, right: 12, top: 10, bottom: 24 };

/**
 * The allocation over [startMs, endMs): one step, or two when a temporary increase (already included
 * in `allocated`) ends inside the period.
 */
export function allocationSteps(
  band: Pick<Band, 'allocated' | 'temporary_increase'>,
  startMs: number,
  endMs: number,
): AllocationStep[] {
  const allocated = band.allocated.amount_micros;
  const increase = band.temporary_increase;
  const untilMs = increase ? Date.parse(increase.until) : Number.NaN;
  if (increase && untilMs > startMs && untilMs < endMs) {
    return [
      { fromMs: startMs, toMs: untilMs, micros: allocated },
      { fromMs: untilMs, toMs: endMs, micros: allocated - increase.amount.amount_micros },
    ];
  }
  return [{ fromMs: startMs, toMs: endMs, micros: allocated }];
}

export function bandChart(input: BandChartInput): BandChart {
  const width = input.width ?? 640;
  const height = input.height ?? 220;
  const plot = { left: MARGIN.left, top: MARGIN.top, right: width - MARGIN.right, bottom: height - MARGIN.bottom };
  const spend = downsampleSeries(input.spend, input.maxPoints ?? 200);
  let top = input.paceToMicros;
  for (const step of input.allocation) top = Math.max(top, step.micros);
  for (const p of spend) top = Math.max(top, p.micros);
  if (input.forecast) top = Math.max(top, input.forecast.toMicros, input.forecast.fromMicros);
  const axis = moneyAxis(top);
  const x = linearScale(input.startMs, input.endMs, plot.left, plot.right);
  const y = linearScale(0, axis.maxMicros, plot.bottom, plot.top);
  const at = (ms: number, micros: number): Point => ({ x: x(ms), y: y(micros) });
  const allocation: Point[] = [];
  for (const step of input.allocation) allocation.push(at(step.fromMs, step.micros), at(step.toMs, step.micros));
  const nowInside = input.nowMs > input.startMs && input.nowMs < input.endMs;
  return {
    width,
    height,
    plot,
    maxMicros: axis.maxMicros,
    yTicks: axis.ticks.map((micros) => ({ micros, y: y(micros) })),
    xTicks: timeTicks(
      input.startMs,
      input.endMs,
      input.timeZone,
      Math.max(3, Math.floor((plot.right - plot.left) / 64)),
    ).map((t) => ({ ...t, x: x(t.ms) })),
    spend: spend.map((p) => at(p.ms, p.micros)),
    allocation,
    pace: [at(input.startMs, 0), at(input.endMs, input.paceToMicros)],
    forecast: input.forecast
      ? [at(input.forecast.fromMs, input.forecast.fromMicros), at(input.endMs, input.forecast.toMicros)]
      : undefined,
    nowX: nowInside ? x(input.nowMs) : undefined,
  };
}

function polyline(points: readonly Point[]): string {
  return points.map((p) => `${svgNumber(p.x)},${svgNumber(p.y)}`).join(' ');
}

export interface BandChartText {
  /** the accessible name of the chart */
  title: string;
  /** a sentence with the figures, read by screen readers instead of the picture */
  description: string;
  money: (micros: number) => string;
}

/** The chart as an SVG element; every colour is a class (sb-*) styled by the webview's theme CSS. */
export function bandChartSvg(chart: BandChart, text: BandChartText): string {
  const { plot } = chart;
  const parts: string[] = [];
  parts.push(
    `<svg class="sb-chart" viewBox="0 0 ${chart.width} ${chart.height}" role="img" aria-label="${escapeXml(text.title)}" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">`,
    `<title>${escapeXml(text.title)}</title><desc>${escapeXml(text.description)}</desc>`,
  );
  for (const tick of chart.yTicks) {
    parts.push(
      `<line class="sb-grid" x1="${plot.left}" x2="${plot.right}" y1="${svgNumber(tick.y)}" y2="${svgNumber(tick.y)}"/>`,
      `<text class="sb-axis-label" x="${plot.left - 6}" y="${svgNumber(tick.y + 4)}" text-anchor="end">${escapeXml(text.money(tick.micros))}</text>`,
    );
  }
  for (const tick of chart.xTicks) {
    parts.push(
      `<line class="sb-tick" x1="${svgNumber(tick.x)}" x2="${svgNumber(tick.x)}" y1="${plot.bottom}" y2="${plot.bottom + 4}"/>`,
      `<text class="sb-axis-label" x="${svgNumber(tick.x)}" y="${plot.bottom + 16}" text-anchor="middle">${escapeXml(tick.label)}</text>`,
    );
  }
  parts.push(`<line class="sb-axis" x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}"/>`);
  if (chart.spend.length > 1) {
    const first = chart.spend[0]!;
    const last = chart.spend[chart.spend.length - 1]!;
    parts.push(
      `<polygon class="sb-spend-area" points="${polyline([{ x: first.x, y: plot.bottom }, ...chart.spend, { x: last.x, y: plot.bottom }])}"/>`,
    );
  }
  parts.push(`<polyline class="sb-pace" points="${polyline(chart.pace)}"/>`);
  parts.push(`<polyline class="sb-allocation" points="${polyline(chart.allocation)}"/>`);
  if (chart.forecast) parts.push(`<polyline class="sb-forecast" points="${polyline(chart.forecast)}"/>`);
  if (chart.spend.length > 0) parts.push(`<polyline class="sb-spend" points="${polyline(chart.spend)}"/>`);
  if (chart.nowX !== undefined) {
    parts.push(
      `<line class="sb-now" x1="${svgNumber(chart.nowX)}" x2="${svgNumber(chart.nowX)}" y1="${plot.top}" y2="${plot.bottom}"/>`,
      `<text class="sb-now-label" x="${svgNumber(chart.nowX + 3)}" y="${plot.bottom - 4}">now</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
