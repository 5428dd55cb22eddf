// The one attribution rule (src/domain/attribution.ts): minutes to the session that covers most of
// them (latest start on a tie), runs to the class with most of their priced spend.
import assert from 'node:assert/strict';
import { attribute, RunClass, TagTimeline } from '../../../src/domain/attribution';
import type { WorkflowSession } from '../../../src/domain/session';

const t = (hhmmss: string) => Date.parse(`2026-11-18T${hhmmss}Z`);
const session = (id: string, workflow: string, start: string, end: string | null): WorkflowSession => ({
  id,
  workflow,
  start: `2026-11-18T${start}.000Z`,
  end: end === null ? null : `2026-11-18T${end}.000Z`,
});

describe('attribution: the minute rule', () => {
  it('a session that starts in the middle of a minute still gets that minute', () => {
    const tl = TagTimeline.ofSessions([session('a', 'research', '09:00:15', null)]);
    assert.equal(tl.classOfMinute(t('09:00:00')), 'research');
    assert.equal(tl.classOfMinute(t('08:59:00')), 'untagged');
  });

  it('a switch inside the minute: the longer share wins, a tie goes to the later session; any instant of the minute gives the same class', () => {
    const tl = TagTimeline.ofSessions([
      session('a', 'review', '08:00:00', '09:00:40'),
      session('b', 'research', '09:00:40', null),
    ]);
    for (const at of ['09:00:00', '09:00:39', '09:00:41', '09:00:59'])
      assert.equal(tl.classOfMinute(t(at)), 'review', at);
    const tie = TagTimeline.ofSessions([
      session('a', 'review', '08:00:00', '09:00:30'),
      session('b', 'research', '09:00:30', null),
    ]);
    assert.equal(tie.classOfMinute(t('09:00:10')), 'research');
  });

  it('nested and overlapping spans: the one covering most of the minute, the latest-started when both cover all of it; an open span runs on', () => {
    const tl = new TagTimeline([
      { workflow: 'deep_coding', startMs: t('08:00:00'), endMs: null },
      { workflow: 'review', startMs: t('09:00:00'), endMs: t('09:30:00') },
      { workflow: 'light_assist', startMs: t('07:00:00'), endMs: t('12:00:00') },
    ]);
    assert.equal(tl.classOfMinute(t('07:30:00')), 'light_assist');
    assert.equal(tl.classOfMinute(t('08:30:00')), 'deep_coding');
    assert.equal(tl.classOfMinute(t('09:10:00')), 'review');
    assert.equal(tl.classOfMinute(t('09:45:00')), 'deep_coding', 'back to the enclosing open span');
    assert.equal(tl.classOfMinute(t('23:00:00')), 'deep_coding');
  });

  it('finds a long span far behind many short ones', () => {
    const base = t('10:00:00');
    const many = Array.from({ length: 2000 }, (_, i) => ({
      workflow: 'review',
      startMs: base + i * 120_000,
      endMs: base + i * 120_000 + 30_000,
    }));
    const tl = new TagTimeline([
      { workflow: 'research', startMs: t('01:00:00'), endMs: base + 2000 * 120_000 },
      ...many,
    ]);
    assert.equal(tl.classOfMinute(base + 1999 * 120_000 + 60_000), 'research');
    assert.equal(tl.classOfMinute(base + 5 * 120_000), 'research', 'a 30 s span does not cover most of the minute');
    assert.equal(
      new TagTimeline(many).classOfMinute(base + 5 * 120_000),
      'review',
      'alone in the minute, even 30 s wins',
    );
  });

  it('usage that carries its own class keeps it; the rest is classed by the minute, or untagged', () => {
    const tl = new TagTimeline([{ workflow: 'review', startMs: t('09:00:00'), endMs: t('10:00:00') }]);
    assert.deepEqual(attribute('research', t('09:30:00'), tl), { workflow: 'research', viaSpan: false });
    assert.deepEqual(attribute(null, t('09:30:00'), tl), { workflow: 'review', viaSpan: true });
    assert.deepEqual(attribute(null, t('12:00:00'), tl), { workflow: 'untagged', viaSpan: false });
  });
});

describe('attribution: the run rule', () => {
  const tl = TagTimeline.ofSessions([
    session('a', 'review', '09:00:00', '09:10:00'),
    session('b', 'deep_coding', '09:10:00', null),
  ]);

  it('a run goes to the class with most of its priced spend, not the class at its start', () => {
    const run = new RunClass(tl);
    run.add(t('09:05:00'), 1_000);
    run.add(t('09:12:00'), 5_000);
    assert.equal(run.workflow, 'deep_coding');
  });

  it('a run without priced spend, or a tie, goes to the class of its first minute', () => {
    const unpriced = new RunClass(tl);
    unpriced.add(t('09:12:00'), null);
    unpriced.add(t('09:05:00'), null);
    assert.equal(unpriced.workflow, 'review');
    const tie = new RunClass(tl);
    tie.add(t('09:05:00'), 2_000);
    tie.add(t('09:12:00'), 2_000);
    assert.equal(tie.workflow, 'review');
  });
});
