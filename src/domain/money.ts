// Money is integer micros. Totals are integer sums; decimal input is parsed as text, never multiplied
// as a float, so 0.1 + 0.2 is exactly 300000 micros.
import type { Money } from './schemas';

export const MICROS_PER_UNIT = 1_000_000;

export function money(amount_micros: number, currency = 'USD'): Money {
  if (!Number.isSafeInteger(amount_micros)) throw new RangeError(`amount_micros must be a safe integer, got ${amount_micros}`);
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
  /** `compact`: $124, $1.2k, $0.42; `exact`: $124.50 */
  style?: 'compact' | 'exact';
}

/** Format micros for a person. Never used for arithmetic. */
export function formatMoney(value: Money, format: MoneyFormat = {}): string {
  const symbol = SYMBOLS[value.currency];
  const negative = value.amount_micros < 0;
  const abs = Math.abs(value.amount_micros);
  let body: string;
  if (format.style === 'compact') {
    if (abs >= 10_000 * MICROS_PER_UNIT) body = `${trimFixed(abs / 1e9, 1)}k`;
    else if (abs >= 10 * MICROS_PER_UNIT) body = String(Math.round(abs / MICROS_PER_UNIT));
    else body = centsText(abs);
  } else {
    body = groupThousands(centsText(abs));
  }
  const text = symbol ? `${symbol}${body}` : `${body} ${value.currency}`;
  return negative ? `-${text}` : text;
}

function centsText(absMicros: number): string {
  const cents = Math.round(absMicros / 10_000);
  if (absMicros > 0 && cents === 0) return '0.00';
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

function trimFixed(value: number, digits: number): string {
  return value.toFixed(digits).replace(/\.0+$/, '');
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
