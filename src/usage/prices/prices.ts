// The bundled, dated price table and the rules that turn a model name from a log into a price.
// Prices are integer micros per million tokens, so a request's cost is an exact integer product
// divided once by 1e6 and rounded to a whole micro; totals are sums of integers.
//
// Model names are matched exactly after normalisation (case, vendor prefixes, date suffixes): a
// near match by prefix could price `gpt-5-pro` as `gpt-5` (12x too cheap), and an unknown model must
// be reported as unpriced, never silently priced wrong or at $0.
import { readFileSync } from 'node:fs';
import { BUNDLED_PRICES } from './priceTable';

export { BUNDLED_PRICES } from './priceTable';

export interface Rates {
  /** micros per million uncached input tokens */
  input: number;
  output: number;
  /** cache write with the 5-minute lifetime (Anthropic: 1.25x input); 0 where the vendor does not bill writes */
  cache_write: number;
  /** cache write with the 1-hour lifetime (Anthropic: 2x input) */
  cache_write_1h: number;
  cache_read: number;
}

export interface ModelPrice extends Rates {
  /**
   * Long-context tier: a request whose prompt (input + cache read + cache write) is above
   * `above_input_tokens` is billed entirely at these rates (Anthropic's rule for Sonnet 4/4.5, and
   * OpenAI's above 272K for GPT-5.5).
   */
  tier?: (Rates & { above_input_tokens: number }) | undefined;
  /** The fast mode (`usage.speed: "fast"`), with its own tier; a model without it prices fast usage as unpriced. */
  fast?: (Rates & { tier?: (Rates & { above_input_tokens: number }) | undefined }) | undefined;
}

export interface PriceTable {
  /** the date the vendor prices were read (YYYY-MM-DD) */
  as_of: string;
  models: Record<string, ModelPrice>;
  /** other spellings of a model id → the id in `models` */
  aliases: Record<string, string>;
}

/** Appended to a model's name by the log parser when the request ran in the vendor's fast mode. */
export const FAST_SUFFIX = '[fast]';

const M = 1_000_000;
/** dollars per million tokens → micros per million tokens, exact for the cent fractions used here */
export const usd = (dollars: number): number => Math.round(dollars * M);

/**
 * The canonical spelling of a model id as logs and vendors write it: lower case, without routing
 * prefixes (`anthropic/`, `openai/`, Bedrock's `anthropic.` with a region such as `us.`, `eu.`,
 * `apac.` or `global.`), Vertex `@date`, Bedrock `-v1:0`, Claude Code's `[1m]` context marker, date
 * suffixes (`-20250514`, `-2025-08-07`), with Claude versions in dashes (`claude-opus-4.6` →
 * `claude-opus-4-6`) and GPT versions in dots (`gpt-5-1-codex` → `gpt-5.1-codex`). The fast suffix
 * is kept apart by the caller.
 */
export function normalizeModel(raw: string): string {
  let id = raw.trim().toLowerCase();
  const slash = id.lastIndexOf('/');
  if (slash !== -1) id = id.slice(slash + 1);
  id = id.replace(/^(?:[a-z]+\.)?(?:anthropic|openai)\./, '');
  id = id.replace(/\[1m\]$/, '');
  id = id.replace(/@[\w.-]*$/, '');
  id = id.replace(/-v\d+(?::\d+)?$/, '');
  id = id.replace(/-\d{8}$/, '');
  id = id.replace(/-\d{4}-\d{2}-\d{2}$/, '');
  if (id.startsWith('claude-')) id = id.replace(/(\d)\.(\d)/g, '$1-$2');
  else id = id.replace(/^gpt-(\d+)-(\d)(?=-|$)/, 'gpt-$1.$2');
  return id;
}

export interface TokenCounts4 {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
}

/** A price table with its lookups cached; `fingerprint` changes whenever any price changes. */
export class Pricing {
  readonly fingerprint: string;
  private readonly cache = new Map<string, ModelPrice | null>();

  constructor(readonly table: PriceTable) {
    this.fingerprint = stableHash(JSON.stringify(table));
  }

  /**
   * The price of a model as written in a log (a fast-mode request's name ends in FAST_SUFFIX: the
   * model's fast rates), or undefined when it has none.
   */
  priceOf(model: string): ModelPrice | undefined {
    let hit = this.cache.get(model);
    if (hit === undefined) {
      const fast = model.endsWith(FAST_SUFFIX);
      const id = normalizeModel(fast ? model.slice(0, -FAST_SUFFIX.length) : model);
      const key = this.table.models[id] ? id : this.table.aliases[id];
      const base = key !== undefined ? this.table.models[key] : undefined;
      hit = (fast ? base?.fast : base) ?? null;
      this.cache.set(model, hit);
    }
    return hit ?? undefined;
  }

  /** Cost of one request in integer micros, or undefined for an unpriced model. */
  costMicros(
    model: string,
    input: number,
    output: number,
    cacheRead: number,
    cacheWrite: number,
    cacheWrite1h = 0,
  ): number | undefined {
    const price = this.priceOf(model);
    if (!price) return undefined;
    return requestCostMicros(price, input, output, cacheRead, cacheWrite, cacheWrite1h);
  }
}

/**
 * One request's cost in integer micros: `cacheWrite` is all the cache writes, `cacheWrite1h` the
 * part of them with the 1-hour lifetime (billed at its own rate, the rest at the 5-minute rate).
 */
