import assert from 'node:assert/strict';
import { workflowAt, type WorkflowSession } from '../../../src/domain/session';

const t = (iso: string) => Date.parse(iso);
const s = (id: string, workflow: string, start: string, end: string | null): WorkflowSession => ({ id, workflow, start, end });

describe('session', () => {
  const sessions = [
    s('2', 'review', '2026-11-10T10:00:00Z', '2026-11-10T11:00:00Z'),
    s('1', 'deep_coding', '2026-11-10T09:00:00Z', '2026-11-10T12:00:00Z'),
    s('3', 'research', '2026-11-10T13:00:00Z', null),
  ];

  const NOW = t('2026-11-10T14:00:00Z');

  it('finds the session active at an instant; start inclusive, end exclusive', () => {
    assert.equal(workflowAt(sessions, t('2026-11-10T09:00:00Z'), NOW), 'deep_coding');
    assert.equal(workflowAt(sessions, t('2026-11-10T11:00:00Z'), NOW), 'deep_coding');
    assert.equal(workflowAt(sessions, t('2026-11-10T12:00:00Z'), NOW), undefined);
    assert.equal(workflowAt(sessions, t('2026-11-10T08:59:59Z'), NOW), undefined);
  });

  it('where sessions overlap, the one started last wins, whatever the order of the list', () => {
    assert.equal(workflowAt(sessions, t('2026-11-10T10:30:00Z'), NOW), 'review');
    assert.equal(workflowAt([...sessions].reverse(), t('2026-11-10T10:30:00Z'), NOW), 'review');
  });

  it('an open session lasts until now', () => {
    assert.equal(workflowAt(sessions, t('2026-11-10T13:59:59Z'), NOW), 'research');
    assert.equal(workflowAt(sessions, NOW, NOW), undefined);
    assert.equal(workflowAt(sessions, NOW, NOW + 1), 'research');
  });
});
