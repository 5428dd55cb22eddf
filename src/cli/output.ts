// How the CLI prints for a person: tables with a header row, times in the local zone, money through
// Intl.NumberFormat in the currency's own digits, and colour through util.styleText only when stdout
// is a terminal and NO_COLOR is not set. (--json output never goes through here.)
import * as util from 'node:util';
import { EXIT } from '../domain/exitCodes';
import type { Money } from '../domain/schemas';
import { CliError } from './cliError';
import { terminalText } from '../domain/untrustedText';

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** https://no-color.org: NO_COLOR set to anything non-empty turns colour off; FORCE_COLOR=0 too. */
export function colourEnabled(stream: Stream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR === '0') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

type Style = 'bold' | 'dim' | 'red' | 'yellow' | 'green';

/** A painter bound to one stream's decision; plain text when colour is off. */
export function painter(stream: Stream, env: NodeJS.ProcessEnv): (style: Style, text: string) => string {
  const on = colourEnabled(stream, env) && typeof util.styleText === 'function';
  // validateStream: false: the decision above is ours (Node 22 would look at process.stdout itself)
  return on
    ? (style, text) =>
        (util.styleText as (f: Style, t: string, o?: object) => string)(style, text, { validateStream: false })
    : (_style, text) => text;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string): Intl.NumberFormat {
  let f = moneyFormats.get(currency);
  if (!f) {
    try {
      f = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    } catch {
      // not an ISO 4217 code Intl knows: the amount with the code after it
      f = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    moneyFormats.set(currency, f);
  }
  return f;
}

/**
 * Money for a person, in the currency's own number of digits ($1,234.50, ¥1,235, €0.42). A non-zero
 * amount below the smallest unit never reads as zero: it is "<$0.01". Micros in, never floats out.
 */
export function moneyText(value: Money): string {
  const f = moneyFormat(value.currency);
  const known = f.resolvedOptions().style === 'currency';
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  const unitMicros = 10 ** (6 - digits);
  const abs = Math.abs(value.amount_micros);
  const withCode = (text: string) => (known ? text : `${text} ${value.currency}`);
  if (abs > 0 && abs < unitMicros / 2)
    return `${value.amount_micros < 0 ? '-' : ''}<${withCode(f.format(unitMicros / 1e6))}`;
  // rounded to the currency's unit in integers first, so no float error reaches the last digit
  const units = Math.round(value.amount_micros / unitMicros);
  return withCode(f.format(units / 10 ** digits));
}

/** A time in the local zone (or `timeZone`), to the minute: "Dec 4, 15:28". The year only when not this one. */
export function localTime(iso: string | number | Date, now: Date, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const sameYear =
    new Intl.DateTimeFormat('en-US', { year: 'numeric', timeZone }).format(date) ===
    new Intl.DateTimeFormat('en-US', { year: 'numeric', timeZone }).format(now);
  return new Intl.DateTimeFormat('en-US', {
    ...(sameYear ? {} : { year: 'numeric' }),
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).format(date);
}

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  /** numbers and money align right */
  align?: 'left' | 'right';
}

/** A table with a header row; columns as wide as their widest cell, two spaces apart, no trailing blanks. */
export function renderTable<Row>(
  rows: readonly Row[],
  columns: ReadonlyArray<Column<Row>>,
  paint?: (style: 'bold', text: string) => string,
): string {
  // Cells hold text from the endpoint (notes, labels, tag ids): no control or escape sequence, bidi
  // override or line break reaches the terminal (issue #20 finding 4, domain/untrustedText.ts).
  const cells = rows.map((r) => columns.map((c) => terminalText(c.value(r), 200)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const header = line(columns.map((c) => c.header));
  return `${[paint ? paint('bold', header) : header, ...cells.map(line)].join('\n')}\n`;
}

/** --limit N: a whole number from 1; undefined when not given. */
export function limitOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1)
    throw new CliError(`--limit takes a whole number of rows such as 20, not "${text}".`, EXIT.usage);
  return Number(text);
}
