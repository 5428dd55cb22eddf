// The one set of order statistics: unsorted input is fine and left unchanged, an empty input throws.
import assert from 'node:assert/strict';
import { median, medianAbsoluteDeviation, percentile } from '../../../src/domain/stats';

describe('stats: median, MAD, percentile', () => {
  it('takes the median of odd and even counts, unsorted, without changing the input', () => {
    const values = [4, 1, 3, 2];
    assert.equal(median(values), 2.5);
    assert.deepEqual(values, [4, 1, 3, 2]);
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([1_000_001, 1_000_002]), 1_000_001.5, 'exact: callers round to a whole micro themselves');
  });

  it('nearest-rank percentile is always one of the values', () => {
    const v = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    assert.equal(percentile(v, 90), 9);
    assert.equal(percentile(v, 50), 5);
    assert.equal(percentile(v, 100), 10);
    assert.equal(percentile(v, 0), 1);
    assert.equal(percentile([7], 90), 7);
    assert.equal(percentile([1, 100], 90), 100);
  });

  it('takes whole-percent ranks exactly (7 % of 100 values is rank 7, not 8)', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(hundred, 7), 7);
    assert.equal(percentile(hundred, 14), 14);
  });

  it('median absolute deviation ignores one extreme value', () => {
    assert.equal(medianAbsoluteDeviation([2, 2, 3, 3, 1000]), 1);
    assert.equal(medianAbsoluteDeviation([5, 5, 5]), 0);
    assert.equal(medianAbsoluteDeviation([1, 2, 3], 0), 2, 'about a given centre');
  });

  it('refuses an empty input the same way everywhere', () => {
    assert.throws(() => median([]), /median of no values/);
    assert.throws(() => percentile([], 50), /percentile of no values/);
    assert.throws(() => medianAbsoluteDeviation([]), RangeError);
  });
});
