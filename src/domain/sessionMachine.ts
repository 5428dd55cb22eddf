// The workflow-session state machine. A session ends on a class switch, on idle (no editor or terminal
// activity for `idleMs`, ended at the last activity), and on window close; activity after idle opens a
// new session in the same class. Pure: ids and time come in with each event; every transition returns
// the session records to persist (the journal is append-only: a later record with the same id wins).
import type { WorkflowSession } from './session';

export interface SessionState {
  workflow: string;
  current: WorkflowSession | null;
  lastActivityMs: number;
  idleMs: number;
  workspace?: string | undefined;
  branch?: string | undefined;
}

export type SessionEvent =
  | { type: 'switch'; workflow: string; nowMs: number; newId: string; origin?: WorkflowSession['origin'] }
  | { type: 'activity'; nowMs: number; newId: string }
  | { type: 'tick'; nowMs: number }
  | { type: 'close'; nowMs: number }
  | { type: 'context'; workspace?: string | undefined; branch?: string | undefined; nowMs: number; newId: string };

export interface Transition {
  state: SessionState;
  /** records to append to the journal, in order */
  records: WorkflowSession[];
}

export function initialSessionState(
  workflow: string,
  nowMs: number,
  idleMs: number,
  context: { workspace?: string; branch?: string } = {},
): SessionState {
  return {
    workflow,
    current: null,
    lastActivityMs: nowMs,
    idleMs,
    workspace: context.workspace,
    branch: context.branch,
  };
}

function open(state: SessionState, id: string, startMs: number, origin: WorkflowSession['origin']): WorkflowSession {
  return {
    id,
    workflow: state.workflow,
    start: new Date(startMs).toISOString(),
    end: null,
    ...(state.workspace !== undefined ? { workspace: state.workspace } : {}),
    ...(state.branch !== undefined ? { branch: state.branch } : {}),
    ...(origin ? { origin } : {}),
  };
}

function close(session: WorkflowSession, endMs: number): WorkflowSession {
  const startMs = Date.parse(session.start);
  return { ...session, end: new Date(Math.max(startMs, endMs)).toISOString() };
}

export function nextSessionState(state: SessionState, event: SessionEvent): Transition {
  const records: WorkflowSession[] = [];
  switch (event.type) {
    case 'switch': {
      if (state.current) records.push(close(state.current, event.nowMs));
      const next: SessionState = { ...state, workflow: event.workflow, lastActivityMs: event.nowMs, current: null };
      const session = open(next, event.newId, event.nowMs, event.origin ?? 'user');
      records.push(session);
      return { state: { ...next, current: session }, records };
    }
    case 'activity': {
      const idled = state.current !== null && event.nowMs - state.lastActivityMs >= state.idleMs;
      if (idled && state.current) {
        // The gap was idle: the old session ended at its last activity; a new one starts now.
        records.push(close(state.current, state.lastActivityMs));
      }
      if (!state.current || idled) {
        const session = open(state, event.newId, event.nowMs, 'user');
        records.push(session);
        return { state: { ...state, current: session, lastActivityMs: event.nowMs }, records };
      }
      return { state: { ...state, lastActivityMs: event.nowMs }, records };
    }
    case 'tick': {
      if (state.current && event.nowMs - state.lastActivityMs >= state.idleMs) {
        records.push(close(state.current, state.lastActivityMs));
        return { state: { ...state, current: null }, records };
      }
      return { state, records };
    }
    case 'close': {
      if (state.current) {
        const idle = event.nowMs - state.lastActivityMs >= state.idleMs;
        records.push(close(state.current, idle ? state.lastActivityMs : event.nowMs));
      }
      return { state: { ...state, current: null }, records };
    }
    case 'context': {
      if (state.workspace === event.workspace && state.branch === event.branch) return { state, records };
      const next: SessionState = { ...state, workspace: event.workspace, branch: event.branch };
      if (!state.current) return { state: next, records };
      // A branch change inside a session is a new span: the server attributes by (workspace, branch) too.
      records.push(close(state.current, event.nowMs));
      const session = open(next, event.newId, event.nowMs, state.current.origin);
      records.push(session);
      return { state: { ...next, current: session, lastActivityMs: event.nowMs }, records };
    }
  }
}

/**
 * Sessions left open by a crash of the extension host: closed at their last sign of life (the latest
 * of their start and `lastSeenMs`, the heartbeat recorded in the journal), never in the future.
 */
export function recoverOpenSessions(
  sessions: readonly WorkflowSession[],
  lastSeenMs: ReadonlyMap<string, number>,
  nowMs: number,
): WorkflowSession[] {
  return sessions
    .filter((s) => s.end === null)
    .map((s) => {
      const start = Date.parse(s.start);
      const seen = Math.min(nowMs, Math.max(start, lastSeenMs.get(s.id) ?? start));
      return { ...s, end: new Date(seen).toISOString(), origin: s.origin ?? 'restore' };
    });
}

/** Fold journal records (later wins by id) into the current sessions, sorted by start. */
export function foldJournal(records: readonly WorkflowSession[]): WorkflowSession[] {
  const byId = new Map<string, WorkflowSession>();
  for (const r of records) byId.set(r.id, r);
  return [...byId.values()].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

export interface TimePerClass {
  workflow: string;
  ms: number;
  sessions: number;
}

/** Time per class within [fromMs, toMs); open sessions count up to nowMs. */
export function timePerClass(
  sessions: readonly WorkflowSession[],
  fromMs: number,
  toMs: number,
  nowMs: number,
): TimePerClass[] {
  const totals = new Map<string, TimePerClass>();
  for (const s of sessions) {
    const start = Math.max(fromMs, Date.parse(s.start));
    const end = Math.min(toMs, s.end === null ? nowMs : Date.parse(s.end));
    if (end <= start) continue;
    const entry = totals.get(s.workflow) ?? { workflow: s.workflow, ms: 0, sessions: 0 };
    entry.ms += end - start;
    entry.sessions += 1;
    totals.set(s.workflow, entry);
  }
  return [...totals.values()].sort((a, b) => b.ms - a.ms);
}
