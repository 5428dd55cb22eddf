import * as assert from 'node:assert/strict';
import { nextReview, reviewsDue } from '../../../src/domain/reviewCadence';

const OPTIONS = { volatileClasses: ['background_automation', 'deep_coding'] };

describe('review cadence', () => {
  it('offers last week’s review of the volatile classes from Monday, local time', () => {
    const due = reviewsDue(new Date('2026-11-16T08:00:00+01:00'), 'Europe/Berlin', OPTIONS);
    assert.deepEqual(
      due.map((r) => r.id),
      ['weekly:2026-11-09'],
    );
    assert.equal(due[0]!.window.start, '2026-11-09T00:00:00+01:00');
    assert.deepEqual(due[0]!.classes, OPTIONS.volatileClasses);
    // Sunday 23:30 in Berlin is still inside the week under review
    assert.deepEqual(
      reviewsDue(new Date('2026-11-15T23:30:00+01:00'), 'Europe/Berlin', OPTIONS).map((r) => r.id),
      ['weekly:2026-11-02'],
    );
  });

  it('offers the month’s review when the month has ended, before the week’s', () => {
    const due = reviewsDue(new Date('2026-12-01T09:00:00Z'), 'UTC', OPTIONS);
    assert.deepEqual(
      due.map((r) => r.id),
      ['monthly:2026-11', 'weekly:2026-11-23'],
    );
    assert.equal(due[0]!.window.label, 'November 2026');
  });

  it('lets a review lapse after a week', () => {
    assert.deepEqual(
      reviewsDue(new Date('2026-12-08T09:00:00Z'), 'UTC', OPTIONS).map((r) => r.id),
      ['weekly:2026-11-30'],
    );
    assert.deepEqual(reviewsDue(new Date('2026-12-09T09:00:00Z'), 'UTC', { ...OPTIONS, graceMs: 3_600_000 }), []);
  });

  it('has no weekly review without volatile classes', () => {
    assert.deepEqual(reviewsDue(new Date('2026-11-17T09:00:00Z'), 'UTC', { volatileClasses: [] }), []);
  });

  it('offers each review once, and nothing on the very first run', () => {
    const monday = new Date('2026-11-16T09:00:00Z');
    const first = nextReview(monday, 'UTC', undefined, OPTIONS);
    assert.equal(first.review, undefined, 'installing on a Monday does not greet with a review');
    assert.deepEqual(first.memory, ['weekly:2026-11-09']);
    const again = nextReview(new Date('2026-11-17T09:00:00Z'), 'UTC', first.memory, OPTIONS);
    assert.equal(again.review, undefined);
    const nextWeek = nextReview(new Date('2026-11-23T09:00:00Z'), 'UTC', again.memory, OPTIONS);
    assert.equal(nextWeek.review?.id, 'weekly:2026-11-16');
    assert.equal(
      nextReview(new Date('2026-11-23T10:00:00Z'), 'UTC', nextWeek.memory, OPTIONS).review,
      undefined,
      'not twice',
    );
  });

  it('offers one notification when a month and a week end together, and remembers both', () => {
    const decision = nextReview(new Date('2026-12-01T09:00:00Z'), 'UTC', [], OPTIONS);
    assert.equal(decision.review?.id, 'monthly:2026-11');
    assert.deepEqual(decision.memory, ['monthly:2026-11', 'weekly:2026-11-23']);
    assert.equal(nextReview(new Date('2026-12-02T09:00:00Z'), 'UTC', decision.memory, OPTIONS).review, undefined);
  });

  it('keeps the memory bounded', () => {
    const memory = Array.from({ length: 40 }, (_, i) => `weekly:old-${i}`);
    const decision = nextReview(new Date('2026-11-23T09:00:00Z'), 'UTC', memory, OPTIONS);
    assert.equal(decision.memory.length, 24);
    assert.equal(decision.memory[decision.memory.length - 1], 'weekly:2026-11-16');
  });
});
