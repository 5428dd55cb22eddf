import assert from 'node:assert/strict';
import {
  DEFAULT_THRESHOLDS,
  gaugeFor,
  monthlySeatMicros,
  statusFromThresholds,
  wholeBill,
} from '../../../src/domain/gauge';
import type { SeatItem } from '../../../src/domain/schemas';
import { makeBand, NOVEMBER_UTC } from './makeBand';

const USD = 1_000_000;
const at = (iso: string) => new Date(iso);
// November has 30 days: the 16th at 00:00 UTC is exactly half way
const HALF_WAY = at('2026-11-16T00:00:00Z');

describe('gauge', () => {
  describe('gaugeFor', () => {
    it('percent, pace, forecast and time left half way through the month', () => {
      const g = gaugeFor(
        makeBand({ allocated: 200 * USD, used: 124 * USD, reserved: 5 * USD, status: 'ok' }),
        HALF_WAY,
      );
      assert.equal(g.percentUsed, 62);
      assert.equal(g.fractionElapsed, 0.5);
      assert.equal(g.paceMicros, 100 * USD);
      assert.equal(g.aheadOfPaceMicros, 24 * USD);
      assert.equal(g.forecastMicros, 248 * USD);
      assert.equal(g.forecastPercent, 124);
      assert.equal(g.forecastCrosses, true);
      // 124 of 200 in 15 days: 200 is reached after 15 × 200/124 days
      assert.equal(
        g.forecastCrossAt?.getTime(),
        Date.parse(NOVEMBER_UTC.start) + Math.round((15 * 86_400_000 * 200) / 124),
      );
      assert.equal(g.reservedMicros, 5 * USD);
      assert.equal(g.remainingMicros, 71 * USD);
      assert.equal(g.daysLeft, 15);
      assert.equal(g.msLeft, 15 * 86_400_000);
      assert.equal(g.resetsAt.toISOString(), '2026-12-01T00:00:00.000Z');
      assert.equal(g.currency, 'USD');
      assert.equal(g.bandId, 'b_deep_coding');
    });

    it('under pace: negative lead, forecast below the allocation, no crossing', () => {
      const g = gaugeFor(makeBand({ allocated: 200 * USD, used: 60 * USD }), HALF_WAY);
      assert.equal(g.aheadOfPaceMicros, -40 * USD);
      assert.equal(g.forecastMicros, 120 * USD);
      assert.equal(g.forecastCrosses, false);
      assert.equal(g.forecastCrossAt, undefined);
    });

    it('does not call a crossing in the first 5 % of the period', () => {
      const band = makeBand({ allocated: 200 * USD, used: 100 * USD });
      // 1.5 days into 30 is 5 %; one millisecond earlier is not enough history
      const early = gaugeFor(band, new Date(Date.parse('2026-11-02T12:00:00Z') - 1));
      assert.equal(early.forecastCrosses, false);
      assert.equal(early.forecastCrossAt, undefined);
      const atFive = gaugeFor(band, at('2026-11-02T12:00:00Z'));
      assert.equal(atFive.forecastCrosses, true);
      assert.equal(atFive.forecastMicros, 2000 * USD);
      const start = gaugeFor(band, at(NOVEMBER_UTC.start));
      assert.equal(start.forecastCrosses, false);
      assert.equal(start.paceMicros, 0);
    });

    it('crosses only when the linear rate would exceed 100 % before the end', () => {
      // on pace exactly: reaches 100 % at the end, which is not a crossing
      const onPace = gaugeFor(makeBand({ allocated: 200 * USD, used: 100 * USD }), HALF_WAY);
      assert.equal(onPace.forecastMicros, 200 * USD);
      assert.equal(onPace.forecastCrosses, false);
      const oneMicroOver = gaugeFor(makeBand({ allocated: 200 * USD, used: 100 * USD + 1 }), HALF_WAY);
      assert.equal(oneMicroOver.forecastCrosses, true);
    });

    it('an exactly-on-pace band is not crossing when the elapsed fraction is not a round number', () => {
      // a 3-day period, one day in: 100 of 300 is exactly on pace
      const period = { interval: 'P3D', start: '2026-11-01T00:00:00Z', end: '2026-11-04T00:00:00Z', timezone: 'UTC' };
      const g = gaugeFor(makeBand({ allocated: 300 * USD, used: 100 * USD, period }), at('2026-11-02T00:00:00Z'));
      assert.equal(g.paceMicros, 100 * USD);
      assert.equal(g.forecastMicros, 300 * USD);
      assert.equal(g.forecastCrosses, false);
      const seventh = { interval: 'P7D', start: '2026-11-01T00:00:00Z', end: '2026-11-08T00:00:00Z', timezone: 'UTC' };
      const w = gaugeFor(
        makeBand({ allocated: 70 * USD, used: 30 * USD, period: seventh }),
        at('2026-11-04T00:00:00Z'),
      );
      assert.equal(w.forecastMicros, 70 * USD);
      assert.equal(w.forecastCrosses, false);
    });

    it('an exceeded band or an ended period is not "crossing" any more', () => {
      const over = gaugeFor(makeBand({ allocated: 200 * USD, used: 250 * USD, status: 'exceeded' }), HALF_WAY);
      assert.equal(over.forecastCrosses, false);
      assert.equal(over.percentUsed, 125);
      assert.equal(over.status, 'exceeded');
      const ended = gaugeFor(makeBand({ allocated: 200 * USD, used: 199 * USD }), at('2026-12-01T00:00:00Z'));
      assert.equal(ended.forecastCrosses, false);
      assert.equal(ended.msLeft, 0);
      assert.equal(ended.daysLeft, 0);
      assert.equal(ended.fractionElapsed, 1);
      assert.equal(ended.forecastMicros, 199 * USD);
    });

    it('a zero allocation: infinite percent, no crash', () => {
      const g = gaugeFor(makeBand({ allocated: 0, used: 1 }), HALF_WAY);
      assert.equal(g.percentUsed, Number.POSITIVE_INFINITY);
      assert.equal(g.paceMicros, 0);
      assert.equal(g.forecastCrosses, false);
    });

    it('across the Berlin fall-back month, pace follows real elapsed time', () => {
      const period = {
        interval: 'P1M',
        start: '2026-10-01T00:00:00+02:00',
        end: '2026-11-01T00:00:00+01:00',
        timezone: 'Europe/Berlin',
      };
      const lengthMs = 31 * 86_400_000 + 3_600_000;
      const g = gaugeFor(
        makeBand({ allocated: 745 * USD, used: 0, period }),
        new Date(Date.parse(period.start) + lengthMs / 5),
      );
      assert.equal(g.fractionElapsed, 0.2);
      assert.equal(g.paceMicros, 149 * USD);
    });

    it('takes the status the source computed', () => {
      assert.equal(
        gaugeFor(makeBand({ allocated: 200 * USD, used: 10 * USD, status: 'warn' }), HALF_WAY).status,
        'warn',
      );
    });
  });

  describe('statusFromThresholds', () => {
    const A = 100 * USD;
    it('default thresholds: exactly 80 % warns, one micro below is ok', () => {
      assert.equal(statusFromThresholds(80 * USD, A, DEFAULT_THRESHOLDS), 'warn');
      assert.equal(statusFromThresholds(80 * USD - 1, A, DEFAULT_THRESHOLDS), 'ok');
      assert.equal(statusFromThresholds(0, A, DEFAULT_THRESHOLDS), 'ok');
    });

    it('exactly 100 % is critical, one micro above is exceeded', () => {
      assert.equal(statusFromThresholds(100 * USD, A, DEFAULT_THRESHOLDS), 'critical');
      assert.equal(statusFromThresholds(100 * USD - 1, A, DEFAULT_THRESHOLDS), 'warn');
      assert.equal(statusFromThresholds(100 * USD + 1, A, DEFAULT_THRESHOLDS), 'exceeded');
    });

    it('custom thresholds [70, 100]', () => {
      const t = [
        { percent: 70, severity: 'warn' as const },
        { percent: 100, severity: 'critical' as const },
      ];
      assert.equal(statusFromThresholds(70 * USD, A, t), 'warn');
      assert.equal(statusFromThresholds(70 * USD - 1, A, t), 'ok');
      assert.equal(statusFromThresholds(80 * USD - 1, A, t), 'warn');
      // 70 % of 3 USD is 2.1 USD: exact in integers, although 0.7 × 3 is not as a float
      assert.equal(statusFromThresholds(2_100_000, 3 * USD, t), 'warn');
      assert.equal(statusFromThresholds(2_099_999, 3 * USD, t), 'ok');
    });

    it('order of thresholds does not matter; info is not a status; empty means the defaults', () => {
      const t = [
        { percent: 100, severity: 'critical' as const },
        { percent: 50, severity: 'info' as const },
        { percent: 75, severity: 'warn' as const },
      ];
      assert.equal(statusFromThresholds(100 * USD, A, t), 'critical');
      assert.equal(statusFromThresholds(60 * USD, A, t), 'ok');
      assert.equal(statusFromThresholds(75 * USD, A, t), 'warn');
      assert.equal(statusFromThresholds(80 * USD, A, []), 'warn');
      // a warn above a critical never lowers the status
      assert.equal(
        statusFromThresholds(95 * USD, A, [
          { percent: 90, severity: 'critical' },
          { percent: 95, severity: 'warn' },
        ]),
        'critical',
      );
    });

    it('a zero allocation: nothing used is ok, anything used is exceeded', () => {
      assert.equal(statusFromThresholds(0, 0, DEFAULT_THRESHOLDS), 'ok');
      assert.equal(statusFromThresholds(1, 0, DEFAULT_THRESHOLDS), 'exceeded');
    });
  });

  describe('wholeBill', () => {
    const seat = (cost: number, cost_period?: string, currency = 'USD'): SeatItem => ({
      id: `s${cost}`,
      vendor: 'github',
      product: 'copilot_business',
      cost: { currency, amount_micros: cost },
      ...(cost_period ? { cost_period } : {}),
    });

    it('seats + class bands', () => {
      const bill = wholeBill(
        [seat(19 * USD), seat(30 * USD)],
        [
          makeBand({ workflow: 'deep_coding', allocated: 200 * USD, used: 150 * USD }),
          makeBand({ workflow: 'review', allocated: 40 * USD, used: 12_500_000 }),
        ],
      );
      assert.deepEqual(bill, {
        currency: 'USD',
        seatsMicros: 49 * USD,
        usageMicros: 162_500_000,
        totalMicros: 211_500_000,
        usageAllocatedMicros: 240 * USD,
        plannedMicros: 289 * USD,
      });
    });

    it('an `all` band alone counts as the usage', () => {
      const bill = wholeBill([seat(19 * USD)], [makeBand({ workflow: 'all', allocated: 100 * USD, used: 30 * USD })]);
      assert.equal(bill.usageMicros, 30 * USD);
      assert.equal(bill.usageAllocatedMicros, 100 * USD);
      assert.equal(bill.totalMicros, 49 * USD);
    });

    it('an `all` band next to class bands is a ceiling, not counted twice', () => {
      const bill = wholeBill(
        [],
        [
          makeBand({ workflow: 'all', allocated: 300 * USD, used: 90 * USD }),
          makeBand({ workflow: 'deep_coding', allocated: 200 * USD, used: 80 * USD }),
          makeBand({ workflow: 'review', allocated: 50 * USD, used: 10 * USD }),
        ],
      );
      assert.equal(bill.usageMicros, 90 * USD);
      assert.equal(bill.usageAllocatedMicros, 250 * USD);
    });

    it('yearly and weekly seats become monthly; other currencies are left out', () => {
      assert.equal(monthlySeatMicros(seat(228 * USD, 'P1Y')), 19 * USD);
      assert.equal(monthlySeatMicros(seat(12 * USD, 'P1W')), 52 * USD);
      assert.equal(monthlySeatMicros(seat(19 * USD, 'P1M')), 19 * USD);
      assert.equal(monthlySeatMicros(seat(19 * USD)), 19 * USD);
      assert.equal(monthlySeatMicros(seat(57 * USD, 'P3M')), 19 * USD, 'quarterly');
      assert.equal(monthlySeatMicros(seat(456 * USD, 'P2Y')), 19 * USD);
      assert.equal(monthlySeatMicros(seat(1 * USD, 'P1D')), 30_416_667, '365/12 days');
      assert.equal(monthlySeatMicros(seat(19 * USD, 'monthly')), 19 * USD, 'unknown text: taken as monthly');
      const bill = wholeBill(
        [seat(19 * USD), seat(10 * USD, 'P1M', 'EUR')],
        [makeBand({ allocated: 10 * USD, used: 1, currency: 'EUR' })],
      );
      assert.equal(bill.seatsMicros, 19 * USD);
      assert.equal(bill.usageMicros, 0);
      assert.equal(wholeBill([seat(10 * USD, 'P1M', 'EUR')], [], 'EUR').seatsMicros, 10 * USD);
    });

    it('no seats and no bands is an empty bill', () => {
      assert.deepEqual(wholeBill([], []), {
        currency: 'USD',
        seatsMicros: 0,
        usageMicros: 0,
        totalMicros: 0,
        usageAllocatedMicros: 0,
        plannedMicros: 0,
      });
    });
  });
});
