// The budget owner's review of one team over one week or month: seats and usage as one bill per
// developer and per role against the role baseline, idle seats, spend per workflow class against the
// bands with its week-over-week change, the developers whose spend in a class is an outlier among
// their role (the personal report's robust rule, outlierRule.ts), and the increase requests of the
// period with what they promised. Pure: the server gathers the rows, this turns them into figures.
// Money is integer micros throughout; nothing here rounds except the shown percentages.
import { OUTLIER_RULE, OUTLIER_RULE_TEXT, spreadOf, type OutlierRule } from './outlierRule';

export type ReviewPeriod = 'week' | 'month';

export interface ReviewDeveloper {
  id: string;
  name: string | null;
  role: string;
}

/** A session (spend attributed to one tagged span) or a single untagged usage event. */
export interface ReviewRun {
  developerId: string;
  workflow: string;
  startMs: number;
  costMicros: number;
  kind: 'session' | 'event';
}

export interface ReviewRequestRow {
  id: string;
  developerId: string;
  kind: string;
  status: string;
  bandId: string | null;
  requestedMicros: number | null;
  approvedMicros: number | null;
  createdMs: number;
  decidedMs: number | null;
  justification: string | null;
  outcome: {
    kind?: string;
    metric?: string;
    baseline?: number;
    target?: number;
    unit?: string;
    review_at?: string;
  } | null;
  result: { text: string; recordedMs: number } | null;
}

export interface TeamReviewInput {
  team: string;
  period: ReviewPeriod;
  startMs: number;
  endMs: number;
  currency: string;
  generatedMs: number;
  developers: readonly ReviewDeveloper[];
  /** each role's seat cost for this window (seats are priced per month; prorated by the server) */
  seatMicrosByRole: Readonly<Record<string, number>>;
  /** each developer's band allocation per class for this window (`all` bands under "all") */
  allocations: readonly { developerId: string; workflow: string; allocatedMicros: number }[];
  /** runs from `compareStartMs` (two weeks before the end, or the window start if earlier) to the end */
  runs: readonly ReviewRun[];
  requests: readonly ReviewRequestRow[];
}

/** Below this share of its seat cost in metered usage a seat counts as barely used. */
export const BARELY_USED_SHARE = 0.1;
/** A class drifts when its last week grew by at least this share over the week before, and by at least DRIFT_MIN_MICROS. */
export const DRIFT_SHARE = 0.25;
export const DRIFT_MIN_MICROS = 5_000_000;
const WEEK_MS = 7 * 86_400_000;
const LARGEST_RUNS = 3;
/** the workflow of a band over every class */
const ALL = 'all';

export const DRIFT_RULE_TEXT = `A class drifts when its spend in the last 7 days of the period is at least ${DRIFT_SHARE * 100} % and $${DRIFT_MIN_MICROS / 1_000_000} above the 7 days before, or when it spent more than its bands allow.`;
export const IDLE_RULE_TEXT = `A seat is idle with no metered usage in the period, and barely used below ${BARELY_USED_SHARE * 100} % of its seat cost.`;
export const TEAM_OUTLIER_RULE_TEXT = `${OUTLIER_RULE_TEXT} In the team review the values are the developers' spends in a class within their role (no spend counts as 0); a class fewer than half of the role use is not judged.`;

export interface DeveloperBill {
  developerId: string;
  name: string | null;
  role: string;
  seatMicros: number;
  usageMicros: number;
  totalMicros: number;
  /** seat plus the developer's band allocations for the window */
  baselineMicros: number;
  overBaselineMicros: number;
  byClass: Record<string, number>;
}

export interface RoleBill {
  role: string;
  developers: number;
  seatMicros: number;
  usageMicros: number;
  totalMicros: number;
  baselineMicros: number;
  overBaselineMicros: number;
}

export interface IdleSeat {
  developerId: string;
  name: string | null;
  role: string;
  seatMicros: number;
  usageMicros: number;
  state: 'idle' | 'barely_used';
}

export interface ClassReview {
  workflow: string;
  spendMicros: number;
  bandMicros: number;
  /** the part of the spend made by developers who have a band for this class (what the bands are compared with) */
  bandedSpendMicros: number;
  /** the banded spend as a percent of the bands, one decimal; null without a band */
  percentOfBand: number | null;
  lastWeekMicros: number;
  previousWeekMicros: number;
  /** percent change of the last 7 days over the 7 before; null when the week before had no spend */
  weekOverWeekPercent: number | null;
  drifting: boolean;
  why: string | null;
}

