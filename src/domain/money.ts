// Money is integer micros. Totals are integer sums; decimal input is parsed as text, never multiplied
// as a float, so 0.1 + 0.2 is exactly 300000 micros.
import type { Money } from './schemas';

export const MICROS_PER_UNIT = 1_000_000;

/** A Money value (checked: whole micros); to show one as text use formatMoney, or format.ts formatMicros. */
export function money(amount_micros: number, currency = 'USD'): Money {
  if (!Number.isSafeInteger(amount_micros))
    throw new RangeError(`amount_micros must be a safe integer, got ${amount_micros}`);
  return { currency, amount_micros };
}

export function zero(currency = 'USD'): Money {
  return { currency, amount_micros: 0 };
}

/**
 * Parse a decimal amount in major units ("12.345678", "19", 12.5, "-3") into integer micros.
 * More than six decimals are rounded half away from zero. Throws on anything that is not a plain decimal.
 */
export function decimalToMicros(value: number | string): number {
  const text = typeof value === 'number' ? numberToPlainString(value) : value.trim();
  const match = /^([+-])?(\d+)(?:\.(\d*))?$/.exec(text) ?? /^([+-])?()\.(\d+)$/.exec(text);
  if (!match) throw new RangeError(`not a decimal amount: ${JSON.stringify(value)}`);
  const [, sign, whole = '', fraction = ''] = match;
  const padded = (fraction + '0000000').slice(0, 7);
  let micros = BigInt(whole || '0') * 1_000_000n + BigInt(padded.slice(0, 6));
  if (Number(padded[6]) >= 5) micros += 1n;
  if (sign === '-') micros = -micros;
  if (micros > BigInt(Number.MAX_SAFE_INTEGER) || micros < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`amount too large: ${text}`);
  }
  return Number(micros);
}

function numberToPlainString(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite amount: ${value}`);
  // toString() is exact for the shortest round-trip decimal; expand exponent notation.
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toFixed(12).replace(/0+$/, '').replace(/\.$/, '');
}

export function usd(amount: number | string): Money {
  return money(decimalToMicros(amount), 'USD');
}

function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new RangeError(`cannot combine ${a.currency} and ${b.currency}`);
}

function checked(value: number): number {
  if (!Number.isSafeInteger(value)) throw new RangeError('money overflow');
  return value;
}

export function add(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return { currency: a.currency, amount_micros: checked(a.amount_micros + b.amount_micros) };
}

export function subtract(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return { currency: a.currency, amount_micros: checked(a.amount_micros - b.amount_micros) };
}

export function sum(items: readonly Money[], currency = items[0]?.currency ?? 'USD'): Money {
  let total = 0;
  for (const item of items) {
    if (item.currency !== currency) throw new RangeError(`cannot combine ${currency} and ${item.currency}`);
    total = checked(total + item.amount_micros);
  }
  return { currency, amount_micros: total };
}

/** Integer micros scaled by a ratio given as numerator/denominator, rounded to the nearest micro. */
export function scaleMicros(micros: number, numerator: number, denominator: number): number {
  if (denominator === 0) return 0;
  const n = BigInt(Math.round(numerator));
  const d = BigInt(Math.round(denominator));
  const product = BigInt(micros) * n;
  const half = d / 2n;
  const rounded = product >= 0n ? (product + half) / d : (product - half) / d;
  return checked(Number(rounded));
}

/** used / allocated as a percent, exact enough for display (it is never summed). */
export function percentOf(used: number, allocated: number): number {
  if (allocated <= 0) return used > 0 ? Infinity : 0;
  return (used / allocated) * 100;
}

/** Is used at or above `percent`% of allocated? Exact integer comparison. */
export function reachesPercent(used: number, allocated: number, percent: number): boolean {
  if (allocated <= 0) return used > 0;
  return BigInt(used) * 100n >= BigInt(allocated) * BigInt(Math.round(percent));
}

const SYMBOLS: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', JPY: '¥' };

export interface MoneyFormat {
  /** `compact`: $0.42, $124, $1.2k, $3.4M (default `exact`: $1,234.50; `precise`: every micro, $20.000001) */
  style?: 'compact' | 'exact' | 'precise';
}

/**
 * Format micros for a person. Never used for arithmetic. A non-zero amount never reads as zero: below
 * half a cent, `exact` shows its digits ($0.0042) and `compact` says <$0.01.
 */
export function formatMoney(value: Money, format: MoneyFormat = {}): string {
  const symbol = SYMBOLS[value.currency];
  const negative = value.amount_micros < 0;
  const abs = BigInt(Math.abs(value.amount_micros));
  const withUnit = (body: string) => (symbol ? `${symbol}${body}` : `${body} ${value.currency}`);
  let text: string;
  if (abs > 0n && roundDiv(abs, 10_000n) === 0n) {
    text = format.style === 'compact' ? `<${withUnit('0.01')}` : withUnit(microsToDecimalString(Number(abs)));
  } else if (format.style === 'precise') {
    const [whole = '0', fraction = ''] = microsToDecimalString(Number(abs)).split('.');
    text = withUnit(groupThousands(`${whole}.${fraction.padEnd(2, '0')}`));
  } else {
    text = withUnit(format.style === 'compact' ? compactText(abs) : groupThousands(centsText(abs)));
  }
  return negative ? `-${text}` : text;
}

/** a / b rounded half up, for non-negative integers */
function roundDiv(a: bigint, b: bigint): bigint {
  return (a + b / 2n) / b;
}

function centsText(absMicros: bigint): string {
  const cents = roundDiv(absMicros, 10_000n);
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}

// Each step is chosen by the rounded value, so 999.5 is "1k" rather than "1000", and 999,950 "1M".
const COMPACT_UNITS: ReadonlyArray<[bigint, string]> = [
  [1_000_000_000n, 'k'],
  [1_000_000_000_000n, 'M'],
  [1_000_000_000_000_000n, 'B'],
];

function compactText(absMicros: bigint): string {
  if (roundDiv(absMicros, 10_000n) < 1_000n) return centsText(absMicros);
  if (roundDiv(absMicros, 1_000_000n) < 1_000n) return String(roundDiv(absMicros, 1_000_000n));
  for (const [unit, suffix] of COMPACT_UNITS) {
    const tenths = roundDiv(absMicros * 10n, unit);
    if (tenths < 10_000n || suffix === 'B') {
      const whole = tenths / 10n;
      const tenth = tenths % 10n;
      return `${whole}${tenth === 0n ? '' : `.${tenth}`}${suffix}`;
    }
  }
  return String(roundDiv(absMicros, 1_000_000n));
}

function groupThousands(text: string): string {
  const [whole = '', fraction] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** Micros as a plain decimal string in major units, exact (for CSV/JSON exports). */
export function microsToDecimalString(micros: number): string {
  const negative = micros < 0;
  const abs = BigInt(Math.abs(micros));
  const whole = abs / 1_000_000n;
  const fraction = (abs % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
