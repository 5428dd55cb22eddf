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

// Which class owns usage at a time is decided in one place: domain/attribution.ts.
