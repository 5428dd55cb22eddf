import assert from 'node:assert/strict';
import {
  foldJournal,
  initialSessionState,
  nextSessionState,
  recoverOpenSessions,
  timePerClass,
  type SessionState,
} from '../../../src/domain/sessionMachine';
import type { WorkflowSession } from '../../../src/domain/session';

const T0 = Date.parse('2026-11-28T09:00:00Z');
const MIN = 60_000;
const IDLE = 15 * MIN;

function run(state: SessionState, events: Parameters<typeof nextSessionState>[1][]) {
  const records: WorkflowSession[] = [];
  for (const e of events) {
    const t = nextSessionState(state, e);
    state = t.state;
    records.push(...t.records);
  }
  return { state, records, sessions: foldJournal(records) };
}

describe('session state machine', () => {
  it('opens a session on first activity, in the current class', () => {
    const { state, records } = run(initialSessionState('deep_coding', T0, IDLE), [
      { type: 'activity', nowMs: T0, newId: 'a' },
    ]);
    assert.equal(records.length, 1);
    assert.deepEqual(state.current, {
      id: 'a',
      workflow: 'deep_coding',
      start: new Date(T0).toISOString(),
      end: null,
      origin: 'user',
    });
  });

  it('ends the session on a class switch and starts a new one in the new class', () => {
    const { sessions, state } = run(initialSessionState('deep_coding', T0, IDLE), [
      { type: 'activity', nowMs: T0, newId: 'a' },
      { type: 'switch', workflow: 'review', nowMs: T0 + 10 * MIN, newId: 'b' },
    ]);
    assert.equal(sessions.length, 2);
    assert.equal(sessions[0]!.end, new Date(T0 + 10 * MIN).toISOString());
    assert.equal(sessions[1]!.workflow, 'review');
    assert.equal(sessions[1]!.end, null);
    assert.equal(state.workflow, 'review');
  });

  it('ends an idle session at its last activity, not when idleness is noticed', () => {
    const { sessions, state } = run(initialSessionState('research', T0, IDLE), [
      { type: 'activity', nowMs: T0, newId: 'a' },
      { type: 'activity', nowMs: T0 + 5 * MIN, newId: 'x' },
      { type: 'tick', nowMs: T0 + 5 * MIN + IDLE - 1 },
      { type: 'tick', nowMs: T0 + 5 * MIN + IDLE + 30_000 },
    ]);
    assert.equal(state.current, null);
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0]!.end, new Date(T0 + 5 * MIN).toISOString());
  });

  it('starts a new session in the same class when activity resumes after idle', () => {
    const { sessions } = run(initialSessionState('review', T0, IDLE), [
      { type: 'activity', nowMs: T0, newId: 'a' },
      { type: 'activity', nowMs: T0 + 40 * MIN, newId: 'b' },
    ]);
    assert.deepEqual(
      sessions.map((s) => [s.id, s.workflow, s.end]),
      [
        ['a', 'review', new Date(T0).toISOString()],
        ['b', 'review', null],
      ],
    );
  });

  it('ends the session at window close (at the last activity when it was idle)', () => {
    const busy = run(initialSessionState('review', T0, IDLE), [
      { type: 'activity', nowMs: T0, newId: 'a' },
      { type: 'close', nowMs: T0 + 3 * MIN },
    ]);
    assert.equal(busy.sessions[0]!.end, new Date(T0 + 3 * MIN).toISOString());
    const idle = run(initialSessionState('review', T0, IDLE), [
      { type: 'activity', nowMs: T0, newId: 'a' },
      { type: 'close', nowMs: T0 + 60 * MIN },
    ]);
    assert.equal(idle.sessions[0]!.end, new Date(T0).toISOString());
  });

  it('splits a session when the branch changes', () => {
    const { sessions } = run(initialSessionState('deep_coding', T0, IDLE, { workspace: 'api', branch: 'main' }), [
      { type: 'activity', nowMs: T0, newId: 'a' },
      { type: 'context', workspace: 'api', branch: 'feature/x', nowMs: T0 + MIN, newId: 'b' },
    ]);
    assert.deepEqual(
      sessions.map((s) => [s.branch, s.end === null]),
      [
        ['main', false],
        ['feature/x', true],
      ],
    );
  });

  it('closes sessions a crash left open at their last heartbeat, never in the future', () => {
    const open: WorkflowSession[] = [
      { id: 'a', workflow: 'review', start: new Date(T0).toISOString(), end: null },
      { id: 'b', workflow: 'research', start: new Date(T0).toISOString(), end: null },
    ];
    const recovered = recoverOpenSessions(
      open,
      new Map([
        ['a', T0 + 7 * MIN],
        ['b', T0 + 99 * MIN],
      ]),
      T0 + 30 * MIN,
    );
    assert.equal(recovered[0]!.end, new Date(T0 + 7 * MIN).toISOString());
    assert.equal(recovered[1]!.end, new Date(T0 + 30 * MIN).toISOString());
  });

  it('sums time per class inside a window, counting open sessions up to now', () => {
    const sessions: WorkflowSession[] = [
      {
        id: 'a',
        workflow: 'review',
        start: new Date(T0 - 30 * MIN).toISOString(),
        end: new Date(T0 + 30 * MIN).toISOString(),
      },
      { id: 'b', workflow: 'deep_coding', start: new Date(T0 + 30 * MIN).toISOString(), end: null },
    ];
    const totals = timePerClass(sessions, T0, T0 + 24 * 60 * MIN, T0 + 90 * MIN);
    assert.deepEqual(totals, [
      { workflow: 'deep_coding', ms: 60 * MIN, sessions: 1 },
      { workflow: 'review', ms: 30 * MIN, sessions: 1 },
    ]);
  });
});
