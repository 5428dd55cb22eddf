// The agent's own figures (recorded from Claude Code's statusLine JSON by `spend-band statusline`)
// as one tooltip line beside our estimate: plan windows and the latest session's cost, labelled
// official, with their age. Pure: the caller reads the agent-state file.

export interface OfficialFigures {
  updatedAt: string;
  sessions: Record<string, { costMicros?: number; model?: string; updatedAt: string }>;
  rateLimits?: Record<string, { usedPercent: number; resetsAt?: string }>;
  rateLimitsAt?: string;
}

/** Older than this, the figures are not shown: they describe a session long gone. */
const MAX_AGE_MS = 24 * 3_600_000;

function age(iso: string, now: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 60_000));
  return minutes < 1 ? 'just now' : minutes < 90 ? `${minutes} min ago` : `${Math.round(minutes / 60)} h ago`;
}

export function officialLine(state: OfficialFigures, now: Date): string | undefined {
  const parts: string[] = [];
  const windows =
    state.rateLimitsAt && now.getTime() - Date.parse(state.rateLimitsAt) < MAX_AGE_MS ? state.rateLimits : undefined;
  for (const [name, w] of Object.entries(windows ?? {})) {
    const label =
      name === 'five_hour' ? '5-hour limit' : name === 'seven_day' ? '7-day limit' : name.replace(/_/g, ' ');
    parts.push(`${label} ${Math.round(w.usedPercent)}% used`);
  }
  const latest = Object.values(state.sessions)
    .filter((s) => s.costMicros !== undefined && now.getTime() - Date.parse(s.updatedAt) < MAX_AGE_MS)
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))[0];
  if (latest?.costMicros !== undefined)
    parts.push(
      `last session $${(latest.costMicros / 1_000_000).toFixed(2)}${latest.model ? ` (${latest.model})` : ''}`,
    );
  if (parts.length === 0) return undefined;
  return `Claude Code (official, ${age(state.updatedAt, now)}): ${parts.join(' · ')}`;
}