export interface OutlierReview {
  developerId: string;
  name: string | null;
  role: string;
  workflow: string;
  spendMicros: number;
  roleMedianMicros: number;
  thresholdMicros: number;
  peers: number;
  largestRuns: { startMs: number; costMicros: number; kind: ReviewRun['kind'] }[];
}

export interface RequestReview {
  id: string;
  developerId: string;
  kind: string;
  status: string;
  bandId: string | null;
  requestedMicros: number | null;
  approvedMicros: number | null;
  createdAt: string;
  decidedAt: string | null;
  justification: string | null;
  outcome: ReviewRequestRow['outcome'];
  reviewAt: string | null;
  /** for approved requests: whether a result was recorded, and whether its review date has passed without one */
  resultRecorded: boolean;
  result: { text: string; recordedAt: string } | null;
  reviewOverdue: boolean;
}

export interface TeamReview {
  team: string;
  period: ReviewPeriod;
  start: string;
  end: string;
  currency: string;
  generatedAt: string;
  totals: { seatMicros: number; usageMicros: number; totalMicros: number; baselineMicros: number; developers: number };
  developers: DeveloperBill[];
  roles: RoleBill[];
  idleSeats: IdleSeat[];
  idleSeatMicros: number;
  classes: ClassReview[];
  outliers: OutlierReview[];
  requests: { approved: RequestReview[]; denied: RequestReview[]; pending: RequestReview[]; other: RequestReview[] };
  rules: { idle: string; drift: string; outlier: string };
}

function add(map: Map<string, number>, key: string, micros: number): void {
  map.set(key, (map.get(key) ?? 0) + micros);
}

function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part * 1000) / whole) / 10 : null;
}

