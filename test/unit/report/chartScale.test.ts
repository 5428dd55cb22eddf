import * as assert from 'node:assert/strict';
import { downsampleSeries, linearScale, moneyAxis, timeTicks } from '../../../src/domain/chartScale';
import { MS_PER_DAY, startOfLocalDate } from '../../../src/domain/period';

describe('chart scales', () => {
  it('maps a domain linearly onto pixels, inverted for a y axis', () => {
    const y = linearScale(0, 200, 180, 10);
    assert.equal(y(0), 180);
    assert.equal(y(200), 10);
    assert.equal(y(100), 95);
  });

  it('maps a zero-width domain to the range start instead of NaN', () => {
    const x = linearScale(5, 5, 40, 600);
    assert.equal(x(5), 40);
    assert.equal(x(99), 40);
  });

  for (const [maxUsd, top, step] of [
    [150, 150, 50],
    [151, 200, 50],
    [93.2, 100, 25],
    [0.37, 0.4, 0.1],
    [1234, 1500, 500],
    [40, 40, 10],
  ] as const) {
    it(`puts ${maxUsd} USD under a round top of ${top} in steps of ${step}`, () => {
      const axis = moneyAxis(Math.round(maxUsd * 1e6));
      assert.equal(axis.maxMicros, Math.round(top * 1e6));
      assert.equal(axis.stepMicros, Math.round(step * 1e6));
      assert.ok(
        axis.ticks.every((t) => Number.isSafeInteger(t)),
        'ticks are integer micros',
      );
      assert.equal(axis.ticks[0], 0);
      assert.equal(axis.ticks[axis.ticks.length - 1], axis.maxMicros);
      assert.ok(axis.maxMicros >= Math.round(maxUsd * 1e6));
    });
  }

  it('gives an empty chart a $1 axis rather than a zero-height one', () => {
    const axis = moneyAxis(0);
    assert.equal(axis.maxMicros, 1_000_000);
    assert.ok(axis.ticks.length >= 2);
  });

  it('never steps by less than a cent (labels would repeat)', () => {
    const axis = moneyAxis(30);
    assert.equal(axis.stepMicros, 10_000);
    assert.deepEqual(axis.ticks, [0, 10_000]);
  });

  it('puts day ticks on local midnights across the spring DST change (Berlin, March 2026)', () => {
    const zone = 'Europe/Berlin';
    const start = startOfLocalDate('2026-03-01', zone);
    const end = startOfLocalDate('2026-04-01', zone);
    assert.equal(end - start, 31 * MS_PER_DAY - 3_600_000, 'the month is one hour short');
    const ticks = timeTicks(start, end, zone, 40);
    assert.equal(ticks.length, 32, 'every day plus the closing midnight');
    assert.equal(ticks[0]!.label, '1 Mar');
    assert.equal(ticks[31]!.label, '1 Apr');
    // after the change, local midnight is 22:00 UTC instead of 23:00
    assert.equal(new Date(ticks[29]!.ms).toISOString(), '2026-03-29T22:00:00.000Z');
    assert.equal(ticks[29]!.ms - ticks[28]!.ms, 23 * 3_600_000, '29 March has 23 hours');
  });

  it('thins the labels of a long span and labels months beyond a quarter', () => {
    const zone = 'UTC';
    const start = Date.parse('2026-11-01T00:00:00Z');
    const month = timeTicks(start, Date.parse('2026-12-01T00:00:00Z'), zone, 8);
    assert.ok(month.length <= 8, `${month.length} labels`);
    assert.equal(month[1]!.ms - month[0]!.ms, 5 * MS_PER_DAY);
    const year = timeTicks(Date.parse('2026-01-01T00:00:00Z'), Date.parse('2027-01-01T00:00:00Z'), zone, 13);
    assert.equal(year[0]!.label, 'Jan 2026');
    assert.equal(year[1]!.label, 'Feb');
    assert.equal(year.length, 13, 'every month start, up to 1 Jan 2027');
    assert.equal(year[12]!.label, 'Jan 2027');
  });

  it('downsamples a long cumulative series, keeping its first and last point', () => {
    const points = Array.from({ length: 366 }, (_, i) => ({ ms: i * MS_PER_DAY, micros: i * 1000 }));
    const out = downsampleSeries(points, 100);
    assert.equal(out.length, 100);
    assert.deepEqual(out[0], points[0]);
    assert.deepEqual(out[99], points[365]);
    for (let i = 1; i < out.length; i++) assert.ok(out[i]!.ms > out[i - 1]!.ms, 'strictly increasing in time');
    assert.equal(downsampleSeries(points.slice(0, 10), 100).length, 10, 'a short series is kept whole');
  });
});
