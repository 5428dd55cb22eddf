import assert from 'node:assert/strict';
import { attribute, SpanIndex } from '../../../src/server/attribution';

describe('reference server: usage attribution through session tags', () => {
  const t = (iso: string) => Date.parse(`2026-11-18T${iso}:00Z`);

  it('gives an event the class of the span containing it, [start, end)', () => {
    const spans = new SpanIndex([
      { workflow: 'review', startMs: t('09:00'), endMs: t('10:00') },
      { workflow: 'research', startMs: t('10:00'), endMs: t('11:00') },
    ]);
    assert.equal(spans.workflowAt(t('09:00')), 'review');
    assert.equal(spans.workflowAt(t('09:59')), 'review');
    assert.equal(spans.workflowAt(t('10:00')), 'research');
    assert.equal(spans.workflowAt(t('11:00')), undefined);
    assert.equal(spans.workflowAt(t('08:59')), undefined);
  });

  it('prefers the latest-started span where spans nest or overlap; an open span runs on', () => {
    const spans = new SpanIndex([
      { workflow: 'deep_coding', startMs: t('08:00'), endMs: null },
      { workflow: 'review', startMs: t('09:00'), endMs: t('09:30') },
      { workflow: 'light_assist', startMs: t('07:00'), endMs: t('12:00') },
    ]);
    assert.equal(spans.workflowAt(t('07:30')), 'light_assist');
    assert.equal(spans.workflowAt(t('08:30')), 'deep_coding');
    assert.equal(spans.workflowAt(t('09:10')), 'review');
    assert.equal(spans.workflowAt(t('09:45')), 'deep_coding', 'back to the enclosing open span');
    assert.equal(spans.workflowAt(t('23:00')), 'deep_coding');
  });

  it('finds a long span far behind many short ones (and stops early in gaps)', () => {
    const many = Array.from({ length: 2000 }, (_, i) => ({ workflow: 'review', startMs: t('10:00') + i * 1000, endMs: t('10:00') + i * 1000 + 500 }));
    const spans = new SpanIndex([{ workflow: 'research', startMs: t('01:00'), endMs: t('23:00') }, ...many]);
    assert.equal(spans.workflowAt(t('10:00') + 1999 * 1000 + 700), 'research');
    assert.equal(spans.workflowAt(t('10:00') + 5 * 1000 + 100), 'review');
    const gaps = new SpanIndex(many);
    assert.equal(gaps.workflowAt(t('10:00') + 1999 * 1000 + 700), undefined);
  });

  it('lets an explicit workflow on the event win, and calls the rest untagged', () => {
    const spans = new SpanIndex([{ workflow: 'review', startMs: t('09:00'), endMs: t('10:00') }]);
    assert.deepEqual(attribute('research', t('09:30'), spans), { workflow: 'research', viaSpan: false });
    assert.deepEqual(attribute(null, t('09:30'), spans), { workflow: 'review', viaSpan: true });
    assert.deepEqual(attribute(null, t('12:00'), spans), { workflow: 'untagged', viaSpan: false });
  });
});
