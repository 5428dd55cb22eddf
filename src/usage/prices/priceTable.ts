// The bundled, dated price table: vendor list prices (USD per million tokens, standard tier), read
// from the vendors' public pricing and model pages on `as_of` (Anthropic:
// platform.claude.com/docs/en/about-claude/pricing; OpenAI: developers.openai.com/api/docs/pricing);
// model by model, the page and date are listed in usage/README.md. A model the vendor has not priced publicly (a
// research preview, a fast mode without a published rate) is left out on purpose: its usage is
// reported as unpriced, never guessed.
import type { ModelPrice, PriceTable, Rates } from './prices';

const M = 1_000_000;
const usd = (dollars: number): number => Math.round(dollars * M);

/**
 * Anthropic rates from the base input price: 5-minute cache write 1.25x, 1-hour cache write 2x,
 * cache read `readShare` x (0.1 for most models; the pricing page lists lower shares for some).
 */
function claudeRates(input: number, output: number, readShare = 0.1): Rates {
  return {
    input: usd(input),
    output: usd(output),
    cache_write: usd(input * 1.25),
    cache_write_1h: usd(input * 2),
    cache_read: usd(input * readShare),
  };
}

function anthropic(
  input: number,
  output: number,
  extra: {
    readShare?: number;
    tier?: { above: number; input: number; output: number };
    fast?: ModelPrice['fast'];
  } = {},
): ModelPrice {
  const price: ModelPrice = claudeRates(input, output, extra.readShare);
  if (extra.tier)
    price.tier = {
      above_input_tokens: extra.tier.above,
      ...claudeRates(extra.tier.input, extra.tier.output, extra.readShare),
    };
  if (extra.fast) price.fast = extra.fast;
  return price;
}

/** OpenAI: cached input is the cache read; OpenAI bills no cache writes. */
function openai(
  input: number,
  cachedInput: number,
  output: number,
  tier?: { above: number; input: number; cachedInput: number; output: number },
): ModelPrice {
  const price: ModelPrice = {
    input: usd(input),
    output: usd(output),
    cache_write: 0,
    cache_write_1h: 0,
    cache_read: usd(cachedInput),
  };
  if (tier)
    price.tier = {
      above_input_tokens: tier.above,
      input: usd(tier.input),
      output: usd(tier.output),
      cache_write: 0,
      cache_write_1h: 0,
      cache_read: usd(tier.cachedInput),
    };
  return price;
}

const SONNET_4_TIER = { above: 200_000, input: 6, output: 22.5 };

export const BUNDLED_PRICES: PriceTable = {
  as_of: '2026-12-04',
  models: {
    // Anthropic (platform.claude.com/docs/en/about-claude/pricing and the model overview pages)
    'claude-fable-5-2': anthropic(8, 40, { readShare: 0.025 }),
    'claude-mythos-5-2': anthropic(8, 40, { readShare: 0.025 }),
    'claude-fable-5-1': anthropic(10, 50, { readShare: 0.025 }),
    'claude-mythos-5-1': anthropic(10, 50, { readShare: 0.025 }),
    'claude-fable-5': anthropic(10, 50),
    'claude-mythos-5': anthropic(10, 50),
    'claude-opus-5-5': anthropic(4, 20, { readShare: 0.05 }),
    // Opus 5 fast mode: 2x the standard rates (research preview).
    'claude-opus-5': anthropic(5, 25, { fast: claudeRates(10, 50) }),
    'claude-opus-4-8': anthropic(5, 25),
    'claude-opus-4-7': anthropic(5, 25),
    // Opus 4.6 fast mode: 6x the standard rates up to 200K tokens of prompt, $60 / $225 above.
    'claude-opus-4-6': anthropic(5, 25, {
      fast: { ...claudeRates(30, 150), tier: { above_input_tokens: 200_000, ...claudeRates(60, 225) } },
    }),
    'claude-opus-4-5': anthropic(5, 25),
    'claude-opus-4-1': anthropic(15, 75),
    'claude-opus-4': anthropic(15, 75),
    'claude-sonnet-5-5': anthropic(2, 10, { readShare: 0.05 }),
    'claude-sonnet-5': anthropic(2, 10),
    'claude-sonnet-4-6': anthropic(3, 15),
    'claude-sonnet-4-5': anthropic(3, 15, { tier: SONNET_4_TIER }),
    'claude-sonnet-4': anthropic(3, 15, { tier: SONNET_4_TIER }),
    'claude-3-7-sonnet': anthropic(3, 15),
    'claude-3-5-sonnet': anthropic(3, 15),
    // Haiku 5.5: priced by prompt length, $0.10 / $0.50 up to 100K tokens, $0.50 / $2.50 above.
    'claude-haiku-5-5': anthropic(0.1, 0.5, { tier: { above: 100_000, input: 0.5, output: 2.5 } }),
    'claude-haiku-4-5': anthropic(1, 5),
    'claude-3-5-haiku': anthropic(0.8, 4),
    'claude-3-opus': anthropic(15, 75),
    'claude-3-haiku': {
      input: usd(0.25),
      output: usd(1.25),
      cache_write: usd(0.3),
      cache_write_1h: usd(0.5),
      cache_read: usd(0.03),
    },
    // Claude Code writes `<synthetic>` for messages it makes itself (no API request): zero tokens, no cost.
    '<synthetic>': { input: 0, output: 0, cache_write: 0, cache_write_1h: 0, cache_read: 0 },

    // OpenAI (developers.openai.com/api/docs/pricing and the model pages)
    'gpt-5.5': openai(5, 0.5, 30, { above: 272_000, input: 10, cachedInput: 1, output: 45 }),
    'gpt-5.5-pro': openai(30, 30, 180),
    'gpt-5.4': openai(2.5, 0.25, 15),
    'gpt-5.4-mini': openai(0.75, 0.075, 4.5),
    'gpt-5.3-codex': openai(1.75, 0.175, 14),
    'gpt-5.2': openai(1.75, 0.175, 14),
    'gpt-5.2-codex': openai(1.75, 0.175, 14),
    'gpt-5.1': openai(1.25, 0.125, 10),
    'gpt-5.1-codex': openai(1.25, 0.125, 10),
    'gpt-5.1-codex-max': openai(1.25, 0.125, 10),
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
