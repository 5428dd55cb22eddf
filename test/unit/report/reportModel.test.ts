import * as assert from 'node:assert/strict';
import { buildReport, type ReportInput } from '../../../src/domain/reportModel';
import {
  rowsFromMetering,
  rowsFromUsagePages,
  runsFromMetering,
  collectUsagePages,
} from '../../../src/domain/reportUsage';
import { monthWindow, shiftWindow, windowContaining } from '../../../src/domain/reportWindow';
import type { UsagePage } from '../../../src/domain/schemas';
import { $, documentOf, event, NOW, row, session } from './reportFixtures';

function input(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    document: documentOf(),
    source: 'endpoint',
    window: monthWindow('2026-11', 'UTC')!,
    now: NOW,
    usage: [],
    usageSource: 'endpoint',
    runs: [],
    ...overrides,
  };
}

describe('report model', () => {
  it('accumulates a band’s spend by local day up to now, and forecasts from where the line ends', () => {
    const usage = [
      row('2026-11-02T10:00:00Z', 'deep_coding', 20),
      row('2026-11-02T15:00:00Z', 'deep_coding', 10),
      row('2026-11-10T09:00:00Z', 'deep_coding', 30),
      row('2026-11-10T09:00:00Z', 'review', 99),
    ];
    const model = buildReport(input({ usage }));
    const deep = model.bands.find((b) => b.id === 'b_deep')!;
    assert.equal(deep.current, true);
    assert.equal(deep.series.length, 1 + 16, 'period start, 15 whole days, today up to now');
    assert.deepEqual(deep.series[0], { ms: Date.parse('2026-11-01T00:00:00Z'), micros: 0 });
    assert.equal(deep.series[1]!.micros, 0, '1 Nov: nothing');
    assert.equal(deep.series[2]!.micros, $(30), '2 Nov: 20 + 10');
    assert.equal(deep.series[16]!.ms, NOW.getTime(), 'the line ends at now');
    assert.equal(deep.series[16]!.micros, $(60));
    assert.equal(deep.usedMicros, $(60));
    // 15.5 of 30 days elapsed: 60 × 30 / 15.5
    assert.equal(deep.forecastMicros, Math.round(($(60) * 30) / 15.5));
    assert.deepEqual(deep.forecast, { fromMs: NOW.getTime(), fromMicros: $(60), toMicros: deep.forecastMicros });
    assert.equal(model.notes.filter((n) => n.startsWith('Deep coding')).length, 0, 'history and band agree: no note');
    assert.ok(
      model.notes.some((n) =>
        n.startsWith('Background automation: the usage history adds up to $0.00, the band says $5.00'),
      ),
      model.notes.join(' / '),
    );
  });

  it('charts the weekly band over its own week', () => {
    const model = buildReport(
      input({
        usage: [
          row('2026-11-16T08:00:00Z', 'background_automation', 5),
          row('2026-11-15T08:00:00Z', 'background_automation', 7),
        ],
      }),
    );
    const bg = model.bands.find((b) => b.id === 'b_bg')!;
    assert.equal(bg.period.start, '2026-11-16T00:00:00Z');
    assert.equal(bg.series[bg.series.length - 1]!.micros, $(5), 'Sunday’s $7 belongs to last week');
  });

  it('breaks the window down by class, model and agent, with unpriced requests counted but not as money', () => {
    const usage = [
      row('2026-11-03T10:00:00Z', 'deep_coding', 20, { model: 'claude-opus-4-1' }),
      row('2026-11-04T10:00:00Z', 'review', 10, { agent: 'openai', model: 'gpt-5' }),
      row('2026-11-04T11:00:00Z', 'review', null, { model: 'mystery-1', requests: 3 }),
      row('2026-10-31T23:00:00Z', 'review', 500),
    ];
    const model = buildReport(input({ usage }));
    assert.deepEqual(
      model.byWorkflow.map((r) => [r.key, r.micros, r.requests, r.unpricedRequests]),
      [
        ['deep_coding', $(20), 1, 0],
        ['review', $(10), 4, 3],
      ],
    );
    assert.deepEqual(
      model.byModel.map((r) => r.key),
      ['claude-opus-4-1', 'gpt-5', 'mystery-1'],
    );
    assert.deepEqual(
      model.byAgent.map((r) => [r.key, r.label]),
      [
        ['anthropic', 'Anthropic'],
        ['openai', 'OpenAI'],
      ],
    );
    assert.equal(model.totals.micros, $(30));
    assert.equal(model.totals.unpricedRequests, 3);
    assert.ok(model.notes.some((n) => n.includes('without a price')));
    assert.equal(Math.round(model.byWorkflow[0]!.percent), 67);
    assert.equal(model.daily.length, 30);
    assert.equal(model.daily[3]!.date, '2026-11-04');
    assert.equal(model.daily[3]!.micros, $(10));
  });

  it('adds seats and usage into the whole bill (a week carries 12/52 of a monthly seat)', () => {
    const usage = [row('2026-11-03T10:00:00Z', 'deep_coding', 20)];
    const month = buildReport(input({ usage }));
    assert.deepEqual([month.bill.seatsMicros, month.bill.usageMicros, month.bill.totalMicros], [$(19), $(20), $(39)]);
    const week = buildReport(
      input({ usage, window: windowContaining('week', new Date('2026-11-03T12:00:00Z'), 'UTC') }),
    );
    assert.equal(week.bill.seatsMicros, Math.round(($(19) * 12) / 52));
    assert.equal(week.bill.totalMicros, week.bill.seatsMicros + $(20));
  });

  it('without any usage history uses the bands’ totals and draws a marked straight line', () => {
    const model = buildReport(input({ usageSource: 'none' }));
    const deep = model.bands.find((b) => b.id === 'b_deep')!;
    assert.equal(deep.estimatedSeries, true);
    assert.deepEqual(
      deep.series.map((p) => p.micros),
      [0, $(60)],
    );
    assert.equal(model.bill.usageMicros, $(65));
    assert.ok(model.notes.some((n) => n.includes('joins the start')));
  });

  it('reports a past month against today’s allocation, without today’s temporary increase and without a forecast', () => {
    const doc = documentOf();
    doc.bands[0] = {
      ...doc.bands[0]!,
      allocated: { currency: 'USD', amount_micros: $(200) },
      temporary_increase: { amount: { currency: 'USD', amount_micros: $(50) }, until: '2026-11-25T00:00:00Z' },
    };
    const october = shiftWindow(monthWindow('2026-11', 'UTC')!, -1);
    const model = buildReport(
      input({ document: doc, window: october, usage: [row('2026-10-05T10:00:00Z', 'deep_coding', 160)] }),
    );
    const deep = model.bands.find((b) => b.id === 'b_deep')!;
    assert.equal(deep.current, false);
    assert.equal(Date.parse(deep.period.start), Date.parse('2026-10-01T00:00:00Z'));
    assert.equal(deep.allocatedMicros, $(150));
    assert.equal(deep.usedMicros, $(160));
    assert.equal(deep.status, 'exceeded');
    assert.equal(deep.forecast, null);
    assert.equal(deep.series.length, 32);
    assert.ok(model.notes.some((n) => n.includes('today’s allocation')));
  });

  it('lists the biggest runs with outliers marked against their own class', () => {
    const events = [
      ...['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => event(`2026-11-0${i + 2}T10:00:00Z`, 2 + i * 0.1, id)),
      event('2026-11-09T10:00:00Z', 40, 'big'),
      event('2026-11-09T10:01:00Z', 4, 'big'),
    ];
    const runs = runsFromMetering(
      events,
      [],
      Date.parse('2026-11-01T00:00:00Z'),
      Date.parse('2026-12-01T00:00:00Z'),
      NOW.getTime(),
    );
    const model = buildReport(
      input({ runs, usageSource: 'local_logs', usage: rowsFromMetering(events, [], 0, NOW.getTime(), NOW.getTime()) }),
    );
    assert.equal(model.agentRuns[0]!.id, 'big');
    assert.equal(model.agentRuns[0]!.costMicros, $(44));
    assert.equal(model.agentRuns[0]!.requests, 2);
    assert.equal(model.agentRuns[0]!.outlier, true);
    assert.ok(model.agentRuns.slice(1).every((r) => !r.outlier));
    assert.equal(model.outlierCount, 1);
    assert.match(model.agentRuns[0]!.label, /^Claude Code · shop · big/);
  });
});

describe('report inputs', () => {
  it('attributes metering to the tagged session at each minute (latest start wins) and sums sessions', () => {
    const sessions = [
      session('s-deep', 'deep_coding', '2026-11-02T09:00:00Z', '2026-11-02T12:00:00Z'),
      session('s-review', 'review', '2026-11-02T10:00:00Z', '2026-11-02T10:30:00Z'),
      session('s-open', 'research', '2026-11-05T00:00:00Z', null),
    ];
    const events = [
      event('2026-11-02T09:30:00Z', 1, 'x'),
      event('2026-11-02T10:10:00Z', 2, 'x'),
      event('2026-11-02T11:00:00Z', 3, 'x'),
      event('2026-11-02T13:00:00Z', 4, 'x'),
      event('2026-11-06T13:00:00Z', null, 'y'),
    ];
    const rows = rowsFromMetering(events, sessions, 0, NOW.getTime(), NOW.getTime());
    assert.deepEqual(
      rows.map((r) => r.workflow),
      ['deep_coding', 'review', 'deep_coding', 'untagged', 'research'],
    );
    const runs = runsFromMetering(events, sessions, 0, NOW.getTime(), NOW.getTime());
    const byId = new Map(runs.map((r) => [`${r.kind}:${r.id}`, r]));
    assert.equal(byId.get('session:s-deep')!.costMicros, $(4));
    assert.equal(byId.get('session:s-review')!.costMicros, $(2));
    assert.equal(byId.get('session:s-open')!.costMicros, 0, 'unpriced usage adds requests, not money');
    assert.equal(byId.get('session:s-open')!.endMs, NOW.getTime(), 'an open session runs until now');
    assert.equal(byId.get('agent_run:x')!.costMicros, $(10));
    assert.equal(byId.get('agent_run:x')!.workflow, 'deep_coding', 'the class with most of its spend');
  });

  it('reads endpoint buckets into rows and follows the cursor to the last page', async () => {
    const page = (cursor: string | null, start: string): UsagePage => ({
      data: [
        {
          start,
          end: new Date(Date.parse(start) + 3_600_000).toISOString(),
          results: [
            {
              workflow: null,
              provider: 'anthropic',
              model: null,
              cost: { currency: 'USD', amount_micros: 5 },
              requests: 2,
            },
          ],
        },
      ],
      next_cursor: cursor,
    });
    const asked: (string | undefined)[] = [];
    const { pages, complete } = await collectUsagePages(async (cursor) => {
      asked.push(cursor);
      return cursor === undefined ? page('c1', '2026-11-01T00:00:00Z') : page(null, '2026-11-01T01:00:00Z');
    });
    assert.deepEqual(asked, [undefined, 'c1']);
    assert.equal(complete, true);
    const rows = rowsFromUsagePages(pages);
    assert.deepEqual(
      rows.map((r) => [r.workflow, r.model, r.agent, r.costMicros, r.requests]),
      [
        ['untagged', '', 'anthropic', 5, 2],
        ['untagged', '', 'anthropic', 5, 2],
      ],
    );
    const endless = await collectUsagePages(async () => page('again', '2026-11-01T00:00:00Z'), 3);
    assert.equal(endless.complete, false);
    assert.equal(endless.pages.length, 3);
  });
});
