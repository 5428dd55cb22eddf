// Estimates from history: runs are agent sessions, their class is the tagged session at their start;
// the figure is the p90 (nearest rank) with the median beside it; few runs, none, unpriced runs and
// outliers each say so, and lower the confidence.
import assert from 'node:assert/strict';
import {
  dailyUsageEstimate,
  historyEstimate,
  noEstimate,
  pastRuns,
  tokensEstimate,
  userEstimate,
  type HistoryEvent,
  type PastRun,
} from '../../../src/domain/estimate';
import { EstimateSchema } from '../../../src/domain/schemas';
import type { WorkflowSession } from '../../../src/domain/session';

const USD = 1_000_000;
const T0 = Date.parse('2026-11-02T09:00:00Z');
const MIN = 60_000;

function run(costUsd: number, over: Partial<PastRun> = {}): PastRun {
  return {
    agent: 'claude_code',
    sessionId: `s${Math.random()}`,
    startMs: T0,
    endMs: T0,
    costMicros: Math.round(costUsd * USD),
    workflow: 'background_automation',
    partlyUnpriced: false,
    ...over,
  };
}

function assertValidEstimate(e: unknown) {
  const parsed = EstimateSchema.safeParse(e);
  assert.equal(parsed.success, true, parsed.success ? '' : JSON.stringify(parsed.error.issues));
}

describe('estimate: past runs from metered events', () => {
  const sessions: WorkflowSession[] = [
    { id: 'a', workflow: 'deep_coding', start: new Date(T0).toISOString(), end: new Date(T0 + 60 * MIN).toISOString() },
    { id: 'b', workflow: 'background_automation', start: new Date(T0 + 60 * MIN).toISOString(), end: null },
  ];
  const events: HistoryEvent[] = [
    { timestamp: T0 + 5 * MIN, agent: 'claude_code', sessionId: 'x', costMicros: 1 * USD },
    { timestamp: T0 + 90 * MIN, agent: 'claude_code', sessionId: 'x', costMicros: 2 * USD }, // same session, later, in another class: most of its spend is here
    { timestamp: T0 + 70 * MIN, agent: 'claude_code', sessionId: 'y', costMicros: 3 * USD },
    { timestamp: T0 + 71 * MIN, agent: 'claude_code', sessionId: 'y', costMicros: null },
    { timestamp: T0 + 72 * MIN, agent: 'codex', sessionId: 'y', costMicros: 4 * USD }, // same id, other agent: another run
    { timestamp: T0 - 10 * MIN, agent: 'codex', sessionId: 'z', costMicros: 5 * USD }, // before any tag
  ];

  it('groups by agent and session, sums priced cost, takes the class that owns most of its spend (domain/attribution)', () => {
    const runs = pastRuns(events, sessions);
    assert.equal(runs.length, 4);
    const x = runs.find((r) => r.sessionId === 'x')!;
    assert.equal(x.costMicros, 3 * USD);
    assert.equal(x.workflow, 'background_automation'); // $2 of its $3 were spent after the switch
    assert.equal(x.endMs - x.startMs, 85 * MIN);
    const y = runs.find((r) => r.sessionId === 'y' && r.agent === 'claude_code')!;
    assert.equal(y.workflow, 'background_automation');
    assert.equal(y.partlyUnpriced, true);
    assert.equal(y.costMicros, 3 * USD);
    assert.equal(runs.find((r) => r.sessionId === 'z')!.workflow, undefined);
  });

  it('keeps only events inside the window', () => {
    const runs = pastRuns(events, sessions, { fromMs: T0, toMs: T0 + 80 * MIN });
    assert.deepEqual(runs.map((r) => `${r.agent}:${r.sessionId}:${r.costMicros}`).sort(), [
      'claude_code:x:1000000',
      'claude_code:y:3000000',
      'codex:y:4000000',
    ]);
  });
});

