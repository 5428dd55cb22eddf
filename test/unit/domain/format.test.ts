import assert from 'node:assert/strict';
import {
  bandLabel,
  bandRows,
  FORECAST_MARKER,
  gaugeAccessibilityLabel,
  gaugeText,
  percentText,
  shortDate,
  statusWord,
  timeLeftText,
  wholeBillText,
} from '../../../src/domain/format';
import { gaugeFor, wholeBill } from '../../../src/domain/gauge';
import { resolveWorkflowClasses } from '../../../src/domain/workflowClasses';
import { makeBand } from './makeBand';

const USD = 1_000_000;
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const HALF_WAY = new Date('2026-11-16T00:00:00Z');

// 124 of 200 USD half way through November: 62 %, ahead of pace, the forecast crosses 100 %
const hot = makeBand({ label: 'Deep coding', allocated: 200 * USD, used: 124 * USD, status: 'ok' });
const cool = makeBand({ workflow: 'review', allocated: 40 * USD, used: 10 * USD });

describe('format', () => {
  describe('gaugeText', () => {
    const g = gaugeFor(hot, HALF_WAY);
    it('full × money: percent, amounts, time left and the forecast marker', () => {
      assert.equal(gaugeText(g, { mode: 'full', display: 'money' }), `62% · $124/$200 · 15d ${FORECAST_MARKER}`);
    });
    it('full × percent', () => {
      assert.equal(gaugeText(g, { mode: 'full', display: 'percent' }), `62% · 15d ${FORECAST_MARKER}`);
    });
    it('compact × money and compact × percent', () => {
      assert.equal(gaugeText(g, { mode: 'compact', display: 'money' }), `$124/$200 ${FORECAST_MARKER}`);
      assert.equal(gaugeText(g, { mode: 'compact', display: 'percent' }), `62% ${FORECAST_MARKER}`);
    });
    it('no marker when the forecast stays under 100 %', () => {
      const c = gaugeFor(cool, HALF_WAY);
      assert.equal(gaugeText(c, { mode: 'full', display: 'money' }), '25% · $10/$40 · 15d');
      assert.equal(gaugeText(c, { mode: 'compact', display: 'percent' }), '25%');
    });
    it('large and small amounts stay short', () => {
      const big = gaugeFor(makeBand({ allocated: 12_000 * USD, used: 1_234_567_890 }), HALF_WAY);
      assert.equal(gaugeText(big, { mode: 'compact', display: 'money' }), '$1.2k/$12k');
      const tiny = gaugeFor(makeBand({ allocated: 5 * USD, used: 4_200 }), HALF_WAY);
      assert.equal(gaugeText(tiny, { mode: 'full', display: 'money' }), '<1% · <$0.01/$5.00 · 15d');
    });
  });

  describe('percentText and timeLeftText', () => {
    it('percent: floored, <1% for a trace, ∞% for a zero band', () => {
      assert.equal(percentText(0), '0%');
      assert.equal(percentText(0.01), '<1%');
      assert.equal(percentText(62.9), '62%');
      assert.equal(percentText(99.999), '99%');
      assert.equal(percentText(100), '100%');
      assert.equal(percentText(250), '250%');
      assert.equal(percentText(Number.POSITIVE_INFINITY), '∞%');
    });
    it('time left: minutes, hours, then days, each rounded up', () => {
      assert.equal(timeLeftText(0), 'now');
      assert.equal(timeLeftText(-5), 'now');
      assert.equal(timeLeftText(1), '1m');
      assert.equal(timeLeftText(45 * MIN), '45m');
      assert.equal(timeLeftText(59 * MIN + 1), '1h');
      assert.equal(timeLeftText(90 * MIN), '2h');
      assert.equal(timeLeftText(23 * HOUR), '23h');
      assert.equal(timeLeftText(23 * HOUR + 1), '1d');
      assert.equal(timeLeftText(9 * DAY), '9d');
      assert.equal(timeLeftText(8 * DAY + 1), '9d');
    });
  });

  describe('gaugeAccessibilityLabel', () => {
    it('reads as words: label, status, percent, amounts, reset, and the run-out day', () => {
      const label = gaugeAccessibilityLabel({ ...hot, status: 'warn' }, { ...gaugeFor(hot, HALF_WAY), status: 'warn' });
      assert.equal(
        label,
        'Deep coding band past its warning threshold, 62 percent used, $124.00 of $200.00, resets in 15 days, at this pace it runs out on Nov 25',
      );
      assert.doesNotMatch(label, /%|·|\$\(/);
    });
    it('uses the class label when the band has none, and no run-out clause when on track', () => {
      const label = gaugeAccessibilityLabel(cool, gaugeFor(cool, HALF_WAY));
      assert.equal(label, 'Review band on track, 25 percent used, $10.00 of $40.00, resets in 15 days');
    });
    it('says one day, one hour and one minute in the singular, and "resets now" at the end', () => {
      const g = gaugeFor(cool, HALF_WAY);
      assert.match(gaugeAccessibilityLabel(cool, { ...g, msLeft: DAY }), /, resets in 1 day$/);
      assert.match(gaugeAccessibilityLabel(cool, { ...g, msLeft: 2 * HOUR }), /, resets in 2 hours$/);
      assert.match(gaugeAccessibilityLabel(cool, { ...g, msLeft: HOUR }), /, resets in 1 hour$/);
      assert.match(gaugeAccessibilityLabel(cool, { ...g, msLeft: MIN }), /, resets in 1 minute$/);
      assert.match(gaugeAccessibilityLabel(cool, { ...g, msLeft: 0 }), /, resets now$/);
    });
    it('a zero band does not read "Infinity percent"', () => {
      const zero = makeBand({ allocated: 0, used: 1 * USD, status: 'exceeded' });
      const label = gaugeAccessibilityLabel(zero, gaugeFor(zero, HALF_WAY));
      assert.doesNotMatch(label, /Infinity|NaN/);
      assert.match(label, /^Deep coding band exceeded, /);
    });
  });

  describe('bandRows', () => {
    it('used, remaining, reserved, pace, forecast and reset', () => {
      const band = {
        ...hot,
        reserved: { currency: 'USD', amount_micros: 5 * USD },
        remaining: { currency: 'USD', amount_micros: 71 * USD },
      };
      const rows = bandRows(band, gaugeFor(band, HALF_WAY));
      assert.deepEqual(rows, [
        { label: 'Used', value: '$124.00 of $200.00 (62%)' },
        { label: 'Remaining', value: '$71.00' },
        { label: 'Reserved', value: '$5.00 held by pre-flight runs' },
        { label: 'Pace', value: '$24.00 ahead of pace ($100.00 expected by now)' },
        { label: 'Forecast', value: '$248.00 at period end (124%), runs out around Nov 25' },
        { label: 'Resets', value: 'in 15d (Dec 1)' },
      ]);
    });

    it('under pace and on pace', () => {
      const under = bandRows(cool, gaugeFor(cool, HALF_WAY));
      assert.deepEqual(
        under.find((r) => r.label === 'Pace'),
        { label: 'Pace', value: '$10.00 under pace ($20.00 expected by now)' },
      );
      assert.equal(
        under.some((r) => r.label === 'Reserved'),
        false,
      );
      const even = makeBand({ allocated: 40 * USD, used: 20 * USD + 9_999 });
      assert.equal(
        bandRows(even, gaugeFor(even, HALF_WAY)).find((r) => r.label === 'Pace')?.value,
        'on pace ($20.00 expected by now)',
      );
    });

    it('a temporary increase, from an approved request or self-set', () => {
      const increase = {
        amount: { currency: 'USD', amount_micros: 50 * USD },
        until: '2026-11-30T12:00:00Z',
        request_id: 'req_7',
      };
      const band = makeBand({ allocated: 250 * USD, used: 124 * USD, temporary_increase: increase });
      const rows = bandRows(band, gaugeFor(band, HALF_WAY));
      assert.deepEqual(rows.at(-1), { label: 'Temporary increase', value: '+$50.00 until Nov 30' });
      const self = makeBand({
        allocated: 250 * USD,
        used: 124 * USD,
        temporary_increase: { ...increase, self_set: true },
      });
      assert.deepEqual(bandRows(self, gaugeFor(self, HALF_WAY)).at(-1), {
        label: 'Self-set increase',
        value: '+$50.00 until Nov 30',
      });
      const none = makeBand({ allocated: 250 * USD, temporary_increase: null });
      assert.equal(bandRows(none, gaugeFor(none, HALF_WAY)).length, 5);
    });

    it("dates are shown in the band's zone", () => {
      const period = {
        interval: 'P1M',
        start: '2026-11-01T00:00:00-05:00',
        end: '2026-12-01T00:00:00-05:00',
        timezone: 'America/New_York',
      };
      const band = makeBand({ allocated: 100 * USD, used: 0, period });
      // the period ends at 05:00 UTC on 1 December, which is still 1 December; 23:00 local on 30 Nov is 1 Dec in UTC
      assert.equal(bandRows(band, gaugeFor(band, HALF_WAY)).at(-1)?.value, 'in 16d (Dec 1)');
      assert.equal(shortDate(new Date('2026-12-01T03:00:00Z'), 'America/New_York'), 'Nov 30');
      assert.equal(shortDate(new Date('2026-12-01T03:00:00Z')), 'Dec 1');
    });
  });

  describe('words and labels', () => {
    it('statusWord knows the four statuses and passes a newer one through', () => {
      assert.equal(statusWord('ok'), 'on track');
      assert.equal(statusWord('warn'), 'past its warning threshold');
      assert.equal(statusWord('critical'), 'at its limit');
      assert.equal(statusWord('exceeded'), 'exceeded');
      assert.equal(statusWord('frozen'), 'frozen');
    });

    it('statusWord never says "on track" beside a forecast past the allocation (CLI, tooltip, tree and report share it)', () => {
      // $93 of $150 used a tenth into the month: ok by thresholds, but the forecast runs far past the band.
      const early = new Date('2026-11-04T00:00:00Z');
      const hot = gaugeFor(makeBand({ allocated: 150 * USD, used: 93 * USD, status: 'ok' }), early);
      assert.ok(hot.forecastMicros > hot.allocatedMicros);
      assert.match(statusWord('ok', hot), /^over pace \(forecast \d+% by the reset\)$/);
      const cool = gaugeFor(makeBand({ allocated: 150 * USD, used: 30 * USD, status: 'ok' }), HALF_WAY);
      assert.equal(statusWord('ok', cool), 'on track');
      // a warn or worse band keeps its own words; no forecast known keeps "on track"
      assert.equal(statusWord('warn', hot), 'past its warning threshold');
      assert.equal(statusWord('ok', { forecastMicros: null, allocatedMicros: 150 * USD }), 'on track');
    });

    it('bandLabel: the band label, the class label, configured classes, a humanized unknown id', () => {
      assert.equal(bandLabel({ label: 'Mine', workflow: 'review' }), 'Mine');
      assert.equal(bandLabel({ workflow: 'background_automation' }), 'Background automation');
      assert.equal(bandLabel({ workflow: 'all' }), 'All workflows');
      assert.equal(bandLabel({ workflow: 'security_review' }), 'Security review');
      assert.equal(
        bandLabel({ workflow: 'triage' }, resolveWorkflowClasses([{ id: 'triage', label: 'Bug triage' }])),
        'Bug triage',
      );
    });

    it('wholeBillText adds seats and usage', () => {
      const bill = wholeBill(
        [
          {
            id: 's',
            vendor: 'github',
            product: 'copilot_business',
            cost: { currency: 'USD', amount_micros: 19 * USD },
          },
        ],
        [hot, cool],
      );
      assert.equal(wholeBillText(bill), 'Seats $19.00 + usage $134.00 = $153.00 (planned $259.00)');
    });
  });
});
