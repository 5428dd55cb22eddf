// Prices: names as logs write them, tiers, unpriced models, the user's override file, integer micros.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_PRICES, loadPricing, normalizeModel, Pricing } from '../../../src/usage/prices/prices';
import { claudeLine, setup, totals, writeLines, type MeterSetup } from './usageTestKit';

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
    for (const m of ['claude-opus-4-5', 'claude-opus-4-1', 'claude-opus-4', 'claude-sonnet-4-5', 'claude-sonnet-4', 'claude-3-7-sonnet', 'claude-3-5-sonnet', 'claude-haiku-4-5', 'claude-3-5-haiku', 'gpt-4.1', 'gpt-4o', 'o3', 'o4-mini', 'gpt-5', 'gpt-5-codex', 'gpt-5-mini']) {
      assert.ok(pricing.priceOf(m), m);
    }
    assert.match(BUNDLED_PRICES.as_of, /^\d{4}-\d{2}-\d{2}$/);
    for (const [name, p] of Object.entries(BUNDLED_PRICES.models)) {
      for (const v of [p.input, p.output, p.cache_read, p.cache_write]) assert.ok(Number.isSafeInteger(v) && v >= 0, `${name}: integer micros per million`);
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
        claudeLine({ msgId: 'm1', requestId: 'r1', model: 'claude-mystery-5', timestamp: '2026-11-02T10:00:00Z', input: 10, output: 200, cacheRead: 3000 }),
        claudeLine({ msgId: 'm2', requestId: 'r2', model: 'claude-mystery-5', timestamp: '2026-11-02T11:00:00Z', input: 1, output: 2, cacheWrite: 4 }),
        claudeLine({ msgId: 'm3', requestId: 'r3', model: 'claude-haiku-4-5-20251001', timestamp: '2026-11-02T10:00:00Z', input: 1000, output: 100 }),
      ]);
      const snap = await s.meter().refresh();
      assert.deepEqual(snap.unpricedModels, [{ model: 'claude-mystery-5', tokens: { input: 11, output: 202, cache_read: 3000, cache_write: 4 }, requests: 2 }]);
      for (const e of snap.events.filter((x) => x.model === 'claude-mystery-5')) assert.equal(e.costMicros, null);
      assert.equal(totals(snap).costMicros, 1000 * 1 + 100 * 5);
    });

    it("the user's price file overrides and extends the bundled table; editing it reprices without a rescan", async () => {
      const prices = join(s.dir.path, 'prices.json');
      writeFileSync(prices, JSON.stringify({ unit: 'usd_per_million', models: { 'claude-mystery-5': { input: 2, output: 10 } } }));
      writeLines(join(s.claude, 'projects', 'p', 'a.jsonl'), [claudeLine({ msgId: 'm1', requestId: 'r1', model: 'claude-mystery-5-20301231', timestamp: '2026-11-02T10:00:00Z', input: 1000, output: 100 })]);
      const meter = s.meter({ pricesOverridePath: prices });
      let snap = await meter.refresh();
      assert.equal(totals(snap).costMicros, 1000 * 2 + 100 * 10);
      assert.deepEqual(snap.unpricedModels, []);
      // Edit the file (a different size, so the change is seen whatever the mtime granularity).
      writeFileSync(prices, JSON.stringify({ unit: 'usd_per_million', as_of: '2030-01-01', models: { 'claude-mystery-5': { input: 20, output: 100 } } }, null, 2));
      snap = await meter.refresh();
      assert.equal(snap.stats.bytesRead, 0);
      assert.equal(totals(snap).costMicros, 1000 * 20 + 100 * 100);
      assert.equal(snap.pricesAsOf, '2030-01-01');
    });

    it('a broken price file is an error that names the file and says what to do', async () => {
      const prices = join(s.dir.path, 'prices.json');
      writeFileSync(prices, '{"models": {"x": {"input": "cheap"}}}');
      assert.throws(() => loadPricing(prices), /models\.x\.input in the price file .*prices\.json.*non-negative number.*Fix it/);
      writeFileSync(prices, '{nope');
      await assert.rejects(s.meter({ pricesOverridePath: prices }).refresh(), /not valid JSON.*remove it to use the bundled prices/);
    });
  });
});
