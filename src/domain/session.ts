// A tagged workflow session: a span of time the developer spent in one workflow class. Sessions are
// the bridge between usage (tokens at an instant) and bands (money per class).
export interface WorkflowSession {
  /** UUID (v7 where generated here), the natural idempotency key on the server */
  id: string;
  workflow: string;
  /** ISO date-time */
  start: string;
  /** ISO date-time; null while the session is open */
  end: string | null;
  workspace?: string | undefined;
  branch?: string | undefined;
  /** what started it: the user, a suggestion rule, a guarded task */
  origin?: 'user' | 'rule' | 'task' | 'restore' | undefined;
}

/** The workflow of the session active at `atMs`, or undefined. Sessions may be unsorted; the latest start wins. */
export function workflowAt(sessions: readonly WorkflowSession[], atMs: number, nowMs: number): string | undefined {
  let best: WorkflowSession | undefined;
  let bestStart = -Infinity;
  for (const s of sessions) {
    const start = Date.parse(s.start);
    const end = s.end === null ? nowMs : Date.parse(s.end);
    if (atMs >= start && atMs < end && start > bestStart) {
      best = s;
      bestStart = start;
    }
  }
  return best?.workflow;
}
