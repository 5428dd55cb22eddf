// What a run is expected to cost before it starts, always with its basis and confidence: given by the
// person (USD, or tokens × a model's price), or from history — the median and p90 cost of this
// developer's past runs of the same agent and workflow class (local metering), or, failing that, the
// class's spend per active day from the endpoint's usage history. The figure sent to pre-flight is the
// p90 for history: a guard that checks the typical run lets one run in two go over what was checked.
import { formatMoney } from './money';
import { countOutliers } from './outlierRule';
import type { Estimate, Money, UsageResult } from './schemas';
import { RunClass, TagTimeline } from './attribution';
import type { WorkflowSession } from './session';
import { median, percentile } from './stats';
import { UNTAGGED } from './workflowClasses';

/** An estimate plus the sentence that explains it to a person (shown in the terminal and the modal). */
export interface RunEstimate {
  estimate: Estimate;
  explanation: string;
  history?: HistoryStats;
}

export interface HistoryStats {
  runs: number;
  median: Money;
  p90: Money;
  max: Money;
  /** runs far above the rest (above Q3 + 3 × IQR); kept in the figures, but they lower the confidence */
  outliers: number;
  /** what the figures are per: one agent session, or one day with usage of the class */
  unit: 'run' | 'day';
  /** true when no run of this class was found and runs of every class were used */
  anyClass?: boolean;
}

/** Share of a bare token count assumed to be output: agent runs are mostly prompt (context re-read every turn). */
export const ASSUMED_OUTPUT_SHARE_PERCENT = 10;

/** Price of a model in integer micros per million tokens (the shape of src/usage/prices.ts ModelPrice). */
export interface TokenPrice {
  input: number;
  output: number;
}

export function userEstimate(amountMicros: number, currency = 'USD'): RunEstimate {
  const cost = { currency, amount_micros: amountMicros };
  return {
    estimate: { cost, basis: 'user_supplied', confidence: 'medium' },
    explanation: `${formatMoney(cost)}, as given.`,
  };
}

/**
 * `tokens` total tokens of `model`, priced as 90 % input and 10 % output at the model's list price
 * (integer arithmetic: tokens × micros per million, one rounding at the end).
 */
export function tokensEstimate(tokens: number, model: string, price: TokenPrice, currency = 'USD'): RunEstimate {
  if (!Number.isSafeInteger(tokens) || tokens <= 0)
    throw new RangeError(`a token count must be a positive whole number, got ${tokens}`);
  const output = Math.round((tokens * ASSUMED_OUTPUT_SHARE_PERCENT) / 100);
  const input = tokens - output;
  const microMicros = BigInt(input) * BigInt(price.input) + BigInt(output) * BigInt(price.output);
  const cost = { currency, amount_micros: Number((microMicros + 500_000n) / 1_000_000n) };
  return {
    estimate: { cost, basis: 'tokens', confidence: 'medium', model, tokens: { input, output } },
    explanation: `${formatMoney(cost)}: ${tokens.toLocaleString('en-US')} tokens of ${model} at list price (assumed ${100 - ASSUMED_OUTPUT_SHARE_PERCENT}% input, ${ASSUMED_OUTPUT_SHARE_PERCENT}% output).`,
  };
}

/** One metered rollup, as src/usage/usageSnapshot.ts UsageEvent has it (only the fields used here). */
export interface HistoryEvent {
  /** epoch ms */
  timestamp: number;
  agent: string;
  sessionId: string;
  /** integer micros, or null for a model without a price */
  costMicros: number | null;
}

/** One past run: an agent session (Claude sessionId / Codex rollout), its class and cost. */
export interface PastRun {
  agent: string;
  sessionId: string;
  startMs: number;
  endMs: number;
  costMicros: number;
  /** the run's class by the run rule (domain/attribution.ts); undefined when untagged */
  workflow: string | undefined;
  /** some of its usage has no price, so costMicros is too low */
  partlyUnpriced: boolean;
}

