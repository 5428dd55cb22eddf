// Which workflow class owns usage: the ONE rule, used by the gauge (local metering), the report, the
// pre-flight estimate and the reference server. Pure: time comes in as numbers.
//
// The rule for a minute: usage is known to the minute (local logs are rolled up per minute; an event
// at an instant counts in the minute that holds it). The minute [m, m + 1 min) belongs to the tagged
// session that covers the largest part of it; on a tie, the latest-started of them; when no session
// touches it, to "untagged". A class switch in the middle of a minute therefore gives the whole minute
// to one class — the same one on every screen — and never turns it into untagged usage.
//
// The rule for a run (one agent session, or any group of minutes): the class that owns the largest
// part of its priced spend, minute by minute; a run with no priced spend, or a tie, goes to the class
// of its first minute.
//
// Usage that carries its own class (an event sent with `workflow`, an agent launched with
// `spendband.workflow`) keeps it: the rule only classes usage that has none.
import type { WorkflowSession } from './session';
import { UNTAGGED } from './workflowClasses';

export const MINUTE_MS = 60_000;

/** A tagged span of time: a session tag. */
export interface TagSpan {
  workflow: string;
  startMs: number;
  /** null while the span is open: it covers everything after its start */
  endMs: number | null;
  /** the session's id, when the span is a session record */
  id?: string | undefined;
}

export interface Attribution {
  workflow: string;
  /** true when the class came from the session tags (time overlap) rather than the usage itself */
  viaSpan: boolean;
}

/** The start of the minute that holds `atMs`. */
export function minuteOf(atMs: number): number {
  return Math.floor(atMs / MINUTE_MS) * MINUTE_MS;
}

/** Session records as spans; an open session runs until `nowMs` (usage is never later than now). */
export function spansOfSessions(sessions: readonly WorkflowSession[], nowMs = Number.POSITIVE_INFINITY): TagSpan[] {
  const out: TagSpan[] = [];
  for (const s of sessions) {
    const startMs = Date.parse(s.start);
    if (!Number.isFinite(startMs)) continue;
    const endMs = s.end === null ? (Number.isFinite(nowMs) ? nowMs : null) : Date.parse(s.end);
    if (endMs !== null && !(endMs > startMs)) continue;
    out.push({ workflow: s.workflow, startMs, endMs, id: s.id });
  }
  return out;
}

/** Tag spans prepared for many lookups: sorted by start, with the latest end so far, and the minutes already classed. */
export class TagTimeline {
  private readonly spans: TagSpan[];
  private readonly starts: number[];
  /** reach[i]: the latest end among spans[0..i], so a walk back stops once nothing earlier reaches the minute */
  private readonly reach: number[];
  /** minute start → index of its owning span, -1 for none */
  private readonly byMinute = new Map<number, number>();

  constructor(spans: readonly TagSpan[]) {
    this.spans = [...spans].sort((a, b) => a.startMs - b.startMs);
    this.starts = this.spans.map((s) => s.startMs);
    this.reach = [];
    let max = -Infinity;
    for (const span of this.spans) {
      max = Math.max(max, span.endMs ?? Infinity);
      this.reach.push(max);
    }
  }

  static ofSessions(sessions: readonly WorkflowSession[], nowMs = Number.POSITIVE_INFINITY): TagTimeline {
    return new TagTimeline(spansOfSessions(sessions, nowMs));
  }

  /** The span that owns the minute holding `atMs`, or undefined when no tag touches it (the minute rule above). */
  spanOfMinute(atMs: number): TagSpan | undefined {
    const from = minuteOf(atMs);
    const cached = this.byMinute.get(from);
    if (cached !== undefined) return cached === -1 ? undefined : this.spans[cached];
    const to = from + MINUTE_MS;
    // The last span that starts before the minute ends.
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! < to) lo = mid + 1;
      else hi = mid;
    }
    let best = -1;
    let bestOverlap = 0;
    for (let i = lo - 1; i >= 0 && this.reach[i]! > from; i--) {
      const span = this.spans[i]!;
      const overlap = Math.min(span.endMs ?? Infinity, to) - Math.max(span.startMs, from);
      if (overlap <= 0) continue;
      // Walking back, starts only fall: an equal overlap met later started earlier and loses the tie.
      if (overlap > bestOverlap) {
        best = i;
        bestOverlap = overlap;
      }
    }
    if (this.byMinute.size > 100_000) this.byMinute.clear();
    this.byMinute.set(from, best);
    return best === -1 ? undefined : this.spans[best];
  }

  /** The class that owns the minute holding `atMs`, or undefined when no tag touches it. */
  taggedClassOfMinute(atMs: number): string | undefined {
    return this.spanOfMinute(atMs)?.workflow;
  }

  /** The class that owns the minute holding `atMs` ("untagged" when no tag touches it). */
  classOfMinute(atMs: number): string {
    return this.taggedClassOfMinute(atMs) ?? UNTAGGED;
  }
}

/** The class of usage at `atMs`: its own class when it carries one, else the minute rule. */
export function attribute(ownClass: string | null | undefined, atMs: number, timeline: TagTimeline): Attribution {
  if (ownClass) return { workflow: ownClass, viaSpan: false };
  const tagged = timeline.taggedClassOfMinute(atMs);
  return tagged === undefined ? { workflow: UNTAGGED, viaSpan: false } : { workflow: tagged, viaSpan: true };
}

/** Adds up a run's minutes and names its class by the run rule above. */
export class RunClass {
  private readonly spend = new Map<string, number>();
  private firstMs = Infinity;
  private firstClass = UNTAGGED;

  constructor(private readonly timeline: TagTimeline) {}

  /** One minute (or event) of the run: its time, its priced cost (null when unpriced), and its own class if it carries one. */
  add(atMs: number, costMicros: number | null, ownClass?: string | null): string {
    const workflow = attribute(ownClass, atMs, this.timeline).workflow;
    if (atMs < this.firstMs) {
      this.firstMs = atMs;
      this.firstClass = workflow;
    }
    if (costMicros !== null && costMicros > 0) this.spend.set(workflow, (this.spend.get(workflow) ?? 0) + costMicros);
    return workflow;
  }

  get workflow(): string {
    let best = this.firstClass;
    let bestSpend = this.spend.get(best) ?? 0;
    for (const [workflow, micros] of this.spend) {
      if (micros > bestSpend) {
        best = workflow;
        bestSpend = micros;
      }
    }
    return best;
  }
}
