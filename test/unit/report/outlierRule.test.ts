import * as assert from 'node:assert/strict';
import { classSpreads, countOutliers, isOutlier, OUTLIER_RULE } from '../../../src/domain/outlierRule';

const $ = (usd: number) => Math.round(usd * 1e6);
const runs = (group: string, usd: number[]) => usd.map((u) => ({ group, costMicros: $(u) }));

describe('outlier rule (median + 3 × scaled MAD, at least 2 × median, 5 runs minimum)', () => {
  it('counts the outliers of one group the same way (the pre-flight estimate uses it)', () => {
    assert.equal(countOutliers(runs('x', [2, 2.5, 1.8, 2.2, 3, 2.1, 80]).map((r) => r.costMicros)), 1);
    assert.equal(countOutliers([$(1), $(1), $(100)]), 0, 'three runs are too few to judge');
    assert.equal(countOutliers([]), 0);
  });

  it('flags one run far above its class even though it drags the mean up', () => {
    const spreads = classSpreads(runs('deep_coding', [2, 2.5, 1.8, 2.2, 3, 2.1, 80]));
    const s = spreads.get('deep_coding')!;
    assert.equal(s.medianMicros, $(2.2));
    assert.ok(isOutlier($(80), s));
    assert.ok(!isOutlier($(3), s), 'the dearest ordinary run is not an outlier');
    // a mean + 3σ rule misses it: the run lifts the mean to ≈ $13.4 and σ to ≈ $27.2, so the bar is ≈ $95
    const two = classSpreads(runs('x', [2, 2.5, 1.8, 2.2, 3, 2.1, 80, 75])).get('x')!;
    assert.ok(isOutlier($(75), two) && isOutlier($(80), two), 'two big runs do not hide each other');
  });

  it('judges each class against its own runs', () => {
    const spreads = classSpreads([
      ...runs('light_assist', [0.1, 0.12, 0.09, 0.11, 0.1]),
      ...runs('background_automation', [20, 25, 18, 22, 30]),
    ]);
    assert.ok(isOutlier($(1), spreads.get('light_assist')), '$1 is huge for light assist');
    assert.ok(!isOutlier($(30), spreads.get('background_automation')), '$30 is usual for background automation');
  });

  it('does not judge a class with fewer than 5 runs', () => {
    const s = classSpreads(runs('review', [1, 1, 1, 50])).get('review')!;
    assert.equal(s.thresholdMicros, null);
    assert.ok(!isOutlier($(50), s));
    assert.equal(OUTLIER_RULE.minCount, 5);
  });

  it('needs at least twice the median when all runs cost about the same (MAD 0)', () => {
    const s = classSpreads(runs('review', [1, 1, 1, 1, 1, 1.5])).get('review')!;
    assert.equal(s.madMicros, 0);
    assert.equal(s.thresholdMicros, $(2));
    assert.ok(!isOutlier($(1.5), s));
    assert.ok(isOutlier($(2.01), s));
  });

  it('never flags fractions of a cent among free runs', () => {
    const s = classSpreads(runs('research', [0, 0, 0, 0, 0, 0.004])).get('research')!;
    assert.ok(!isOutlier($(0.004), s));
    assert.ok(isOutlier($(0.02), s));
  });

  it('knows nothing about a class it has not seen', () => {
    assert.equal(isOutlier($(100), undefined), false);
  });
});
