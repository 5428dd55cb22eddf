import assert from 'node:assert/strict';
import type { Band } from '../../../src/domain/schemas';
import { newCrossings, snoozeKey } from '../../../src/domain/thresholdMemory';
import { makeBand } from '../domain/makeBand';

function band(id: string, used: number, allocated = 100_000_000, start = '2026-11-01T00:00:00Z'): Band {
  return makeBand({
    id,
    workflow: 'review',
    used,
    allocated,
    period: { interval: 'P1M', start, end: '2026-12-01T00:00:00Z' },
  });
}

describe('threshold-crossing memory', () => {
  it('notifies once per band, per period, per threshold', () => {
    const first = newCrossings([band('r', 85_000_000)], []);
    assert.deepEqual(
      first.crossings.map((c) => c.threshold.percent),
      [80],
    );
    const again = newCrossings([band('r', 90_000_000)], first.memory);
    assert.equal(again.crossings.length, 0, 'not on every refresh');
    const next = newCrossings([band('r', 100_000_000)], again.memory);
    assert.deepEqual(
      next.crossings.map((c) => c.threshold.severity),
      ['critical'],
    );
    const over = newCrossings([band('r', 100_000_001)], next.memory);
    assert.deepEqual(
      over.crossings.map((c) => c.threshold.severity),
      ['exceeded'],
    );
  });

  it('reports only the highest threshold when a jump crosses several', () => {
    const { crossings, memory } = newCrossings([band('r', 120_000_000)], []);
    assert.deepEqual(
      crossings.map((c) => c.threshold.severity),
      ['exceeded'],
    );
    assert.equal(memory.length, 3);
  });

  it('does not notify below a threshold (one micro under 80 %)', () => {
    assert.equal(newCrossings([band('r', 79_999_999)], []).crossings.length, 0);
  });

  it('starts over in a new period and forgets old periods', () => {
    const november = newCrossings([band('r', 85_000_000)], []);
    const december = newCrossings([band('r', 85_000_000, 100_000_000, '2026-12-01T00:00:00Z')], november.memory);
    assert.equal(december.crossings.length, 1);
    assert.ok(december.memory.every((k) => k.includes('2026-12-01')));
  });

  it('stays quiet for the rest of a snoozed period', () => {
    const b = band('r', 85_000_000);
    const snoozed = [snoozeKey(b)];
    assert.equal(newCrossings([band('r', 101_000_000)], snoozed).crossings.length, 0);
  });
});
