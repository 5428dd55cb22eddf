// Spend that is partly or wholly without a price (a model missing from the price table), as every
// report surface shows it: the tokens with "no price", never $0; a sum that mixes priced and unpriced
// usage is a lower bound and says so. One rule for the text, Markdown, webview, JSON and CSV.
import { formatMicros } from './format';
import { microsToDecimalString } from './money';

/** The usage behind a figure that has no price. */
export interface UnpricedPart {
  requests: number;
  /** input + output + cache read + cache write tokens of those requests (0 when the source does not say) */
  tokens: number;
  /** nothing in the figure is priced: its amount is unknown, not zero */
  nothingPriced: boolean;
}

/**
 * The unpriced part of a figure made of `requests` requests, `unpricedRequests` of them without a price;
 * null when all are priced. `pricedBesides` says the figure also holds priced money that is not usage
 * (seats in the whole bill), so it is never "nothing priced".
 */
export function unpricedPart(
  requests: number,
  unpricedRequests: number,
  unpricedTokens: number,
  pricedBesides = false,
): UnpricedPart | null {
  if (unpricedRequests <= 0) return null;
  return {
    requests: unpricedRequests,
    tokens: unpricedTokens,
    nothingPriced: !pricedBesides && unpricedRequests >= requests,
  };
}

/** "1.2M", "3.4k", "512" */
export function tokenCountText(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

function unpricedUsageText(part: UnpricedPart): string {
  return part.tokens > 0 ? `${tokenCountText(part.tokens)} tokens` : `${part.requests} request(s)`;
}

/** "$1.30", "no price (1.2M tokens)", or "at least $1.30 (+1.2M tokens, no price)". */
export function spendText(
  micros: number,
  unpriced: UnpricedPart | null,
  currency: string,
  style: 'compact' | 'exact' = 'exact',
): string {
  const money = formatMicros(micros, currency, style);
  if (!unpriced) return money;
  if (unpriced.nothingPriced) return `no price (${unpricedUsageText(unpriced)})`;
  return `at least ${money} (+${unpricedUsageText(unpriced)}, no price)`;
}

/** The figure beside a bar, where there is room for a dozen characters: "$1.30", "no price", "≥ $1.30". */
export function spendShortText(micros: number, unpriced: UnpricedPart | null, currency: string): string {
  const money = formatMicros(micros, currency, 'compact');
  if (!unpriced) return money;
  return unpriced.nothingPriced ? 'no price' : `≥ ${money}`;
}

/** "2.5M tokens (1 request)" */
export function unpricedUsageDetail(part: UnpricedPart): string {
  return `${tokenCountText(part.tokens)} tokens, ${part.requests} request(s)`;
}

/** Money in the JSON export: an exact decimal string, null when nothing is priced, `lower_bound` when part is. */
export interface SpendJson {
  amount: string | null;
  currency: string;
  /** true when some of the usage behind the amount has no price: the real figure is higher */
  lower_bound: boolean;
}

export function spendJson(micros: number, unpriced: UnpricedPart | null, currency: string): SpendJson {
  return {
    amount: unpriced?.nothingPriced ? null : microsToDecimalString(micros),
    currency,
    lower_bound: unpriced !== null && !unpriced.nothingPriced,
  };
}

/** The CSV amount cell: empty when nothing is priced (never 0). */
export function spendCsvAmount(micros: number, unpriced: UnpricedPart | null): string | undefined {
  return unpriced?.nothingPriced ? undefined : microsToDecimalString(micros);
}