export function requestCostMicros(
  price: ModelPrice,
  input: number,
  output: number,
  cacheRead: number,
  cacheWrite: number,
  cacheWrite1h = 0,
): number {
  const rates: Rates =
    price.tier && input + cacheRead + cacheWrite > price.tier.above_input_tokens ? price.tier : price;
  const oneHour = Math.min(cacheWrite1h, cacheWrite);
  // Each product is an exact integer (tokens × micros per million); only the final division rounds.
  const microMicros =
    input * rates.input +
    output * rates.output +
    cacheRead * rates.cache_read +
    (cacheWrite - oneHour) * rates.cache_write +
    oneHour * rates.cache_write_1h;
  return Math.round(microMicros / M);
}

/**
 * The bundled table with a user's override file merged over it. The file has the same shape
 * (`models`, optional `aliases`, `as_of`), in micros per million tokens or, with `"unit": "usd_per_million"`,
 * in dollars per million tokens.
 */
export function loadPricing(overridePath?: string): Pricing {
  if (!overridePath) return new Pricing(BUNDLED_PRICES);
  let text: string;
  try {
    text = readFileSync(overridePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Pricing(BUNDLED_PRICES);
    throw new Error(
      `cannot read the price file ${overridePath}: ${(error as Error).message}. Fix its permissions or remove it.`,
    );
  }
  return new Pricing(mergePriceOverride(BUNDLED_PRICES, parsePriceOverride(text, overridePath)));
}

export function parsePriceOverride(text: string, where: string): Partial<PriceTable> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `the price file ${where} is not valid JSON (${(error as Error).message}). Fix it or remove it to use the bundled prices.`,
    );
  }
  if (!raw || typeof raw !== 'object')
    throw new Error(`the price file ${where} must hold a JSON object with "models". Fix it or remove it.`);
  const doc = raw as { unit?: unknown; models?: unknown; aliases?: unknown; as_of?: unknown };
  const dollars = doc.unit === 'usd_per_million';
  const models: Record<string, ModelPrice> = {};
  if (doc.models !== undefined) {
    if (!doc.models || typeof doc.models !== 'object')
      throw new Error(`"models" in the price file ${where} must be an object. Fix it or remove it.`);
    for (const [name, value] of Object.entries(doc.models as Record<string, unknown>)) {
      models[normalizeModel(name)] = parseModelPrice(value, `models.${name}`, where, dollars);
    }
  }
  const aliases: Record<string, string> = {};
  if (doc.aliases && typeof doc.aliases === 'object') {
    for (const [from, to] of Object.entries(doc.aliases as Record<string, unknown>)) {
      if (typeof to === 'string') aliases[normalizeModel(from)] = normalizeModel(to);
    }
  }
  return { models, aliases, ...(typeof doc.as_of === 'string' ? { as_of: doc.as_of } : {}) };
}

function parseModelPrice(value: unknown, path: string, where: string, dollars: boolean): ModelPrice {
  const field = (obj: Record<string, unknown>, name: string, sub: string, required: boolean): number => {
    const v = obj[name];
    if (v === undefined && !required) return 0;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new Error(
        `${sub}.${name} in the price file ${where} must be a non-negative number. Fix it or remove the model.`,
      );
    }
    return dollars ? usd(v) : Math.round(v);
  };
  // A file without `cache_write_1h` (written before it existed) bills 1-hour writes at its 5-minute rate.
  const rates = (o: Record<string, unknown>, at: string): Rates => {
    const cacheWrite = field(o, 'cache_write', at, false);
    return {
      input: field(o, 'input', at, true),
      output: field(o, 'output', at, true),
      cache_write: cacheWrite,
      cache_write_1h: o.cache_write_1h === undefined ? cacheWrite : field(o, 'cache_write_1h', at, false),
      cache_read: field(o, 'cache_read', at, false),
    };
  };
  const tierOf = (o: Record<string, unknown>, at: string) => ({
    // a token count, never a price: not scaled by `unit`
    above_input_tokens: field(o, 'above_input_tokens', at, true) / (dollars ? M : 1),
    ...rates(o, at),
  });
  if (!value || typeof value !== 'object')
    throw new Error(`${path} in the price file ${where} must be an object. Fix it or remove the model.`);
  const obj = value as Record<string, unknown>;
  const price: ModelPrice = rates(obj, path);
  if (obj.tier && typeof obj.tier === 'object')
    price.tier = tierOf(obj.tier as Record<string, unknown>, `${path}.tier`);
  if (obj.fast && typeof obj.fast === 'object') {
    const fast = obj.fast as Record<string, unknown>;
    price.fast = {
      ...rates(fast, `${path}.fast`),
      ...(fast.tier && typeof fast.tier === 'object'
        ? { tier: tierOf(fast.tier as Record<string, unknown>, `${path}.fast.tier`) }
        : {}),
    };
  }
  return price;
}

export function mergePriceOverride(base: PriceTable, override: Partial<PriceTable>): PriceTable {
  return {
    as_of: override.as_of ?? base.as_of,
    models: { ...base.models, ...override.models },
    aliases: { ...base.aliases, ...override.aliases },
  };
}

/** FNV-1a over a string, as 8 hex digits: cheap and stable across runs. */
function stableHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