/** Group metered events into runs (one per agent session), each classed by the run rule of domain/attribution.ts. */
export function pastRuns(
  events: readonly HistoryEvent[],
  sessions: readonly WorkflowSession[],
  options: { fromMs?: number; toMs?: number } = {},
): PastRun[] {
  const byRun = new Map<string, PastRun>();
  const timeline = TagTimeline.ofSessions(sessions);
  const classOf = new Map<PastRun, RunClass>();
  for (const e of events) {
    if (options.fromMs !== undefined && e.timestamp < options.fromMs) continue;
    if (options.toMs !== undefined && e.timestamp >= options.toMs) continue;
    const key = `${e.agent}\u0000${e.sessionId}`;
    let run = byRun.get(key);
    if (!run) {
      run = {
        agent: e.agent,
        sessionId: e.sessionId,
        startMs: e.timestamp,
        endMs: e.timestamp,
        costMicros: 0,
        workflow: undefined,
        partlyUnpriced: false,
      };
      byRun.set(key, run);
      classOf.set(run, new RunClass(timeline));
    }
    classOf.get(run)!.add(e.timestamp, e.costMicros);
    run.startMs = Math.min(run.startMs, e.timestamp);
    run.endMs = Math.max(run.endMs, e.timestamp);
    if (e.costMicros === null) run.partlyUnpriced = true;
    else run.costMicros += e.costMicros;
  }
  const runs = [...byRun.values()];
  for (const run of runs) {
    const workflow = classOf.get(run)!.workflow;
    run.workflow = workflow === UNTAGGED ? undefined : workflow;
  }
  return runs.sort((a, b) => a.startMs - b.startMs);
}

function statsOf(costs: readonly number[], currency: string, unit: HistoryStats['unit']): HistoryStats {
  const sorted = [...costs].sort((a, b) => a - b);
  const m = (amount_micros: number): Money => ({ currency, amount_micros });
  return {
    runs: sorted.length,
    median: m(Math.round(median(sorted))),
    p90: m(percentile(sorted, 90)),
    max: m(sorted[sorted.length - 1]!),
    outliers: countOutliers(sorted),
    unit,
  };
}

const LOWER: Record<NonNullable<Estimate['confidence']>, NonNullable<Estimate['confidence']>> = {
  high: 'medium',
  medium: 'low',
  low: 'low',
};

/** Few runs say little; a wide spread or far outliers say the next run may be anything. */
function confidenceOf(stats: HistoryStats): NonNullable<Estimate['confidence']> {
  let confidence: NonNullable<Estimate['confidence']> = stats.runs >= 10 ? 'high' : stats.runs >= 4 ? 'medium' : 'low';
  // p90 more than 3× the median: the runs do not resemble each other
  if (stats.p90.amount_micros > 3 * stats.median.amount_micros) confidence = LOWER[confidence];
  if (stats.outliers > 0) confidence = LOWER[confidence];
  return confidence;
}

export interface HistoryQuery {
  agent: string;
  workflow: string;
  currency?: string;
  /** fewer usable runs of the class than this and runs of every class are used instead (default 1) */
  minRuns?: number;
}

export type HistoryOutcome = { ok: true; value: RunEstimate } | { ok: false; reason: string };

/**
 * The p90 of this agent's past runs of the class (falling back to its runs of every class, with lower
 * confidence). Runs with unpriced usage are left out: their cost is unknown, and counting them low
 * would pull the estimate down.
 */
