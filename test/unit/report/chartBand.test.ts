import * as assert from 'node:assert/strict';
import { allocationSteps, bandChart, bandChartSvg } from '../../../src/domain/chartBand';
import { startOfLocalDate } from '../../../src/domain/period';
import { makeBand } from '../domain/makeBand';

const START = Date.parse('2026-11-01T00:00:00Z');
const END = Date.parse('2026-12-01T00:00:00Z');
const DAY = 86_400_000;
const $ = (usd: number) => Math.round(usd * 1e6);
const text = { title: 'Deep coding', description: 'd', money: (micros: number) => `$${micros / 1e6}` };

describe('band chart geometry', () => {
  it('draws a period with no data: a flat spend line at zero, pace and allocation, no NaN', () => {
    const chart = bandChart({
      startMs: START,
      endMs: END,
      timeZone: 'UTC',
      nowMs: START + 10 * DAY,
      spend: [
        { ms: START, micros: 0 },
        { ms: START + 10 * DAY, micros: 0 },
      ],
      allocation: [{ fromMs: START, toMs: END, micros: $(200) }],
      paceToMicros: $(200),
      forecast: { fromMs: START + 10 * DAY, fromMicros: 0, toMicros: 0 },
    });
    assert.equal(chart.maxMicros, $(200));
    assert.ok(
      chart.spend.every((p) => p.y === chart.plot.bottom),
      'spend stays on the x axis',
    );
    assert.equal(chart.allocation[0]!.y, chart.plot.top, 'the allocation is the top of the axis');
    assert.deepEqual(chart.pace[0], { x: chart.plot.left, y: chart.plot.bottom });
    assert.deepEqual(chart.pace[1], { x: chart.plot.right, y: chart.plot.top });
    assert.ok(Math.abs(chart.nowX! - (chart.plot.left + ((chart.plot.right - chart.plot.left) * 10) / 30)) < 1e-9);
    const svg = bandChartSvg(chart, text);
    assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
    assert.match(svg, /class="sb-allocation"/);
  });

  it('draws a zero band with no spend on a $1 axis', () => {
    const chart = bandChart({
      startMs: START,
      endMs: END,
      timeZone: 'UTC',
      nowMs: END + DAY,
      spend: [{ ms: START, micros: 0 }],
      allocation: [{ fromMs: START, toMs: END, micros: 0 }],
      paceToMicros: 0,
    });
    assert.equal(chart.maxMicros, 1_000_000);
    assert.equal(chart.nowX, undefined, 'now is after the period: no marker');
    assert.doesNotMatch(bandChartSvg(chart, text), /NaN/);
  });

  it('steps the allocation line down where a temporary increase ends', () => {
    const until = '2026-11-20T00:00:00Z';
    const band = makeBand({
      allocated: $(250),
      temporary_increase: { amount: { currency: 'USD', amount_micros: $(50) }, until },
    });
    const steps = allocationSteps(band, START, END);
    assert.deepEqual(steps, [
      { fromMs: START, toMs: Date.parse(until), micros: $(250) },
      { fromMs: Date.parse(until), toMs: END, micros: $(200) },
    ]);
    const chart = bandChart({
      startMs: START,
      endMs: END,
      timeZone: 'UTC',
      nowMs: START + 5 * DAY,
      spend: [{ ms: START, micros: 0 }],
      allocation: steps,
      paceToMicros: $(250),
    });
    const [a, b, c, d] = chart.allocation;
    assert.equal(b!.x, c!.x, 'a vertical step');
    const x = (ms: number) => chart.plot.left + ((chart.plot.right - chart.plot.left) * (ms - START)) / (END - START);
    assert.equal(b!.x, x(Date.parse(until)));
    assert.ok(c!.y > b!.y, 'the line drops (y grows downward)');
    assert.equal(a!.y, b!.y);
    assert.equal(c!.y, d!.y);
    const y = (micros: number) => chart.plot.bottom - ((chart.plot.bottom - chart.plot.top) * micros) / chart.maxMicros;
    assert.equal(c!.y, y($(200)));
  });

  it('keeps one level when the increase outlasts the period or has already ended', () => {
    const inc = (until: string) =>
      makeBand({ allocated: $(250), temporary_increase: { amount: { currency: 'USD', amount_micros: $(50) }, until } });
    assert.equal(allocationSteps(inc('2026-12-15T00:00:00Z'), START, END).length, 1);
    assert.equal(allocationSteps(inc('2026-10-15T00:00:00Z'), START, END).length, 1);
    assert.equal(allocationSteps(makeBand({ allocated: $(1) }), START, END)[0]!.micros, $(1));
  });

  it('places days by real time across the autumn DST change (Berlin, October 2026)', () => {
    const zone = 'Europe/Berlin';
    const start = startOfLocalDate('2026-10-01', zone);
    const end = startOfLocalDate('2026-11-01', zone);
    const oct25 = startOfLocalDate('2026-10-25', zone);
    const oct26 = startOfLocalDate('2026-10-26', zone);
    assert.equal(oct26 - oct25, 25 * 3_600_000);
    const chart = bandChart({
      startMs: start,
      endMs: end,
      timeZone: zone,
      nowMs: end,
      spend: [
        { ms: start, micros: 0 },
        { ms: oct25, micros: $(10) },
        { ms: oct26, micros: $(20) },
      ],
      allocation: [{ fromMs: start, toMs: end, micros: $(100) }],
      paceToMicros: $(100),
      width: 760,
    });
    const width = chart.plot.right - chart.plot.left;
    const [, p25, p26] = chart.spend;
    const normalDay = (width * 24 * 3_600_000) / (end - start);
    assert.ok(
      Math.abs(p26!.x - p25!.x - normalDay * (25 / 24)) < 1e-9,
      'the 25-hour day is 25/24 of a normal day wide',
    );
    assert.ok(chart.xTicks.length > 0);
    for (const tick of chart.xTicks) {
      const local = new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(tick.ms);
      assert.equal(local, '00:00', `tick ${tick.label} sits on a local midnight`);
    }
  });

  it('scales the y axis to the forecast when it runs above the allocation', () => {
    const chart = bandChart({
      startMs: START,
      endMs: END,
      timeZone: 'UTC',
      nowMs: START + 10 * DAY,
      spend: [
        { ms: START, micros: 0 },
        { ms: START + 10 * DAY, micros: $(100) },
      ],
      allocation: [{ fromMs: START, toMs: END, micros: $(150) }],
      paceToMicros: $(150),
      forecast: { fromMs: START + 10 * DAY, fromMicros: $(100), toMicros: $(300) },
    });
    assert.equal(chart.maxMicros, $(300));
    assert.equal(chart.forecast![1].y, chart.plot.top);
    assert.equal(chart.forecast![1].x, chart.plot.right);
  });

  it('escapes labels in the SVG', () => {
    const chart = bandChart({
      startMs: START,
      endMs: END,
      timeZone: 'UTC',
      nowMs: START,
      spend: [{ ms: START, micros: 0 }],
      allocation: [{ fromMs: START, toMs: END, micros: 1 }],
      paceToMicros: 1,
    });
    const svg = bandChartSvg(chart, { ...text, title: '<script>alert(1)</script>' });
    assert.doesNotMatch(svg, /<script>/);
    assert.match(svg, /&lt;script&gt;/);
  });
});