export function buildTeamReview(input: TeamReviewInput, rule: OutlierRule = OUTLIER_RULE): TeamReview {
  const { startMs, endMs } = input;
  const inWindow = input.runs.filter((r) => r.startMs >= startMs && r.startMs < endMs);
  const byDevClass = new Map<string, number>();
  const byDev = new Map<string, number>();
  const classesOf = new Map<string, Record<string, number>>();
  for (const run of inWindow) {
    add(byDev, run.developerId, run.costMicros);
    add(byDevClass, `${run.developerId}\u0000${run.workflow}`, run.costMicros);
    let classes = classesOf.get(run.developerId);
    if (!classes) classesOf.set(run.developerId, (classes = {}));
    classes[run.workflow] = (classes[run.workflow] ?? 0) + run.costMicros;
  }
  const allocationByDev = new Map<string, number>();
  const allocationByClass = new Map<string, number>();
  for (const a of input.allocations) {
    add(allocationByDev, a.developerId, a.allocatedMicros);
    add(allocationByClass, a.workflow, a.allocatedMicros);
  }

  const developers: DeveloperBill[] = [...input.developers]
    .sort((a, b) => a.role.localeCompare(b.role) || a.id.localeCompare(b.id))
    .map((d) => {
      const seatMicros = input.seatMicrosByRole[d.role] ?? 0;
      const usageMicros = byDev.get(d.id) ?? 0;
      const baselineMicros = seatMicros + (allocationByDev.get(d.id) ?? 0);
      const byClass = classesOf.get(d.id) ?? {};
      return {
        developerId: d.id,
        name: d.name,
        role: d.role,
        seatMicros,
        usageMicros,
        totalMicros: seatMicros + usageMicros,
        baselineMicros,
        overBaselineMicros: seatMicros + usageMicros - baselineMicros,
        byClass,
      };
    });

  const roleMap = new Map<string, RoleBill>();
  for (const d of developers) {
    const r = roleMap.get(d.role) ?? {
      role: d.role,
      developers: 0,
      seatMicros: 0,
      usageMicros: 0,
      totalMicros: 0,
      baselineMicros: 0,
      overBaselineMicros: 0,
    };
    r.developers++;
    r.seatMicros += d.seatMicros;
    r.usageMicros += d.usageMicros;
    r.totalMicros += d.totalMicros;
    r.baselineMicros += d.baselineMicros;
    r.overBaselineMicros += d.overBaselineMicros;
    roleMap.set(d.role, r);
  }
  const roles = [...roleMap.values()].sort((a, b) => a.role.localeCompare(b.role));

  const idleSeats: IdleSeat[] = developers
    .filter((d) => d.seatMicros > 0 && d.usageMicros < d.seatMicros * BARELY_USED_SHARE)
    .map(
      (d) =>
        ({
          developerId: d.developerId,
          name: d.name,
          role: d.role,
          seatMicros: d.seatMicros,
          usageMicros: d.usageMicros,
          state: d.usageMicros === 0 ? 'idle' : 'barely_used',
        }) as IdleSeat,
    )
    .sort((a, b) => a.usageMicros - b.usageMicros || a.developerId.localeCompare(b.developerId));

  // Classes: the window's spend against the bands, and the last 7 days against the 7 before.
  const lastWeekStart = endMs - WEEK_MS;
  const previousWeekStart = endMs - 2 * WEEK_MS;
  const classSpend = new Map<string, number>();
  const lastWeek = new Map<string, number>();
  const previousWeek = new Map<string, number>();
  // An `all` band is a ceiling over every class of its developers: its row counts all their spend.
  const underAll = new Set(input.allocations.filter((a) => a.workflow === ALL).map((a) => a.developerId));
  // The share of a class's spend made by developers who have a band for it is what its bands are compared with.
  const banded = new Set(input.allocations.map((a) => `${a.developerId}\u0000${a.workflow}`));
  const coveredSpend = new Map<string, number>();
  for (const run of input.runs) {
    const rows = underAll.has(run.developerId) && run.workflow !== ALL ? [run.workflow, ALL] : [run.workflow];
    for (const workflow of rows) {
      if (run.startMs >= startMs && run.startMs < endMs) {
        add(classSpend, workflow, run.costMicros);
        if (banded.has(`${run.developerId}\u0000${workflow}`)) add(coveredSpend, workflow, run.costMicros);
      }
      if (run.startMs >= lastWeekStart && run.startMs < endMs) add(lastWeek, workflow, run.costMicros);
      else if (run.startMs >= previousWeekStart && run.startMs < lastWeekStart)
        add(previousWeek, workflow, run.costMicros);
    }
  }
  const classNames = new Set([
    ...classSpend.keys(),
    ...allocationByClass.keys(),
    ...lastWeek.keys(),
    ...previousWeek.keys(),
  ]);
  const classes: ClassReview[] = [...classNames]
    .map((workflow) => {
      const spendMicros = classSpend.get(workflow) ?? 0;
      const bandMicros = allocationByClass.get(workflow) ?? 0;
      const last = lastWeek.get(workflow) ?? 0;
      const prev = previousWeek.get(workflow) ?? 0;
      const grew = last - prev;
      const wow = prev > 0 ? Math.round((grew * 1000) / prev) / 10 : null;
      const drifted = grew >= DRIFT_MIN_MICROS && (prev === 0 || grew >= prev * DRIFT_SHARE);
      const bandedSpend = coveredSpend.get(workflow) ?? 0;
      const over = bandMicros > 0 && bandedSpend > bandMicros;
      const why = [
        drifted ? `last 7 days up ${wow === null ? 'from nothing' : `${wow} %`} on the 7 before` : null,
        over ? 'over its bands' : null,
      ]
        .filter(Boolean)
        .join('; ');
      return {
        workflow,
        spendMicros,
        bandMicros,
        bandedSpendMicros: bandedSpend,
        percentOfBand: percent(bandedSpend, bandMicros),
        lastWeekMicros: last,
        previousWeekMicros: prev,
        weekOverWeekPercent: wow,
        drifting: drifted || over,
        why: why || null,
      };
    })
    .sort((a, b) => b.spendMicros - a.spendMicros || a.workflow.localeCompare(b.workflow));

  // Outliers: a developer's spend in a class against the others of the same role in that class.
  const roleOf = new Map(input.developers.map((d) => [d.id, d]));
  const peersOf = new Map<string, ReviewDeveloper[]>();
  for (const d of input.developers) {
    let list = peersOf.get(d.role);
    if (!list) peersOf.set(d.role, (list = []));
    list.push(d);
  }
  const runsOf = new Map<string, ReviewRun[]>();
  for (const run of inWindow) {
    const key = `${run.developerId}\u0000${run.workflow}`;
    let list = runsOf.get(key);
    if (!list) runsOf.set(key, (list = []));
    list.push(run);
  }
  const groups = new Map<string, { developerId: string; micros: number }[]>();
  for (const [key, micros] of byDevClass) {
    const [dev, workflow] = key.split('\u0000') as [string, string];
    const developer = roleOf.get(dev);
    if (!developer) continue;
    const group = `${developer.role}\u0000${workflow}`;
    let list = groups.get(group);
    if (!list) groups.set(group, (list = []));
    list.push({ developerId: dev, micros });
  }
  const outliers: OutlierReview[] = [];
  for (const [group, list] of groups) {
    const [role, workflow] = group.split('\u0000') as [string, string];
    // Developers of the role with no spend in the class count as 0 (they are the role's usual too),
    // but a class that fewer than half of the role use is not judged: there, anyone using it would stand out.
    const peers = peersOf.get(role) ?? [];
    if (list.length * 2 < peers.length) continue;
    const spent = new Map(list.map((x) => [x.developerId, x.micros]));
    const costs = peers.map((p) => spent.get(p.id) ?? 0);
    const spread = spreadOf(group, costs, rule);
    if (spread.thresholdMicros === null) continue;
    for (const entry of list) {
      if (entry.micros <= spread.thresholdMicros) continue;
      const developer = roleOf.get(entry.developerId)!;
      const runs = [...(runsOf.get(`${entry.developerId}\u0000${workflow}`) ?? [])]
        .sort((a, b) => b.costMicros - a.costMicros || a.startMs - b.startMs)
        .slice(0, LARGEST_RUNS)
        .map((r) => ({ startMs: r.startMs, costMicros: r.costMicros, kind: r.kind }));
      outliers.push({
        developerId: entry.developerId,
        name: developer.name,
        role,
        workflow,
        spendMicros: entry.micros,
        roleMedianMicros: spread.medianMicros,
        thresholdMicros: spread.thresholdMicros,
        peers: costs.length,
        largestRuns: runs,
      });
    }
  }
  outliers.sort((a, b) => b.spendMicros - a.spendMicros || a.developerId.localeCompare(b.developerId));

  const requests: TeamReview['requests'] = { approved: [], denied: [], pending: [], other: [] };
  for (const r of [...input.requests].sort((a, b) => a.createdMs - b.createdMs || a.id.localeCompare(b.id))) {
    const reviewAt = r.outcome?.review_at ?? null;
    const review: RequestReview = {
      id: r.id,
      developerId: r.developerId,
      kind: r.kind,
      status: r.status,
      bandId: r.bandId,
      requestedMicros: r.requestedMicros,
      approvedMicros: r.approvedMicros,
      createdAt: new Date(r.createdMs).toISOString(),
      decidedAt: r.decidedMs === null ? null : new Date(r.decidedMs).toISOString(),
      justification: r.justification,
      outcome: r.outcome,
      reviewAt,
      resultRecorded: r.result !== null,
      result: r.result ? { text: r.result.text, recordedAt: new Date(r.result.recordedMs).toISOString() } : null,
      reviewOverdue:
        r.status === 'approved' &&
        r.result === null &&
        reviewAt !== null &&
        Date.parse(`${reviewAt}T00:00:00Z`) <= input.generatedMs,
    };
    if (r.status === 'approved') requests.approved.push(review);
    else if (r.status === 'denied') requests.denied.push(review);
    else if (r.status === 'pending') requests.pending.push(review);
    else requests.other.push(review);
  }

  const totals = developers.reduce(
    (t, d) => ({
      seatMicros: t.seatMicros + d.seatMicros,
      usageMicros: t.usageMicros + d.usageMicros,
      totalMicros: t.totalMicros + d.totalMicros,
      baselineMicros: t.baselineMicros + d.baselineMicros,
      developers: t.developers + 1,
    }),
    { seatMicros: 0, usageMicros: 0, totalMicros: 0, baselineMicros: 0, developers: 0 },
  );
  return {
    team: input.team,
    period: input.period,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    currency: input.currency,
    generatedAt: new Date(input.generatedMs).toISOString(),
    totals,
    developers,
    roles,
    idleSeats,
    idleSeatMicros: idleSeats.reduce((s, i) => s + i.seatMicros, 0),
    classes,
    outliers,
    requests,
    rules: { idle: IDLE_RULE_TEXT, drift: DRIFT_RULE_TEXT, outlier: TEAM_OUTLIER_RULE_TEXT },
  };
}
