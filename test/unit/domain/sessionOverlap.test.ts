import assert from 'node:assert/strict';
import { workflowOverlapping, type WorkflowSession } from '../../../src/domain/session';

const at = (s: string) => Date.parse(`2026-11-28T${s}Z`);
const session = (id: string, workflow: string, start: string, end: string | null): WorkflowSession => ({
  id,
  workflow,
  start: `2026-11-28T${start}.000Z`,
  end: end === null ? null : `2026-11-28T${end}.000Z`,
});

describe('usage known to the minute → the session that covers most of it', () => {
  it('a session that starts in the middle of the minute still gets that minute', () => {
    const sessions = [session('a', 'research', '09:00:15', null)];
    assert.equal(workflowOverlapping(sessions, at('09:00:00'), at('09:01:00'), at('09:30:00')), 'research');
  });

  it('a switch inside the minute: the longer share wins; a tie goes to the later session', () => {
    const sessions = [session('a', 'review', '08:00:00', '09:00:40'), session('b', 'research', '09:00:40', null)];
    assert.equal(workflowOverlapping(sessions, at('09:00:00'), at('09:01:00'), at('10:00:00')), 'review');
    const tie = [session('a', 'review', '08:00:00', '09:00:30'), session('b', 'research', '09:00:30', null)];
    assert.equal(workflowOverlapping(tie, at('09:00:00'), at('09:01:00'), at('10:00:00')), 'research');
  });

  it('no session in the minute: undefined (untagged)', () => {
    assert.equal(workflowOverlapping([session('a', 'review', '08:00:00', '08:59:59')], at('09:00:00'), at('09:01:00'), at('10:00:00')), undefined);
  });
});