describe('estimate: from history', () => {
  it('none: says why, no estimate', () => {
    const outcome = historyEstimate([], { agent: 'claude_code', workflow: 'background_automation' });
    assert.equal(outcome.ok, false);
    assert.match(!outcome.ok ? outcome.reason : '', /no past runs of claude_code/);
    const other = historyEstimate([run(1, { agent: 'codex' })], {
      agent: 'claude_code',
      workflow: 'background_automation',
    });
    assert.equal(other.ok, false);
  });

  it('uses the priced part of partly unpriced runs as a flagged lower bound, never $0', () => {
    const outcome = historyEstimate([run(52.51, { partlyUnpriced: true }), run(3, { partlyUnpriced: true })], {
      agent: 'claude_code',
      workflow: 'background_automation',
    });
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.equal(outcome.value.estimate.cost.amount_micros, 52_510_000);
    assert.equal(outcome.value.estimate.confidence, 'low');
    assert.match(outcome.value.explanation, /at least \$52\.51 \+\? \(a lower bound\)/);
    const nothingKnown = historyEstimate([run(0, { partlyUnpriced: true })], {
      agent: 'claude_code',
      workflow: 'background_automation',
    });
    assert.equal(nothingKnown.ok, false);
  });

  it('one run: that run, low confidence', () => {
    const outcome = historyEstimate([run(2.5)], { agent: 'claude_code', workflow: 'background_automation' });
    assert.ok(outcome.ok);
    assert.equal(outcome.value.estimate.cost.amount_micros, 2_500_000);
    assert.equal(outcome.value.estimate.basis, 'history');
    assert.equal(outcome.value.estimate.confidence, 'low');
    assert.equal(outcome.value.history?.runs, 1);
    assert.match(outcome.value.explanation, /p90 of 1 past claude_code runs tagged background_automation/);
    assertValidEstimate(outcome.value.estimate);
  });

  it('ten similar runs: p90 as the figure, median beside it, high confidence', () => {
    const runs = [2, 2.2, 2.4, 2.5, 2.6, 2.8, 3, 3.1, 3.3, 3.6].map((c) => run(c));
    const outcome = historyEstimate(runs, { agent: 'claude_code', workflow: 'background_automation' });
    assert.ok(outcome.ok);
    assert.equal(outcome.value.estimate.cost.amount_micros, 3_300_000); // 9th of 10
    assert.equal(outcome.value.history?.median.amount_micros, 2_700_000); // (2.6 + 2.8) / 2
    assert.equal(outcome.value.history?.max.amount_micros, 3_600_000);
    assert.equal(outcome.value.estimate.confidence, 'high');
    assert.match(outcome.value.explanation, /\$3\.30: the p90 of 10 .* median \$2\.70, most \$3\.60\./);
  });

  it('an outlier: kept in the figures (p90 stays robust), reported, confidence lowered', () => {
    const runs = [2, 2.2, 2.4, 2.5, 2.6, 2.8, 3, 3.1, 3.3, 3.6, 80].map((c) => run(c));
    const outcome = historyEstimate(runs, { agent: 'claude_code', workflow: 'background_automation' });
    assert.ok(outcome.ok);
    assert.equal(outcome.value.history?.outliers, 1);
    assert.equal(outcome.value.estimate.cost.amount_micros, 3_600_000, 'one run in eleven does not move the p90');
    assert.equal(outcome.value.history?.max.amount_micros, 80 * USD);
    assert.equal(outcome.value.estimate.confidence, 'medium');
    assert.match(outcome.value.explanation, /1 run\(s\) cost far more than the rest/);
  });

  it('a wide spread (p90 > 3 × median) lowers the confidence', () => {
    // median $1, p90 $4; spread wide enough that no run is an outlier by the report's rule (outlierRule.ts)
    const runs = [0.2, 0.3, 0.5, 0.8, 1, 1, 2, 3, 4, 4].map((c) => run(c));
    const outcome = historyEstimate(runs, { agent: 'claude_code', workflow: 'background_automation' });
    assert.ok(outcome.ok);
    assert.equal(outcome.value.history?.outliers, 0);
    assert.equal(outcome.value.estimate.confidence, 'medium');
  });

  it('runs far above the usual are outliers by the same rule as the report, and lower the confidence again', () => {
    const runs = [1, 1, 1, 1, 1, 1, 10, 10, 10, 10].map((c) => run(c));
    const outcome = historyEstimate(runs, { agent: 'claude_code', workflow: 'background_automation' });
    assert.ok(outcome.ok);
    assert.equal(outcome.value.history?.outliers, 4);
    assert.equal(outcome.value.estimate.confidence, 'low');
  });

  it('no run of the class: runs of every class, one step less sure, and says so', () => {
    const runs = [
      run(1, { workflow: 'deep_coding' }),
      run(2, { workflow: undefined }),
      run(3, { workflow: 'review' }),
      run(4, { workflow: 'review' }),
    ];
    const outcome = historyEstimate(runs, { agent: 'claude_code', workflow: 'background_automation' });
    assert.ok(outcome.ok);
    assert.equal(outcome.value.history?.anyClass, true);
    assert.equal(outcome.value.estimate.cost.amount_micros, 4 * USD);
    assert.equal(outcome.value.estimate.confidence, 'low');
    assert.match(outcome.value.explanation, /runs of any class \(none tagged background_automation\)/);
  });

  it('runs with unpriced usage are left out and counted; all unpriced with no priced part is no estimate', () => {
    const outcome = historyEstimate([run(1), run(50, { partlyUnpriced: true })], {
      agent: 'claude_code',
      workflow: 'background_automation',
    });
    assert.ok(outcome.ok);
    assert.equal(outcome.value.estimate.cost.amount_micros, 1 * USD);
    assert.match(outcome.value.explanation, /1 run\(s\) with unpriced models left out/);
    const none = historyEstimate([run(0, { partlyUnpriced: true })], {
      agent: 'claude_code',
      workflow: 'background_automation',
    });
    assert.equal(none.ok, false);
    assert.match(!none.ok ? none.reason : '', /without a price/);
  });
});

