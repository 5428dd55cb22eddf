import assert from 'node:assert/strict';
import {
  isSupportedInterval,
  isValidTimeZone,
  localDate,
  MS_PER_DAY,
  nextPeriod,
  periodContaining,
  periodProgress,
  startOfLocalDate,
} from '../../../src/domain/period';
import { PeriodSchema } from '../../../src/domain/schemas';

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);

describe('period', () => {
  describe('periodContaining', () => {
    it('P1M on the 31st is the whole calendar month', () => {
      assert.deepEqual(periodContaining('P1M', at('2026-01-31T12:00:00Z'), 'UTC'), {
        interval: 'P1M',
        start: '2026-01-01T00:00:00+00:00',
        end: '2026-02-01T00:00:00+00:00',
        timezone: 'UTC',
      });
      // 31 December rolls over into the next year
      const dec = periodContaining('P1M', at('2026-12-31T23:00:00Z'), 'UTC');
      assert.equal(dec.start, '2026-12-01T00:00:00+00:00');
      assert.equal(dec.end, '2027-01-01T00:00:00+00:00');
    });

    it('P1W on the 31st starts on Monday; P1D on the 31st is that local day', () => {
      // Saturday 31 January 2026
      const week = periodContaining('P1W', at('2026-01-31T12:00:00Z'), 'UTC');
      assert.equal(week.start, '2026-01-26T00:00:00+00:00');
      assert.equal(week.end, '2026-02-02T00:00:00+00:00');
      assert.equal(new Date(week.start).getUTCDay(), 1);
      const day = periodContaining('P1D', at('2026-03-31T21:30:00Z'), 'Europe/Berlin');
      assert.equal(day.start, '2026-03-31T00:00:00+02:00');
      assert.equal(day.end, '2026-04-01T00:00:00+02:00');
    });

    it('a leap day: February 2028 has 29 days, and the leap day is its own P1D', () => {
      const month = periodContaining('P1M', at('2028-02-29T12:00:00Z'), 'Europe/Berlin');
      assert.equal(month.start, '2028-02-01T00:00:00+01:00');
      assert.equal(month.end, '2028-03-01T00:00:00+01:00');
      assert.equal(periodProgress(month, at('2028-02-29T12:00:00Z')).lengthMs, 29 * MS_PER_DAY);
      const day = periodContaining('P1D', at('2028-02-29T23:59:59.999+01:00'), 'Europe/Berlin');
      assert.equal(day.start, '2028-02-29T00:00:00+01:00');
      assert.equal(day.end, '2028-03-01T00:00:00+01:00');
      const week = periodContaining('P1W', at('2028-02-29T12:00:00Z'), 'UTC');
      assert.equal(week.start, '2028-02-28T00:00:00+00:00', 'Monday 28 February');
      assert.equal(week.end, '2028-03-06T00:00:00+00:00');
      assert.equal(periodContaining('P1M', at('2027-02-15T00:00:00Z'), 'UTC').end, '2027-03-01T00:00:00+00:00');
    });

    it('the last millisecond of a month is in that month; local midnight starts the next one', () => {
      // 2026-10-31 23:59:59.999 in Berlin (CET, +01:00) is 22:59:59.999Z
      const last = periodContaining('P1M', at('2026-10-31T23:59:59.999+01:00'), 'Europe/Berlin');
      assert.equal(last.start, '2026-10-01T00:00:00+02:00');
      assert.equal(last.end, '2026-11-01T00:00:00+01:00');
      const first = periodContaining('P1M', at('2026-11-01T00:00:00+01:00'), 'Europe/Berlin');
      assert.equal(first.start, '2026-11-01T00:00:00+01:00');
      assert.equal(first.end, '2026-12-01T00:00:00+01:00');
      // the same instant is still October in New York
      assert.equal(
        periodContaining('P1M', at('2026-10-31T23:00:00Z'), 'America/New_York').start,
        '2026-10-01T00:00:00-04:00',
      );
      // and already November in UTC+14
      assert.equal(
        periodContaining('P1M', at('2026-10-31T10:00:00Z'), 'Pacific/Kiritimati').start,
        '2026-11-01T00:00:00+14:00',
      );
    });

    it('uses half-hour offsets faithfully', () => {
      const p = periodContaining('P1M', at('2026-03-31T12:00:00Z'), 'America/St_Johns');
      assert.equal(p.start, '2026-03-01T00:00:00-03:30');
      assert.equal(p.end, '2026-04-01T00:00:00-02:30');
      assert.equal(
        periodContaining('P1D', at('2026-06-01T00:00:00Z'), 'Asia/Kolkata').start,
        '2026-06-01T00:00:00+05:30',
      );
    });

    it('refuses an unknown zone or an invalid date instead of returning NaN boundaries', () => {
      assert.throws(
        () => periodContaining('P1M', at('2026-11-10T00:00:00Z'), 'Mars/Olympus_Mons'),
        /unknown time zone "Mars\/Olympus_Mons".*IANA/,
      );
      assert.throws(() => periodContaining('P1M', new Date(Number.NaN), 'UTC'), RangeError);
      assert.throws(
        () =>
          nextPeriod({ interval: 'P1M', start: '2026-11-01T00:00:00Z', end: '2026-12-01T00:00:00Z', timezone: 'Nope' }),
        RangeError,
      );
    });

    it('every period it returns satisfies the Bands API Period schema', () => {
      for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'America/St_Johns']) {
        for (const interval of ['P1M', 'P1W', 'P1D'] as const) {
          const p = periodContaining(interval, at('2026-10-25T01:30:00Z'), zone);
          assert.equal(PeriodSchema.safeParse(p).success, true, `${interval} ${zone}`);
        }
      }
    });
  });

  describe('across daylight-saving switches', () => {
    const cases = [
      // zone, day of the switch, offset before, offset after, month length change
      {
        zone: 'Europe/Berlin',
        day: '2026-03-29',
        before: '+01:00',
        after: '+02:00',
        shift: -HOUR,
        month: '03',
        days: 31,
      },
      {
        zone: 'Europe/Berlin',
        day: '2026-10-25',
        before: '+02:00',
        after: '+01:00',
        shift: +HOUR,
        month: '10',
        days: 31,
      },
      {
        zone: 'America/New_York',
        day: '2026-03-08',
        before: '-05:00',
        after: '-04:00',
        shift: -HOUR,
        month: '03',
        days: 31,
      },
      {
        zone: 'America/New_York',
        day: '2026-11-01',
        before: '-04:00',
        after: '-05:00',
        shift: +HOUR,
        month: '11',
        days: 30,
      },
    ];

    for (const c of cases) {
      it(`${c.zone} ${c.day}: the day, week and month are local midnights, ${c.shift < 0 ? '1 h shorter' : '1 h longer'}`, () => {
        const noon = at(`${c.day}T12:00:00${c.after}`);
        const day = periodContaining('P1D', noon, c.zone);
        assert.equal(day.start, `${c.day}T00:00:00${c.before}`);
        const dayLen = periodProgress(day, noon).lengthMs;
        assert.equal(dayLen, MS_PER_DAY + c.shift);

        const week = periodContaining('P1W', noon, c.zone);
        assert.match(week.start, new RegExp(`T00:00:00\\${c.before}$`));
        assert.match(week.end, new RegExp(`T00:00:00\\${c.after}$`));
        assert.equal(new Date(`${week.start.slice(0, 10)}T12:00:00Z`).getUTCDay(), 1, 'the week starts on Monday');
        assert.equal(periodProgress(week, noon).lengthMs, 7 * MS_PER_DAY + c.shift);

        const month = periodContaining('P1M', noon, c.zone);
        const [y, m] = c.day.split('-');
        assert.equal(month.start, `${y}-${m}-01T00:00:00${c.before}`);
        assert.match(month.end, new RegExp(`-01T00:00:00\\${c.after}$`));
        assert.equal(periodProgress(month, noon).lengthMs, c.days * MS_PER_DAY + c.shift);
      });
    }

    it('Berlin spring-forward: fraction elapsed follows real hours, days left follows the calendar', () => {
      const day = periodContaining('P1D', at('2026-03-29T12:00:00+02:00'), 'Europe/Berlin');
      // 06:00 local on a 23-hour day: 5 real hours have passed (the clock skipped 02:00–03:00)
      const sixAm = periodProgress(day, at('2026-03-29T06:00:00+02:00'));
      assert.equal(sixAm.elapsedMs, 5 * HOUR);
      assert.equal(sixAm.fractionElapsed, 5 / 23);
      assert.equal(sixAm.daysLeft, 1);

      const month = periodContaining('P1M', at('2026-03-15T12:00:00+01:00'), 'Europe/Berlin');
      // at local midnight starting 29 March, three calendar days (29, 30, 31) are left
      const midnight = periodProgress(month, at('2026-03-29T00:00:00+01:00'));
      assert.equal(midnight.remainingMs, 3 * MS_PER_DAY - HOUR);
      assert.equal(midnight.daysLeft, 3);
      assert.equal(midnight.fractionElapsed, (28 * MS_PER_DAY) / (31 * MS_PER_DAY - HOUR));
      assert.equal(periodProgress(month, at('2026-03-29T00:30:00+01:00')).daysLeft, 3);
      assert.equal(periodProgress(month, at('2026-03-28T23:30:00+01:00')).daysLeft, 4);
    });

    it('Berlin fall-back: a 25-hour day does not add a day left', () => {
      const month = periodContaining('P1M', at('2026-10-15T12:00:00+02:00'), 'Europe/Berlin');
      // local midnight starting 25 October: 25..31 = 7 calendar days, 7 days + 1 h of real time
      const midnight = periodProgress(month, at('2026-10-25T00:00:00+02:00'));
      assert.equal(midnight.remainingMs, 7 * MS_PER_DAY + HOUR);
      assert.equal(midnight.daysLeft, 7);
      assert.equal(periodProgress(month, at('2026-10-25T00:30:00+02:00')).daysLeft, 7);
      assert.equal(periodProgress(month, at('2026-10-24T23:30:00+02:00')).daysLeft, 8);
      // the last hour of the month: 1 day left, then 0 at the end
      assert.equal(periodProgress(month, at('2026-10-31T23:00:00+01:00')).daysLeft, 1);
      assert.equal(periodProgress(month, at('2026-11-01T00:00:00+01:00')).daysLeft, 0);
      const half = periodProgress(month, new Date(Date.parse(month.start) + (31 * MS_PER_DAY + HOUR) / 2));
      assert.equal(half.fractionElapsed, 0.5);
    });

    it('New York fall-back week: days left by the calendar, fraction by real time', () => {
      const week = periodContaining('P1W', at('2026-11-01T12:00:00-05:00'), 'America/New_York');
      assert.equal(week.start, '2026-10-26T00:00:00-04:00');
      assert.equal(week.end, '2026-11-02T00:00:00-05:00');
      const sundayMidnight = periodProgress(week, at('2026-11-01T00:00:00-04:00'));
      assert.equal(sundayMidnight.daysLeft, 1);
      assert.equal(sundayMidnight.remainingMs, 25 * HOUR);
      assert.equal(sundayMidnight.fractionElapsed, (6 * MS_PER_DAY) / (7 * MS_PER_DAY + HOUR));
      const springWeek = periodContaining('P1W', at('2026-03-08T12:00:00-04:00'), 'America/New_York');
      assert.equal(periodProgress(springWeek, at('2026-03-08T00:00:00-05:00')).daysLeft, 1);
      assert.equal(periodProgress(springWeek, at('2026-03-07T12:00:00-05:00')).daysLeft, 2);
    });
  });

  describe('ISO weeks across a year boundary', () => {
    it('Thursday 1 January 2026 is in the week starting Monday 29 December 2025', () => {
      const p = periodContaining('P1W', at('2026-01-01T09:00:00+01:00'), 'Europe/Berlin');
      assert.equal(p.start, '2025-12-29T00:00:00+01:00');
      assert.equal(p.end, '2026-01-05T00:00:00+01:00');
    });

    it('Sunday 3 January 2027 belongs to the week of Monday 28 December 2026; Monday 4 January starts a new one', () => {
      assert.equal(periodContaining('P1W', at('2027-01-03T23:59:59.999Z'), 'UTC').start, '2026-12-28T00:00:00+00:00');
      assert.equal(periodContaining('P1W', at('2027-01-04T00:00:00Z'), 'UTC').start, '2027-01-04T00:00:00+00:00');
    });

    it('Sunday late evening in New York is already Monday in UTC: the zone decides the week', () => {
      const instant = at('2026-11-30T02:00:00Z'); // Sunday 29 Nov 21:00 in New York
      assert.equal(periodContaining('P1W', instant, 'America/New_York').start, '2026-11-23T00:00:00-05:00');
      assert.equal(periodContaining('P1W', instant, 'UTC').start, '2026-11-30T00:00:00+00:00');
    });
  });

  describe('nextPeriod', () => {
    it('follows months of different lengths, a leap February, weeks and days', () => {
      const jan = periodContaining('P1M', at('2028-01-31T12:00:00Z'), 'Europe/Berlin');
      const feb = nextPeriod(jan);
      assert.deepEqual(feb, {
        interval: 'P1M',
        start: '2028-02-01T00:00:00+01:00',
        end: '2028-03-01T00:00:00+01:00',
        timezone: 'Europe/Berlin',
      });
      const mar = nextPeriod(feb);
      assert.equal(mar.end, '2028-04-01T00:00:00+02:00');
      const week = nextPeriod(periodContaining('P1W', at('2026-12-30T00:00:00Z'), 'UTC'));
      assert.equal(week.start, '2027-01-04T00:00:00+00:00');
      const day = nextPeriod(periodContaining('P1D', at('2026-10-24T12:00:00Z'), 'Europe/Berlin'));
      assert.equal(day.start, '2026-10-25T00:00:00+02:00');
      assert.equal(day.end, '2026-10-26T00:00:00+01:00');
    });

    it('the next period starts where the previous ended, twelve months in a row', () => {
      let p = periodContaining('P1M', at('2026-01-10T00:00:00Z'), 'America/New_York');
      for (let i = 0; i < 12; i++) {
        const n = nextPeriod(p);
        assert.equal(Date.parse(n.start), Date.parse(p.end));
        p = n;
      }
      assert.equal(p.start, '2027-01-01T00:00:00-05:00');
    });

    it('a period without a zone is taken as UTC; an unsupported interval is refused', () => {
      const n = nextPeriod({ interval: 'P1M', start: '2026-11-01T00:00:00Z', end: '2026-12-01T00:00:00Z' });
      assert.equal(n.start, '2026-12-01T00:00:00+00:00');
      assert.throws(
        () => nextPeriod({ interval: 'P3M', start: '2026-01-01T00:00:00Z', end: '2026-04-01T00:00:00Z' }),
        RangeError,
      );
    });
  });

  describe('periodProgress', () => {
    const p = { interval: 'P1D', start: '2026-06-01T00:00:00Z', end: '2026-06-02T00:00:00Z', timezone: 'UTC' };

    it('clamps before the start and after the end', () => {
      const before = periodProgress(p, at('2026-05-31T12:00:00Z'));
      assert.equal(before.fractionElapsed, 0);
      assert.equal(before.elapsedMs, 0);
      assert.equal(before.daysLeft, 2, 'a day and a half ahead of the end, rounded up');
      const after = periodProgress(p, at('2026-06-03T00:00:00Z'));
      assert.equal(after.fractionElapsed, 1);
      assert.equal(after.remainingMs, 0);
      assert.equal(after.daysLeft, 0);
    });

    it('days left rounds up: 3 hours before the end is 1 day left', () => {
      assert.equal(periodProgress(p, at('2026-06-01T21:00:00Z')).daysLeft, 1);
      assert.equal(periodProgress(p, at('2026-06-01T00:00:00Z')).daysLeft, 1);
      assert.equal(periodProgress(p, at('2026-06-01T06:00:00Z')).fractionElapsed, 0.25);
    });

    it('without a usable zone, days left follows real time', () => {
      const noZone = { interval: 'P1M', start: '2026-10-01T00:00:00+02:00', end: '2026-11-01T00:00:00+01:00' };
      assert.equal(periodProgress(noZone, at('2026-10-25T00:00:00+02:00')).daysLeft, 8);
      assert.equal(
        periodProgress({ ...noZone, timezone: 'Nowhere/Atlantis' }, at('2026-10-25T00:00:00+02:00')).daysLeft,
        8,
      );
      assert.equal(
        periodProgress({ ...noZone, timezone: 'Europe/Berlin' }, at('2026-10-25T00:00:00+02:00')).daysLeft,
        7,
      );
    });

    it('an empty period counts as elapsed', () => {
      const empty = periodProgress({ interval: 'P1D', start: p.start, end: p.start }, at(p.start));
      assert.equal(empty.fractionElapsed, 1);
      assert.equal(empty.daysLeft, 0);
    });
  });

  describe('helpers', () => {
    it('knows the supported intervals and valid zones', () => {
      assert.equal(isSupportedInterval('P1M'), true);
      assert.equal(isSupportedInterval('P1Y'), false);
      assert.equal(isValidTimeZone('Europe/Berlin'), true);
      assert.equal(isValidTimeZone('Mars/Olympus_Mons'), false);
      assert.equal(isValidTimeZone(''), false);
    });

    it('localDate and startOfLocalDate agree across a DST night', () => {
      assert.equal(localDate(at('2026-10-24T22:30:00Z'), 'Europe/Berlin'), '2026-10-25');
      assert.equal(localDate(Date.parse('2026-10-24T21:30:00Z'), 'Europe/Berlin'), '2026-10-24');
      assert.equal(startOfLocalDate('2026-10-25', 'Europe/Berlin'), Date.parse('2026-10-25T00:00:00+02:00'));
      assert.equal(startOfLocalDate('2026-10-26', 'Europe/Berlin'), Date.parse('2026-10-26T00:00:00+01:00'));
      assert.equal(startOfLocalDate('2026-03-08', 'America/New_York'), Date.parse('2026-03-08T00:00:00-05:00'));
    });
  });
});
