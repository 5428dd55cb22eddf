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
  /** the extension-host process that recorded it (local only): a dead process means a crashed window */
  pid?: number | undefined;
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

/**
 * The workflow of the session that covers most of [fromMs, toMs) — for usage known to the minute, where a
 * switch inside the minute must not drop the usage as untagged. Ties go to the latest-started session.
 */
export function workflowOverlapping(sessions: readonly WorkflowSession[], fromMs: number, toMs: number, nowMs: number): string | undefined {
  let best: WorkflowSession | undefined;
  let bestOverlap = 0;
  let bestStart = -Infinity;
  for (const s of sessions) {
    const start = Date.parse(s.start);
    const end = s.end === null ? nowMs : Date.parse(s.end);
    const overlap = Math.min(end, toMs) - Math.max(start, fromMs);
    if (overlap <= 0) continue;
    if (overlap > bestOverlap || (overlap === bestOverlap && start > bestStart)) {
      best = s;
      bestOverlap = overlap;
      bestStart = start;
    }
  }
  return best?.workflow;
}
