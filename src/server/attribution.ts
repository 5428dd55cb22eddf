// Which workflow class a usage event belongs to: its own explicit class if it carries one, else the
// class of the developer's session tag that was active at the event's instant (the latest-started
// one when spans nest or overlap, as in domain/session.ts workflowAt), else untagged. Pure.
import { UNTAGGED } from '../domain/workflowClasses';

export interface TagSpan {
  workflow: string;
  startMs: number;
  /** null while the span is open: it covers everything after its start */
  endMs: number | null;
}

export interface Attribution {
  workflow: string;
  /** true when the class came from a span (time overlap) rather than the event itself */
  viaSpan: boolean;
}

/** Prepares spans once for many lookups (sorted by start; binary search, then a short walk back). */
export class SpanIndex {
  private readonly spans: TagSpan[];
  private readonly starts: number[];
  /** maxEnd[i]: the latest end among spans[0..i], so a walk back can stop once nothing earlier reaches t */
  private readonly maxEnd: number[];

  constructor(spans: readonly TagSpan[]) {
    this.spans = [...spans].sort((a, b) => a.startMs - b.startMs);
    this.starts = this.spans.map((s) => s.startMs);
    this.maxEnd = [];
    let max = -Infinity;
    for (const span of this.spans) {
      max = Math.max(max, span.endMs ?? Infinity);
      this.maxEnd.push(max);
    }
  }

  /** The workflow of the latest-started span containing `atMs` ([start, end)), or undefined. */
  workflowAt(atMs: number): string | undefined {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! <= atMs) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0 && this.maxEnd[i]! > atMs; i--) {
      const span = this.spans[i]!;
      if (span.endMs === null || atMs < span.endMs) return span.workflow;
    }
    return undefined;
  }
}

export function attribute(eventWorkflow: string | null | undefined, atMs: number, spans: SpanIndex): Attribution {
  if (eventWorkflow) return { workflow: eventWorkflow, viaSpan: false };
  const fromSpan = spans.workflowAt(atMs);
  return fromSpan === undefined ? { workflow: UNTAGGED, viaSpan: false } : { workflow: fromSpan, viaSpan: true };
}
