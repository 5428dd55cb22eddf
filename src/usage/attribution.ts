// Usage → workflow class: each rollup covers one minute; it goes to the tagged session that covers most
// of that minute (the latest-started one on a tie), else to "untagged". A class switch in the middle
// of a minute therefore never turns usage into untagged usage.
import { workflowOverlapping, type WorkflowSession } from '../domain/session';
import { UNTAGGED } from '../domain/workflowClasses';
import { MINUTE_MS } from './store/usageStore';
import type { UsageEvent, UsageSnapshot } from './usageSnapshot';

/** The workflow class of each event, by the same rule as usedByWorkflow (for reports that need both). */
export function workflowOfEvent(sessions: readonly WorkflowSession[], event: UsageEvent): string {
  // An open session runs until now; usage is never in the future, so "now" can be unbounded here.
  return workflowOverlapping(sessions, event.timestamp, event.timestamp + MINUTE_MS, Number.POSITIVE_INFINITY) ?? UNTAGGED;
}

/** Priced spend (integer micros) per workflow class for events in [from, to). Unpriced usage is not money. */
export function usedByWorkflow(snapshot: Pick<UsageSnapshot, 'eachEvent'>, sessions: readonly WorkflowSession[], from: Date, to: Date): Map<string, number> {
  const fromMs = from.getTime();
  const toMs = to.getTime();
  // Only sessions that overlap the window can match; this keeps the per-event lookup short.
  const relevant = sessions.filter((s) => {
    const start = Date.parse(s.start);
    const end = s.end === null ? Number.POSITIVE_INFINITY : Date.parse(s.end);
    return start < toMs + MINUTE_MS && end > fromMs;
  });
  const used = new Map<string, number>();
  snapshot.eachEvent((event) => {
    if (event.timestamp < fromMs || event.timestamp >= toMs || event.costMicros === null) return;
    const workflow = workflowOfEvent(relevant, event);
    used.set(workflow, (used.get(workflow) ?? 0) + event.costMicros);
  });
  return used;
}
