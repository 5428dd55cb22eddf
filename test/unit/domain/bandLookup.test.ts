import assert from 'node:assert/strict';
import { bandForWorkflow, ceilingBand } from '../../../src/domain/bandLookup';
import { makeBand } from './makeBand';

const USD = 1_000_000;
const all = makeBand({ id: 'b_all', workflow: 'all', allocated: 300 * USD });
const deep = makeBand({ id: 'b_deep', workflow: 'deep_coding', allocated: 200 * USD });

describe('bandLookup', () => {
  it('the class band governs its class, even when an `all` band comes first', () => {
    assert.equal(bandForWorkflow([all, deep], 'deep_coding')?.id, 'b_deep');
    assert.equal(bandForWorkflow([deep, all], 'deep_coding')?.id, 'b_deep');
  });

  it('the `all` band covers a class without its own band, including unknown classes', () => {
    assert.equal(bandForWorkflow([deep, all], 'review')?.id, 'b_all');
    assert.equal(bandForWorkflow([all], 'a_future_class')?.id, 'b_all');
  });

  it('no band for the class and no `all` band: undefined', () => {
    assert.equal(bandForWorkflow([deep], 'review'), undefined);
    assert.equal(bandForWorkflow([], 'review'), undefined);
  });

  it('ceilingBand finds the `all` band', () => {
    assert.equal(ceilingBand([deep, all])?.id, 'b_all');
    assert.equal(ceilingBand([deep]), undefined);
  });
});
