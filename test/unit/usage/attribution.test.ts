// Attribution of usage to tagged workflow sessions, and the groupings people see.
import assert from 'node:assert/strict';
import type { WorkflowSession } from '../../../src/domain/session';
import { usedByWorkflow } from '../../../src/usage/usageRows';
import { biggestSessions, groupUsage } from '../../../src/usage/usageRows';
import type { UsageEvent, UsageSnapshot } from '../../../src/usage/usageSnapshot';

const t = (iso: string) => Date.parse(iso);

function event(iso: string, costMicros: number | null, extra: Partial<UsageEvent> = {}): UsageEvent {
  return {
    timestamp: t(iso),
    agent: 'claude_code',
    model: 'claude-sonnet-4-5',
    tokens: { input: 1, output: 2, cache_read: 3, cache_write: 4, cache_write_1h: 0 },
    costMicros,
    sessionId: 's1',
    project: '/p',
    requests: 1,
    ...extra,
  };
}

function snapshot(events: UsageEvent[]): UsageSnapshot {
  return {
    events,
    eachEvent: (visit) => events.forEach((e) => visit(e)),
    eventsBetween: (fromMs, toMs) => events.filter((e) => e.timestamp >= fromMs && e.timestamp < toMs),
    skippedLines: 0,
    unpricedModels: [],
    asOf: '2026-11-30T00:00:00Z',
    pricesAsOf: '2025-11-24',
    stats: { filesTotal: 0, filesRead: 0, bytesRead: 0, requestsChanged: 0, durationMs: 0, fullScan: false },
  };
}

const sessions: WorkflowSession[] = [
  { id: 'a', workflow: 'deep_coding', start: '2026-11-02T09:00:00Z', end: '2026-11-02T12:00:00Z' },
  { id: 'b', workflow: 'review', start: '2026-11-02T10:00:00Z', end: '2026-11-02T10:30:00Z' },
  { id: 'c', workflow: 'research', start: '2026-11-03T08:00:00Z', end: null },
];

describe('usage: attribution and groupings', () => {
  it('each event goes to the session active at its timestamp (the latest started when tags overlap), else untagged', () => {
    const snap = snapshot([
      event('2026-11-02T08:59:00Z', 1), // before any session
      event('2026-11-02T09:00:00Z', 10), // deep_coding starts (inclusive)
      event('2026-11-02T10:10:00Z', 100), // review overlaps deep_coding: review wins
      event('2026-11-02T10:30:00Z', 1000), // review ended (exclusive): deep_coding
      event('2026-11-02T12:00:00Z', 10000), // deep_coding ended: untagged
      event('2026-11-05T00:00:00Z', 100000), // open research session
      event('2026-11-02T11:00:00Z', null), // unpriced: not money
    ]);
    const used = usedByWorkflow(snap, sessions, new Date('2026-11-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z'));
    assert.deepEqual(Object.fromEntries(used), { untagged: 10001, deep_coding: 1010, review: 100, research: 100000 });
  });

  it('only events in [from, to) count', () => {
    const snap = snapshot([
      event('2026-10-31T23:59:00Z', 1),
      event('2026-11-01T00:00:00Z', 2),
      event('2026-11-30T23:59:00Z', 4),
      event('2026-12-01T00:00:00Z', 8),
    ]);
    const used = usedByWorkflow(snap, [], new Date('2026-11-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z'));
    assert.deepEqual(Object.fromEntries(used), { untagged: 6 });
  });

  it('groups by day in a time zone, by month, model, agent and workflow; unpriced requests counted apart', () => {
    const events = [
      event('2026-11-02T22:30:00Z', 5, { model: 'gpt-5', agent: 'codex' }),
      event('2026-11-02T23:30:00Z', 7),
      event('2026-11-03T10:15:00Z', null, { model: 'mystery' }),
    ];
    const byDayBerlin = groupUsage(events, { by: 'day', timeZone: 'Europe/Berlin' });
    assert.deepEqual(
      byDayBerlin.rows.map((r) => [r.key, r.costMicros, r.requests, r.unpricedRequests]),
      [
        ['2026-11-02', 5, 1, 0],
        ['2026-11-03', 7, 2, 1],
      ],
    );
    assert.deepEqual(byDayBerlin.totals.tokens, {
      input: 3,
      output: 6,
      cache_read: 9,
      cache_write: 12,
      cache_write_1h: 0,
    });
    assert.deepEqual(
      groupUsage(events, { by: 'day', timeZone: 'UTC' }).rows.map((r) => r.key),
      ['2026-11-02', '2026-11-03'],
    );
    assert.deepEqual(
      groupUsage(events, { by: 'month', timeZone: 'UTC' }).rows.map((r) => [r.key, r.requests]),
      [['2026-11', 3]],
    );
    assert.deepEqual(
      groupUsage(events, { by: 'agent', timeZone: 'UTC' }).rows.map((r) => [r.key, r.costMicros]),
      [
        ['claude_code', 7],
        ['codex', 5],
      ],
    );
    assert.deepEqual(
      groupUsage(events, { by: 'model', timeZone: 'UTC' }).rows.map((r) => r.key),
      ['claude-sonnet-4-5', 'gpt-5', 'mystery'],
    );
    const byWorkflow = groupUsage(events, {
      by: 'workflow',
      timeZone: 'UTC',
      sessions: [{ id: 'x', workflow: 'review', start: '2026-11-02T23:00:00Z', end: '2026-11-03T00:00:00Z' }],
    });
    assert.deepEqual(
      byWorkflow.rows.map((r) => [r.key, r.costMicros]),
      [
        ['review', 7],
        ['untagged', 5],
      ],
    );
    const window = groupUsage(events, {
      by: 'day',
      timeZone: 'UTC',
      fromMs: t('2026-11-02T23:00:00Z'),
      toMs: t('2026-11-03T00:00:00Z'),
    });
    assert.equal(window.totals.requests, 1);
  });

  it('names the biggest agent sessions by spend', () => {
    const events = [
      event('2026-11-02T10:00:00Z', 50, { sessionId: 'small' }),
      event('2026-11-02T10:00:00Z', 500, { sessionId: 'big', model: 'claude-opus-4-1' }),
      event('2026-11-02T11:00:00Z', 600, { sessionId: 'big' }),
      event('2026-11-02T11:00:00Z', 700, { sessionId: 'rollout', agent: 'codex', model: 'gpt-5' }),
    ];
    const top = biggestSessions(events, 2);
    assert.deepEqual(
      top.map((s) => [s.sessionId, s.costMicros, s.requests, s.models.length, new Date(s.lastMs).toISOString()]),
      [
        ['big', 1100, 2, 2, '2026-11-02T11:00:00.000Z'],
        ['rollout', 700, 1, 1, '2026-11-02T11:00:00.000Z'],
      ],
    );
  });
});
