import assert from 'node:assert/strict';
import {
  add,
  decimalToMicros,
  formatMoney,
  microsToDecimalString,
  money,
  percentOf,
  reachesPercent,
  scaleMicros,
  subtract,
  sum,
  usd,
} from '../../../src/domain/money';

const USD = (amount_micros: number) => ({ currency: 'USD', amount_micros });

describe('money', () => {
  describe('decimalToMicros', () => {
    it('adds 0.1 and 0.2 to exactly 300000 micros (no float on the way)', () => {
      assert.equal(decimalToMicros('0.1') + decimalToMicros('0.2'), 300_000);
      assert.equal(sum([usd('0.1'), usd('0.2')]).amount_micros, 300_000);
      // the same amounts as JS numbers: 0.1 + 0.2 === 0.30000000000000004 as a float
      assert.equal(decimalToMicros(0.1) + decimalToMicros(0.2), 300_000);
      assert.equal(decimalToMicros(0.1 + 0.2), 300_000);
    });

    it('parses whole, fractional, signed and padded text', () => {
      assert.equal(decimalToMicros('19'), 19_000_000);
      assert.equal(decimalToMicros('12.345678'), 12_345_678);
      assert.equal(decimalToMicros('12.5'), 12_500_000);
      assert.equal(decimalToMicros('.5'), 500_000);
      assert.equal(decimalToMicros('1.'), 1_000_000);
      assert.equal(decimalToMicros(' 2 '), 2_000_000);
      assert.equal(decimalToMicros('+3'), 3_000_000);
      assert.equal(decimalToMicros('0.000001'), 1);
      assert.equal(decimalToMicros(123.456), 123_456_000);
      assert.equal(decimalToMicros(5e-7), 1, 'exponent notation of a number is expanded, then rounded');
    });

    it('parses negative amounts', () => {
      assert.equal(decimalToMicros('-3'), -3_000_000);
      assert.equal(decimalToMicros('-0.000001'), -1);
      assert.equal(decimalToMicros(-12.25), -12_250_000);
      assert.equal(Object.is(decimalToMicros('-0'), 0), true, 'minus zero becomes plain 0');
    });

    it('rounds more than six decimals half away from zero', () => {
      assert.equal(decimalToMicros('0.0000004'), 0);
      assert.equal(decimalToMicros('0.0000005'), 1);
      assert.equal(decimalToMicros('0.00000049999999'), 0);
      assert.equal(decimalToMicros('1.2345675'), 1_234_568);
      assert.equal(decimalToMicros('1.2345674999'), 1_234_567);
      assert.equal(decimalToMicros('-0.0000005'), -1);
      assert.equal(decimalToMicros('-1.2345675'), -1_234_568);
      assert.equal(decimalToMicros('0.9999995'), 1_000_000, 'a carry into the whole part');
    });

    it('refuses what is not a plain decimal', () => {
      for (const bad of ['', '.', 'abc', '1,5', '1.2.3', '1e3', '$5', '- 1', '0x10', 'NaN', 'Infinity']) {
        assert.throws(() => decimalToMicros(bad), RangeError, JSON.stringify(bad));
      }
      assert.throws(() => decimalToMicros(Number.NaN), RangeError);
      assert.throws(() => decimalToMicros(Number.POSITIVE_INFINITY), RangeError);
    });

    it('throws RangeError on amounts beyond safe integer micros', () => {
      // Number.MAX_SAFE_INTEGER micros is 9007199254.740991 units
      assert.equal(decimalToMicros('9007199254.740991'), Number.MAX_SAFE_INTEGER);
      assert.throws(() => decimalToMicros('9007199254.740992'), RangeError);
      assert.equal(decimalToMicros('-9007199254.740991'), Number.MIN_SAFE_INTEGER);
      assert.throws(() => decimalToMicros('-9007199254.740992'), RangeError);
      assert.throws(() => decimalToMicros('123456789012345678901234567890'), RangeError);
      assert.throws(() => decimalToMicros(1e21), RangeError);
    });
  });

  describe('sums', () => {
    it('sums 100000 amounts of 0.000001 and 0.01 exactly', () => {
      const micro = Array.from({ length: 100_000 }, () => usd('0.000001'));
      assert.equal(sum(micro).amount_micros, 100_000);
      const cents = Array.from({ length: 100_000 }, () => usd('0.01'));
      assert.equal(sum(cents).amount_micros, 1_000_000_000);
      let floatTotal = 0;
      for (let i = 0; i < 100_000; i++) floatTotal += 0.01;
      assert.notEqual(floatTotal, 1000, 'the float total drifts (this is why we use micros)');
    });

    it('sums mixed-sign amounts and an empty list', () => {
      assert.deepEqual(sum([usd('1.10'), usd('-0.10'), usd('2.000001')]), USD(3_000_001));
      assert.deepEqual(sum([]), USD(0));
      assert.deepEqual(sum([], 'EUR'), { currency: 'EUR', amount_micros: 0 });
    });

    it('refuses to combine currencies', () => {
      assert.throws(() => sum([usd(1), { currency: 'EUR', amount_micros: 1 }]), /cannot combine USD and EUR/);
      assert.throws(() => add(usd(1), { currency: 'EUR', amount_micros: 1 }), RangeError);
      assert.throws(() => subtract(usd(1), { currency: 'EUR', amount_micros: 1 }), RangeError);
    });

    it('throws RangeError on overflow instead of losing micros', () => {
      const big = USD(Number.MAX_SAFE_INTEGER);
      assert.throws(() => sum([big, USD(1)]), RangeError);
      assert.throws(() => add(big, USD(1)), RangeError);
      assert.throws(() => subtract(USD(Number.MIN_SAFE_INTEGER), USD(1)), RangeError);
      assert.deepEqual(add(big, USD(-1)), USD(Number.MAX_SAFE_INTEGER - 1));
    });

    it('money() refuses non-integer micros', () => {
      assert.throws(() => money(1.5), RangeError);
      assert.throws(() => money(Number.MAX_SAFE_INTEGER + 1), RangeError);
      assert.deepEqual(money(7, 'EUR'), { currency: 'EUR', amount_micros: 7 });
    });
  });

  describe('scaleMicros, percentOf, reachesPercent', () => {
    it('scales in integers and rounds to the nearest micro', () => {
      assert.equal(scaleMicros(19_000_000, 1, 12), 1_583_333);
      assert.equal(scaleMicros(10, 1, 4), 3, '2.5 rounds up');
      assert.equal(scaleMicros(-10, 1, 4), -3, '-2.5 rounds away from zero');
      assert.equal(
        scaleMicros(Number.MAX_SAFE_INTEGER, 1_000_000, 1_000_000),
        Number.MAX_SAFE_INTEGER,
        'no float on the way',
      );
      assert.equal(scaleMicros(5, 1, 0), 0);
    });

    it('compares used against a percent exactly', () => {
      assert.equal(reachesPercent(80_000_000, 100_000_000, 80), true);
      assert.equal(reachesPercent(79_999_999, 100_000_000, 80), false);
      // 0.7 * 3 is 2.0999999999999996 as a float; the integer comparison is exact
      assert.equal(reachesPercent(2_100_001, 3_000_000, 70), true);
      assert.equal(reachesPercent(2_100_000, 3_000_000, 70), true);
      assert.equal(reachesPercent(2_099_999, 3_000_000, 70), false);
      assert.equal(reachesPercent(1, 0, 80), true, 'any use of a zero band reaches every threshold');
      assert.equal(reachesPercent(0, 0, 80), false);
    });

    it('percentOf is a display ratio with a zero band handled', () => {
      assert.equal(percentOf(50, 200), 25);
      assert.equal(percentOf(0, 0), 0);
      assert.equal(percentOf(1, 0), Number.POSITIVE_INFINITY);
    });
  });

  describe('formatMoney', () => {
    const compact = (m: number, currency = 'USD') => formatMoney({ currency, amount_micros: m }, { style: 'compact' });
    const exact = (m: number, currency = 'USD') => formatMoney({ currency, amount_micros: m }, { style: 'exact' });

    it('compact: cents below $10, whole units below $1000, then k and M', () => {
      assert.equal(compact(0), '$0.00');
      assert.equal(compact(420_000), '$0.42');
      assert.equal(compact(9_994_999), '$9.99');
      assert.equal(compact(12_345_678), '$12');
      assert.equal(compact(124_500_000), '$125');
      assert.equal(compact(999_499_999), '$999');
      assert.equal(compact(999_500_000), '$1k', 'rounding up to 1000 moves to the next unit');
      assert.equal(compact(1_234_567_890), '$1.2k');
      assert.equal(compact(9_999_990_000), '$10k');
      assert.equal(compact(12_345_000_000), '$12.3k');
      assert.equal(compact(999_950_000_000), '$1M');
      assert.equal(compact(1_500_000_000_000), '$1.5M');
      assert.equal(compact(-1_234_567_890), '-$1.2k');
    });

    it('exact: cents with thousands separators', () => {
      assert.equal(exact(124_500_000), '$124.50');
      assert.equal(exact(1_234_567_890), '$1,234.57');
      assert.equal(exact(1_000_000_000_000), '$1,000,000.00');
      assert.equal(exact(5_000), '$0.01', 'half a cent rounds up');
      assert.equal(exact(-26_750_000), '-$26.75');
      assert.equal(exact(0), '$0.00');
    });

    it('never shows a sub-cent amount as zero', () => {
      assert.equal(exact(4_200), '$0.0042');
      assert.equal(exact(1), '$0.000001');
      assert.equal(exact(-1), '-$0.000001');
      assert.equal(compact(4_200), '<$0.01');
      assert.equal(compact(-4_200), '-<$0.01');
      assert.equal(formatMoney(USD(4_999)), '$0.004999', 'exact is the default style');
    });

    it('uses symbols for common currencies and the code otherwise', () => {
      assert.equal(exact(1_500_000, 'EUR'), '€1.50');
      assert.equal(exact(1_500_000, 'GBP'), '£1.50');
      assert.equal(exact(1_234_500_000, 'CHF'), '1,234.50 CHF');
      assert.equal(exact(-1_500_000, 'CHF'), '-1.50 CHF');
      assert.equal(compact(2_500_000_000, 'CHF'), '2.5k CHF');
    });
  });

  describe('formatMoney precise', () => {
    it('shows every micro, at least cents, grouped', () => {
      const precise = (m: number, currency = 'USD') =>
        formatMoney({ currency, amount_micros: m }, { style: 'precise' });
      assert.equal(precise(20_000_001), '$20.000001');
      assert.equal(precise(20_000_000), '$20.00');
      assert.equal(precise(1_234_567_890), '$1,234.56789');
      assert.equal(precise(-4_200), '-$0.0042');
      assert.equal(precise(0), '$0.00');
      assert.equal(precise(1_500_000, 'CHF'), '1.50 CHF');
    });
  });

  describe('microsToDecimalString', () => {
    it('is exact and minimal', () => {
      assert.equal(microsToDecimalString(0), '0');
      assert.equal(microsToDecimalString(1), '0.000001');
      assert.equal(microsToDecimalString(19_000_000), '19');
      assert.equal(microsToDecimalString(12_500_000), '12.5');
      assert.equal(microsToDecimalString(-12_345_678), '-12.345678');
      assert.equal(microsToDecimalString(-1), '-0.000001');
      assert.equal(microsToDecimalString(Number.MAX_SAFE_INTEGER), '9007199254.740991');
      assert.equal(microsToDecimalString(Number.MIN_SAFE_INTEGER), '-9007199254.740991');
    });

    it('round-trips through decimalToMicros', () => {
      for (const m of [0, 1, -1, 999_999, 1_000_001, 123_456_789_012, -987_654_321, Number.MAX_SAFE_INTEGER]) {
        assert.equal(decimalToMicros(microsToDecimalString(m)), m);
      }
    });
  });
});
