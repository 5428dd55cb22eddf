import assert from 'node:assert/strict';
import { isoDurationMs } from '../../../src/domain/duration';

describe('duration', () => {
  it('measures the ISO 8601 durations the contract uses', () => {
    assert.equal(isoDurationMs('PT2H'), 7_200_000);
    assert.equal(isoDurationMs('PT30M'), 1_800_000);
    assert.equal(isoDurationMs('PT1.5S'), 1_500);
    assert.equal(isoDurationMs('P1D'), 86_400_000);
    assert.equal(isoDurationMs('P1W'), 604_800_000);
    assert.equal(isoDurationMs('P1DT2H3M4S'), 86_400_000 + 7_200_000 + 180_000 + 4_000);
    assert.equal(isoDurationMs(' PT1H '), 3_600_000);
    assert.equal(isoDurationMs('PT0S'), 0);
  });

  it('refuses months, years, empty parts and anything else', () => {
    for (const bad of ['P1M', 'P1Y', 'P', 'PT', 'P1DT', '', '2h', 'pt2h', 'PT-1H', 'T1H']) {
      assert.equal(isoDurationMs(bad), undefined, JSON.stringify(bad));
    }
  });
});
