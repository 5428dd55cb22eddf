// The bundled, dated price table and the rules that turn a model name from a log into a price.
// Prices are integer micros per million tokens, so a request's cost is an exact integer product
// divided once by 1e6 and rounded to a whole micro; totals are sums of integers.
//
// Model names are matched exactly after normalisation (case, vendor prefixes, date suffixes): a
// near match by prefix could price `gpt-5-pro` as `gpt-5` (12x too cheap), and an unknown model must
// be reported as unpriced, never silently priced wrong or at $0.
import { readFileSync } from 'node:fs';

export interface ModelPrice {
  /** micros per million uncached input tokens */
  input: number;
  output: number;
  /** cache write (Anthropic 5-minute cache); 0 where the vendor does not bill writes */
  cache_write: number;
  cache_read: number;
  /**
   * Long-context tier: a request whose prompt (input + cache read + cache write) is above
   * `above_input_tokens` is billed entirely at these rates (Anthropic's rule for Sonnet 4/4.5).
   */
  tier?: { above_input_tokens: number; input: number; output: number; cache_write: number; cache_read: number };
}

export interface PriceTable {
  /** the date the vendor prices were read (YYYY-MM-DD) */
  as_of: string;
  models: Record<string, ModelPrice>;
  /** other spellings of a model id → the id in `models` */
  aliases: Record<string, string>;
}

const M = 1_000_000;
/** dollars per million tokens → micros per million tokens, exact for the cent fractions used here */
const usd = (dollars: number): number => Math.round(dollars * M);

function anthropic(input: number, output: number, tier?: { input: number; output: number }): ModelPrice {
  // Anthropic: 5-minute cache write = 1.25x input, cache read = 0.1x input.
  const price: ModelPrice = { input: usd(input), output: usd(output), cache_write: usd(input * 1.25), cache_read: usd(input * 0.1) };
  if (tier) {
    price.tier = { above_input_tokens: 200_000, input: usd(tier.input), output: usd(tier.output), cache_write: usd(tier.input * 1.25), cache_read: usd(tier.input * 0.1) };
  }
  return price;
}

function openai(input: number, cachedInput: number, output: number): ModelPrice {
  return { input: usd(input), output: usd(output), cache_write: 0, cache_read: usd(cachedInput) };
}

/** Vendor list prices (USD), as published on the vendors' pricing pages on `as_of`. */
export const BUNDLED_PRICES: PriceTable = {
  as_of: '2025-11-24',
  models: {
    'claude-opus-4-5': anthropic(5, 25),
    'claude-opus-4-1': anthropic(15, 75),
    'claude-opus-4': anthropic(15, 75),
    'claude-sonnet-4-5': anthropic(3, 15, { input: 6, output: 22.5 }),
    'claude-sonnet-4': anthropic(3, 15, { input: 6, output: 22.5 }),
    'claude-3-7-sonnet': anthropic(3, 15),
    'claude-3-5-sonnet': anthropic(3, 15),
    'claude-haiku-4-5': anthropic(1, 5),
    'claude-3-5-haiku': anthropic(0.8, 4),
    'claude-3-opus': anthropic(15, 75),
    'claude-3-haiku': { input: usd(0.25), output: usd(1.25), cache_write: usd(0.3), cache_read: usd(0.03) },
    'gpt-5.1': openai(1.25, 0.125, 10),
    'gpt-5.1-codex': openai(1.25, 0.125, 10),
    'gpt-5.1-codex-mini': openai(0.25, 0.025, 2),
    'gpt-5': openai(1.25, 0.125, 10),
    'gpt-5-codex': openai(1.25, 0.125, 10),
    'gpt-5-mini': openai(0.25, 0.025, 2),
    'gpt-5-nano': openai(0.05, 0.005, 0.4),
    'gpt-5-pro': openai(15, 15, 120),
    'gpt-4.1': openai(2, 0.5, 8),
    'gpt-4.1-mini': openai(0.4, 0.1, 1.6),
    'gpt-4.1-nano': openai(0.1, 0.025, 0.4),
    'gpt-4o': openai(2.5, 1.25, 10),
    'gpt-4o-mini': openai(0.15, 0.075, 0.6),
    o3: openai(2, 0.5, 8),
    'o3-mini': openai(1.1, 0.55, 4.4),
    'o4-mini': openai(1.1, 0.275, 4.4),
    'codex-mini-latest': openai(1.5, 0.375, 6),
  },
  aliases: {
    'claude-opus-4-0': 'claude-opus-4',
    'claude-sonnet-4-0': 'claude-sonnet-4',
    'claude-3-7-sonnet-latest': 'claude-3-7-sonnet',
    'claude-3-5-sonnet-latest': 'claude-3-5-sonnet',
    'claude-3-5-haiku-latest': 'claude-3-5-haiku',
    'claude-3-opus-latest': 'claude-3-opus',
    'gpt-5-chat-latest': 'gpt-5',
    'gpt-5.1-chat-latest': 'gpt-5.1',
    'chatgpt-4o-latest': 'gpt-4o',
  },
};

