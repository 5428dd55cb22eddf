// Prices: names as logs write them, tiers, unpriced models, the user's override file, integer micros.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_PRICES, loadPricing, normalizeModel, Pricing } from '../../../src/usage/prices/prices';
import { claudeLine, setup, totals, writeLines, type MeterSetup } from './usageTestKit';

function loadPricingFrom(doc: unknown): Pricing {
  const dir = mkdtempSync(join(tmpdir(), 'sb-prices-'));
  try {
    writeFileSync(join(dir, 'prices.json'), JSON.stringify(doc));
    return loadPricing(join(dir, 'prices.json'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('usage: pricing', function () {
  this.timeout(30_000);

  it('normalises model names: date suffixes, vendor prefixes, Bedrock and Vertex spellings, case', () => {
    const cases: [string, string][] = [
      ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
      ['anthropic/claude-sonnet-4-5', 'claude-sonnet-4-5'],
      ['us.anthropic.claude-opus-4-1-20250805-v1:0', 'claude-opus-4-1'],
      ['claude-opus-4-1@20250805', 'claude-opus-4-1'],
      ['openai/gpt-4.1-2025-04-14', 'gpt-4.1'],
      ['GPT-5-Codex', 'gpt-5-codex'],
      ['o4-mini-2025-04-16', 'o4-mini'],
      // Spellings seen in real logs and vendor consoles:
      ['gpt-5-1-codex-2025-11-13', 'gpt-5.1-codex'],
      ['gpt-5.1-codex-max', 'gpt-5.1-codex-max'],
      ['gpt-5-2-codex', 'gpt-5.2-codex'],
      ['gpt-5.3-codex', 'gpt-5.3-codex'],
      ['gpt-5.5-2026-04-23', 'gpt-5.5'],
      ['anthropic.claude-opus-4-6-v1:0', 'claude-opus-4-6'],
      ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet'],
      ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5'],
      ['global.anthropic.claude-opus-4-5-20251101-v1:0', 'claude-opus-4-5'],
      ['apac.anthropic.claude-sonnet-4-20250514-v1:0', 'claude-sonnet-4'],
      ['claude-opus-4-6@20260205', 'claude-opus-4-6'],
      ['claude-sonnet-4-5@default', 'claude-sonnet-4-5'],
      ['anthropic/claude-opus-4.6', 'claude-opus-4-6'],
      ['claude-opus-4-6[1m]', 'claude-opus-4-6'],
      ['claude-3.5-sonnet', 'claude-3-5-sonnet'],
    ];
    for (const [raw, id] of cases) assert.equal(normalizeModel(raw), id, raw);
    const pricing = new Pricing(BUNDLED_PRICES);
    for (const [raw] of cases) assert.ok(pricing.priceOf(raw), `${raw} has a price`);
  });

  it('never prices a model by a near name: gpt-5-pro is not gpt-5, an unknown Claude is unpriced', () => {
    const pricing = new Pricing(BUNDLED_PRICES);
    assert.equal(pricing.priceOf('gpt-5-pro')!.output, 120_000_000);
    assert.equal(pricing.priceOf('claude-sonnet-9-20300101'), undefined);
    assert.equal(pricing.costMicros('mystery-model', 1000, 1000, 0, 0), undefined);
  });

  it('the bundled table covers current Claude and OpenAI coding models, dated', () => {
    const pricing = new Pricing(BUNDLED_PRICES);
    // The models the issue found unpriced in real logs, and the current Claude and Codex lineups.
    for (const m of [
      'claude-opus-4-6',
      'claude-opus-4-7',
      'claude-opus-4-8',
      'claude-opus-5',
      'claude-opus-5-5',
      'claude-sonnet-4-6',
      'claude-sonnet-5',
      'claude-sonnet-5-5',
      'claude-haiku-5-5',
      'claude-fable-5-1',
      'gpt-5.1-codex-max',
      'gpt-5.2',
      'gpt-5.2-codex',
      'gpt-5.3-codex',
      'gpt-5.4',
      'gpt-5.5',
    ]) {
      assert.ok(pricing.priceOf(m), m);
    }
    for (const m of [
      'claude-opus-4-5',
      'claude-opus-4-1',
      'claude-opus-4',
      'claude-sonnet-4-5',
      'claude-sonnet-4',
      'claude-3-7-sonnet',
      'claude-3-5-sonnet',
      'claude-haiku-4-5',
      'claude-3-5-haiku',
      'gpt-4.1',
      'gpt-4o',
      'o3',
      'o4-mini',
      'gpt-5',
      'gpt-5-codex',
      'gpt-5-mini',
    ]) {
      assert.ok(pricing.priceOf(m), m);
    }
    assert.match(BUNDLED_PRICES.as_of, /^\d{4}-\d{2}-\d{2}$/);
    for (const [name, p] of Object.entries(BUNDLED_PRICES.models)) {
      for (const v of [p.input, p.output, p.cache_read, p.cache_write, p.cache_write_1h])
        assert.ok(Number.isSafeInteger(v) && v >= 0, `${name}: integer micros per million`);
    }
  });

  it('tiered pricing: a Sonnet 4.5 request above 200k prompt tokens is billed entirely at the long-context rates', () => {
    const pricing = new Pricing(BUNDLED_PRICES);
    // 200,000 prompt tokens: base rates ($3 in, $15 out, $0.30 cache read, $3.75 cache write per M).
    assert.equal(pricing.costMicros('claude-sonnet-4-5-20250929', 10_000, 1_000, 180_000, 10_000), 136_500);
    // 200,001: every token at $6 / $22.50 / $0.60 / $7.50.
    assert.equal(pricing.costMicros('claude-sonnet-4-5-20250929', 10_001, 1_000, 180_000, 10_000), 265_506);
    // Opus has no tier.
    assert.equal(pricing.costMicros('claude-opus-4-1', 300_000, 0, 0, 0), 300_000 * 15);
  });

  it('1-hour cache writes cost 2x input, 5-minute ones 1.25x; a price file without the 1-hour rate keeps its 5-minute rate', () => {
    const pricing = new Pricing(BUNDLED_PRICES);
    // Opus 4.6: 1,000,000 cache-write tokens, 400,000 of them with the 1-hour lifetime.
    // 600,000 × $6.25 + 400,000 × $10 = $3.75 + $4.00.
    assert.equal(pricing.costMicros('claude-opus-4-6', 0, 0, 0, 1_000_000, 400_000), 7_750_000);
    assert.equal(pricing.costMicros('claude-opus-4-6', 0, 0, 0, 1_000_000, 0), 6_250_000);
    const own = loadPricingFrom({
      unit: 'usd_per_million',
      models: { 'claude-own': { input: 1, output: 1, cache_write: 2 } },
    });
    assert.equal(own.costMicros('claude-own', 0, 0, 0, 1_000_000, 1_000_000), 2_000_000);
  });

  it('fast mode is priced at its own rates (Opus 4.6: 6x, 12x input above 200K); a model without published fast rates is unpriced, not priced at standard', () => {
    const pricing = new Pricing(BUNDLED_PRICES);
    assert.equal(pricing.costMicros('claude-opus-4-6[fast]', 100_000, 100_000, 0, 0), 100_000 * 30 + 100_000 * 150);
    assert.equal(pricing.costMicros('claude-opus-4-6-20260205[fast]', 250_000, 0, 0, 0), 250_000 * 60);
    assert.equal(pricing.costMicros('claude-sonnet-4-5[fast]', 1000, 0, 0, 0), undefined);
  });

  it('long-context tiers: Haiku 5.5 above 100K prompt tokens, GPT-5.5 above 272K', () => {
    const pricing = new Pricing(BUNDLED_PRICES);
    assert.equal(pricing.costMicros('claude-haiku-5-5', 100_000, 0, 0, 0), 10_000);
    assert.equal(pricing.costMicros('claude-haiku-5-5', 100_001, 0, 0, 0), 50_001);
    assert.equal(pricing.costMicros('gpt-5.5', 272_000, 0, 0, 0), 1_360_000);
    assert.equal(pricing.costMicros('gpt-5.5', 2_001, 0, 270_000, 0), 20_010 + 270_000);
  });

  it('costs are integer micros, rounded once per request', () => {
    const pricing = new Pricing(BUNDLED_PRICES);
    // 3 cache-read tokens of Sonnet = 0.9 micros → 1; 1 token of gpt-5-nano input = 0.05 → 0.
    assert.equal(pricing.costMicros('claude-sonnet-4-5', 0, 0, 3, 0), 1);
    assert.equal(pricing.costMicros('gpt-5-nano', 1, 0, 0, 0), 0);
    assert.ok(Number.isSafeInteger(pricing.costMicros('claude-opus-4-1', 123_457, 98_765, 4_321_987, 55_555)!));
  });

  describe('in a scan', () => {
    let s: MeterSetup;
    beforeEach(() => {
      s = setup();
    });
    afterEach(() => s.dir.remove());

    it('an unpriced model is reported with its tokens, never as $0, and priced usage beside it is unaffected', async () => {
      writeLines(join(s.claude, 'projects', 'p', 'a.jsonl'), [
        claudeLine({
          msgId: 'm1',
          requestId: 'r1',
          model: 'claude-mystery-5',
          timestamp: '2026-11-02T10:00:00Z',
          input: 10,
          output: 200,
          cacheRead: 3000,
        }),
        claudeLine({
          msgId: 'm2',
          requestId: 'r2',
          model: 'claude-mystery-5',
          timestamp: '2026-11-02T11:00:00Z',
          input: 1,
          output: 2,
          cacheWrite: 4,
        }),
        claudeLine({
          msgId: 'm3',
          requestId: 'r3',
          model: 'claude-haiku-4-5-20251001',
          timestamp: '2026-11-02T10:00:00Z',
          input: 1000,
          output: 100,
        }),
      ]);
      const snap = await s.meter().refresh();
      assert.deepEqual(snap.unpricedModels, [
        {
          model: 'claude-mystery-5',
          tokens: { input: 11, output: 202, cache_read: 3000, cache_write: 4, cache_write_1h: 0 },
          requests: 2,
        },
      ]);
      for (const e of snap.events.filter((x) => x.model === 'claude-mystery-5')) assert.equal(e.costMicros, null);
      assert.equal(totals(snap).costMicros, 1000 * 1 + 100 * 5);
    });

    it("the user's price file overrides and extends the bundled table; editing it reprices without a rescan", async () => {
      const prices = join(s.dir.path, 'prices.json');
      writeFileSync(
        prices,
        JSON.stringify({ unit: 'usd_per_million', models: { 'claude-mystery-5': { input: 2, output: 10 } } }),
      );
      writeLines(join(s.claude, 'projects', 'p', 'a.jsonl'), [
        claudeLine({
          msgId: 'm1',
          requestId: 'r1',
          model: 'claude-mystery-5-20301231',
          timestamp: '2026-11-02T10:00:00Z',
          input: 1000,
          output: 100,
        }),
      ]);
      const meter = s.meter({ pricesOverridePath: prices });
      let snap = await meter.refresh();
      assert.equal(totals(snap).costMicros, 1000 * 2 + 100 * 10);
      assert.deepEqual(snap.unpricedModels, []);
      // Edit the file (a different size, so the change is seen whatever the mtime granularity).
      writeFileSync(
        prices,
        JSON.stringify(
          { unit: 'usd_per_million', as_of: '2030-01-01', models: { 'claude-mystery-5': { input: 20, output: 100 } } },
          null,
          2,
        ),
      );
      snap = await meter.refresh();
      assert.equal(snap.stats.bytesRead, 0);
      assert.equal(totals(snap).costMicros, 1000 * 20 + 100 * 100);
      assert.equal(snap.pricesAsOf, '2030-01-01');
    });

    it('a broken price file is an error that names the file and says what to do', async () => {
      const prices = join(s.dir.path, 'prices.json');
      writeFileSync(prices, '{"models": {"x": {"input": "cheap"}}}');
      assert.throws(
        () => loadPricing(prices),
        /models\.x\.input in the price file .*prices\.json.*non-negative number.*Fix it/,
      );
      writeFileSync(prices, '{nope');
      await assert.rejects(
        s.meter({ pricesOverridePath: prices }).refresh(),
        /not valid JSON.*remove it to use the bundled prices/,
      );
    });
  });
});