describe('estimate: given, tokens, daily usage, none', () => {
  it('user supplied keeps the amount exactly', () => {
    const e = userEstimate(4_500_001);
    assert.equal(e.estimate.cost.amount_micros, 4_500_001);
    assert.equal(e.estimate.basis, 'user_supplied');
    assertValidEstimate(e.estimate);
  });

  it('tokens × price: 90 % input, 10 % output, one rounding', () => {
    // claude-sonnet-4-5: $3 / $15 per million
    const e = tokensEstimate(2_000_000, 'claude-sonnet-4-5', { input: 3 * USD, output: 15 * USD });
    assert.deepEqual(e.estimate.tokens, { input: 1_800_000, output: 200_000 });
    assert.equal(e.estimate.cost.amount_micros, 5_400_000 + 3_000_000);
    assert.equal(e.estimate.basis, 'tokens');
    assert.equal(e.estimate.model, 'claude-sonnet-4-5');
    assertValidEstimate(e.estimate);
    // 7 tokens at $0.05 / M: 6 input (0.3 µ$) + 1 output (0.4 µ$ at $0.4/M) = 0.7 µ$ → 1 micro
    assert.equal(tokensEstimate(7, 'gpt-5-nano', { input: 50_000, output: 400_000 }).estimate.cost.amount_micros, 1);
    assert.throws(() => tokensEstimate(0, 'x', { input: 1, output: 1 }), /positive whole number/);
  });

  it('daily usage: p90 of the class per active day, never more than medium confidence', () => {
    const day = (d: number, workflow: string, usd: number) => ({
      start: `2026-11-${String(d).padStart(2, '0')}T00:00:00Z`,
      results: [{ workflow, cost: { currency: 'USD', amount_micros: usd * USD } }],
    });
    const buckets = [
      ...Array.from({ length: 12 }, (_, i) => day(i + 1, 'background_automation', 1 + (i % 3))),
      day(20, 'deep_coding', 99),
      day(21, 'background_automation', 0),
    ];
    const outcome = dailyUsageEstimate(buckets, 'background_automation');
    assert.ok(outcome.ok);
    assert.equal(outcome.value.history?.runs, 12);
    assert.equal(outcome.value.history?.unit, 'day');
    assert.equal(outcome.value.estimate.cost.amount_micros, 3 * USD);
    assert.equal(outcome.value.estimate.confidence, 'medium');
    assert.match(outcome.value.explanation, /A day is not a run/);
    assert.equal(dailyUsageEstimate(buckets, 'research').ok, false);
  });

  it('no estimate is zero, low confidence, and says how to give one', () => {
    const e = noEstimate('no past runs');
    assert.equal(e.estimate.cost.amount_micros, 0);
    assert.equal(e.estimate.confidence, 'low');
    assert.equal(e.estimate.basis, undefined);
    assert.match(e.explanation, /no estimate \(no past runs\).*Give one/);
    assertValidEstimate(e.estimate);
  });
});