/**
 * The canonical spelling of a model id as logs and vendors write it: lower case, without routing
 * prefixes (`anthropic/`, `openai/`, Bedrock's `us.anthropic.`), Vertex `@date`, Bedrock `-v1:0`,
 * and date suffixes (`-20250514`, `-2025-08-07`).
 */
export function normalizeModel(raw: string): string {
  let id = raw.trim().toLowerCase();
  const slash = id.lastIndexOf('/');
  if (slash !== -1) id = id.slice(slash + 1);
  id = id.replace(/^(?:[a-z]{2}\.)?(?:anthropic|openai)\./, '');
  id = id.replace(/@\d{8}$/, '');
  id = id.replace(/-v\d+(?::\d+)?$/, '');
  id = id.replace(/-\d{8}$/, '');
  id = id.replace(/-\d{4}-\d{2}-\d{2}$/, '');
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

  /** The price of a model as written in a log, or undefined when it has none. */
  priceOf(model: string): ModelPrice | undefined {
    let hit = this.cache.get(model);
    if (hit === undefined) {
      const id = normalizeModel(model);
      const key = this.table.models[id] ? id : this.table.aliases[id];
      hit = (key !== undefined ? this.table.models[key] : undefined) ?? null;
      this.cache.set(model, hit);
    }
    return hit ?? undefined;
  }

  /** Cost of one request in integer micros, or undefined for an unpriced model. */
  costMicros(model: string, input: number, output: number, cacheRead: number, cacheWrite: number): number | undefined {
    const price = this.priceOf(model);
    if (!price) return undefined;
    return requestCostMicros(price, input, output, cacheRead, cacheWrite);
  }
}

export function requestCostMicros(price: ModelPrice, input: number, output: number, cacheRead: number, cacheWrite: number): number {
  const rates = price.tier && input + cacheRead + cacheWrite > price.tier.above_input_tokens ? price.tier : price;
  // Each product is an exact integer (tokens × micros per million); only the final division rounds.
  const microMicros = input * rates.input + output * rates.output + cacheRead * rates.cache_read + cacheWrite * rates.cache_write;
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
    throw new Error(`cannot read the price file ${overridePath}: ${(error as Error).message}. Fix its permissions or remove it.`);
  }
  return new Pricing(mergePriceOverride(BUNDLED_PRICES, parsePriceOverride(text, overridePath)));
}

export function parsePriceOverride(text: string, where: string): Partial<PriceTable> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`the price file ${where} is not valid JSON (${(error as Error).message}). Fix it or remove it to use the bundled prices.`);
  }
  if (!raw || typeof raw !== 'object') throw new Error(`the price file ${where} must hold a JSON object with "models". Fix it or remove it.`);
  const doc = raw as { unit?: unknown; models?: unknown; aliases?: unknown; as_of?: unknown };
  const dollars = doc.unit === 'usd_per_million';
  const models: Record<string, ModelPrice> = {};
  if (doc.models !== undefined) {
    if (!doc.models || typeof doc.models !== 'object') throw new Error(`"models" in the price file ${where} must be an object. Fix it or remove it.`);
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
      throw new Error(`${sub}.${name} in the price file ${where} must be a non-negative number. Fix it or remove the model.`);
    }
    return dollars ? usd(v) : Math.round(v);
  };
  if (!value || typeof value !== 'object') throw new Error(`${path} in the price file ${where} must be an object. Fix it or remove the model.`);
  const obj = value as Record<string, unknown>;
  const price: ModelPrice = {
    input: field(obj, 'input', path, true),
    output: field(obj, 'output', path, true),
    cache_write: field(obj, 'cache_write', path, false),
    cache_read: field(obj, 'cache_read', path, false),
  };
  if (obj.tier && typeof obj.tier === 'object') {
    const tier = obj.tier as Record<string, unknown>;
    price.tier = {
      // a token count, never a price: not scaled by `unit`
      above_input_tokens: field(tier, 'above_input_tokens', `${path}.tier`, true) / (dollars ? M : 1),
      input: field(tier, 'input', `${path}.tier`, true),
      output: field(tier, 'output', `${path}.tier`, true),
      cache_write: field(tier, 'cache_write', `${path}.tier`, false),
      cache_read: field(tier, 'cache_read', `${path}.tier`, false),
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
