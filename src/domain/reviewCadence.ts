// The review cadence: every week a look back at the volatile classes (background automation and deep
// coding by default: their spend swings most from week to week), and at each month's end a look at the
// whole month. A review is due from the start of the next week/month until a week later (so opening
// the editor on Tuesday still offers Monday's review, but not last month's forgotten one), and each is
// offered at most once: the memory of shown review ids is the caller's to keep (globalState).
import { MS_PER_DAY } from './period';
import { shiftWindow, windowContaining, type ReportWindow } from './reportWindow';

export type ReviewKind = 'weekly' | 'monthly';

export interface Review {
  /** stable across windows and restarts: weekly:2026-11-23, monthly:2026-11 */
  id: string;
  kind: ReviewKind;
  /** the week or month under review (the one that just ended) */
  window: ReportWindow;
  /** the classes the review looks at ([] = all, for the monthly review) */
  classes: string[];
  dueMs: number;
  expiresMs: number;
}

export interface ReviewOptions {
  volatileClasses: readonly string[];
  /** how long a review stays on offer after it falls due (default 7 days) */
  graceMs?: number;
}

/** How many shown ids are remembered: far more than can be due at once, small enough for globalState. */
const MEMORY_SIZE = 24;

/** Reviews whose offer is open at `now`, the monthly one first (it covers the week too). */
export function reviewsDue(now: Date, timeZone: string, options: ReviewOptions): Review[] {
  const grace = options.graceMs ?? 7 * MS_PER_DAY;
  const nowMs = now.getTime();
  const due: Review[] = [];
  const month = shiftWindow(windowContaining('month', now, timeZone), -1);
  const monthDue = Date.parse(month.end);
  if (nowMs >= monthDue && nowMs < monthDue + grace) {
    due.push({
      id: `monthly:${month.key}`,
      kind: 'monthly',
      window: month,
      classes: [],
      dueMs: monthDue,
      expiresMs: monthDue + grace,
    });
  }
  if (options.volatileClasses.length > 0) {
    const week = shiftWindow(windowContaining('week', now, timeZone), -1);
    const weekDue = Date.parse(week.end);
    if (nowMs >= weekDue && nowMs < weekDue + grace) {
      due.push({
        id: `weekly:${week.key}`,
        kind: 'weekly',
        window: week,
        classes: [...options.volatileClasses],
        dueMs: weekDue,
        expiresMs: weekDue + grace,
      });
    }
  }
  return due;
}

export interface ReviewDecision {
  /** the review to offer now, if any */
  review: Review | undefined;
  /** the memory to store (always, even when nothing is offered) */
  memory: string[];
}

/**
 * The review to offer at `now`. `memory` is the list of ids already offered; undefined on the first
 * run, when whatever is due is remembered without being offered (installing the extension on a Monday
 * should not greet the person with a review of a week it never saw). Offering one review marks every
 * due review as offered, so a month end on a Monday yields one notification, not two.
 */
export function nextReview(
  now: Date,
  timeZone: string,
  memory: readonly string[] | undefined,
  options: ReviewOptions,
): ReviewDecision {
  const due = reviewsDue(now, timeZone, options);
  if (memory === undefined) return { review: undefined, memory: due.map((r) => r.id) };
  const open = due.filter((r) => !memory.includes(r.id));
  if (open.length === 0) return { review: undefined, memory: [...memory] };
  const updated = [...memory.filter((id) => !open.some((r) => r.id === id)), ...open.map((r) => r.id)].slice(
    -MEMORY_SIZE,
  );
  return { review: open[0], memory: updated };
}