export function historyEstimate(runs: readonly PastRun[], query: HistoryQuery): HistoryOutcome {
  const currency = query.currency ?? 'USD';
  const ofAgent = runs.filter((r) => r.agent === query.agent);
  if (ofAgent.length === 0)
    return { ok: false, reason: `no past runs of ${query.agent} were found in the agent logs on this machine` };
  const priced = ofAgent.filter((r) => !r.partlyUnpriced);
  if (priced.length === 0) {
    // Their priced requests are a known lower bound: the run cost at least that much (review finding 2).
    const known = ofAgent.map((r) => r.costMicros).filter((c) => c > 0);
    if (known.length === 0)
      return {
        ok: false,
        reason: `all ${ofAgent.length} past run(s) of ${query.agent} used models without a price, so their cost is unknown`,
      };
    const floor = { currency, amount_micros: Math.max(...known) };
    return {
      ok: true,
      value: {
        estimate: { cost: floor, basis: 'history', confidence: 'low' },
        explanation: `at least ${formatMoney(floor)} +? (a lower bound): the priced part of the costliest of ${ofAgent.length} past ${query.agent} run(s); each also used models without a price, whose cost is unknown.`,
      },
    };
  }
  const ofClass = priced.filter((r) => r.workflow === query.workflow);
  const anyClass = ofClass.length < (query.minRuns ?? 1);
  const used = anyClass ? priced : ofClass;
  const stats = {
    ...statsOf(
      used.map((r) => r.costMicros),
      currency,
      'run',
    ),
    ...(anyClass ? { anyClass: true } : {}),
  };
  let confidence = confidenceOf(stats);
  if (anyClass) confidence = LOWER[confidence];
  const skipped = ofAgent.length - priced.length;
  const scope = anyClass
    ? `${query.agent} runs of any class (none tagged ${query.workflow})`
    : `${query.agent} runs tagged ${query.workflow}`;
  const parts = [
    `${formatMoney(stats.p90)}: the p90 of ${stats.runs} past ${scope}; median ${formatMoney(stats.median)}, most ${formatMoney(stats.max)}.`,
  ];
  if (stats.outliers > 0) parts.push(`${stats.outliers} run(s) cost far more than the rest.`);
  if (skipped > 0) parts.push(`${skipped} run(s) with unpriced models left out.`);
  return {
    ok: true,
    value: {
      estimate: { cost: stats.p90, basis: 'history', confidence },
      explanation: parts.join(' '),
      history: stats,
    },
  };
}

/**
 * From the endpoint's usage history (`GET /v1/me/usage`, grouped by workflow, P1D buckets): the p90 of
 * the class's spend on the days it had any. A day is not a run, so the confidence is at most low-medium.
 */
export function dailyUsageEstimate(
  buckets: readonly { start: string; results: readonly UsageResult[] }[],
  workflow: string,
  currency = 'USD',
): HistoryOutcome {
  const perDay = new Map<string, number>();
  for (const bucket of buckets) {
    for (const result of bucket.results) {
      if (result.workflow !== workflow || result.cost.currency !== currency) continue;
      perDay.set(bucket.start, (perDay.get(bucket.start) ?? 0) + result.cost.amount_micros);
    }
  }
  const days = [...perDay.values()].filter((v) => v > 0);
  if (days.length === 0) return { ok: false, reason: `the endpoint's usage history has no spend tagged ${workflow}` };
  const stats = statsOf(days, currency, 'day');
  const confidence = LOWER[confidenceOf(stats)];
  return {
    ok: true,
    value: {
      estimate: { cost: stats.p90, basis: 'history', confidence },
      explanation: `${formatMoney(stats.p90)}: the p90 of ${workflow} spend per active day on the endpoint (${stats.runs} day(s); median ${formatMoney(stats.median)}). A day is not a run: treat it as a rough guide.`,
      history: stats,
    },
  };
}

/** No estimate at all: ask with zero, which still catches exhausted bands and rules without an amount. */
export function noEstimate(reason: string, currency = 'USD'): RunEstimate {
  return {
    estimate: { cost: { currency, amount_micros: 0 }, confidence: 'low' },
    explanation: `no estimate (${reason}); checked as ${formatMoney({ currency, amount_micros: 0 })}, so rules on the run's size cannot apply. Give one (an estimate in USD, or tokens and a model).`,
  };
}
