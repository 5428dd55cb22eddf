// One attribution rule on every screen: a class switch in the middle of a minute gives that minute's
// usage the same class in the gauge (local metering per band), the report (rows and runs), the
// pre-flight estimate (past runs) and the reference server (over real HTTP on 127.0.0.1).
// The switch is at 09:30:40 and the usage at 09:30:50: the minute belongs to `review` (40 s of it),
// although `deep_coding` was active at the instant of the request.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pastRuns } from '../../../src/domain/estimate';
import { rowsFromMetering, runsFromMetering } from '../../../src/domain/reportUsage';
import type { WorkflowSession } from '../../../src/domain/session';
import { usedByWorkflow } from '../../../src/usage/usageRows';
import { admin, api, key, startHarness, type Harness } from '../server/serverHarness';
import { claudeLine, setup, writeLines, type MeterSetup } from './usageTestKit';

const SWITCH = '2026-11-18T09:30:40.000Z';
const USAGE_AT = '2026-11-18T09:30:50.000Z';
const sessions: WorkflowSession[] = [
  { id: '0193a0a0-0000-7000-8000-000000000001', workflow: 'review', start: '2026-11-18T09:00:00.000Z', end: SWITCH },
  { id: '0193a0a0-0000-7000-8000-000000000002', workflow: 'deep_coding', start: SWITCH, end: null },
];

describe('attribution: a class switch mid-minute, the same class everywhere', function () {
  this.timeout(60_000);
  let s: MeterSetup;
  let h: Harness;
  beforeEach(async () => {
    s = setup();
    h = await startHarness({ demo: false });
  });
  afterEach(async () => {
    s.dir.remove();
    await h.close();
  });

  it('gauge, report, estimate and server all give the minute to review', async () => {
    // Local metering: one Claude Code request at 09:30:50 ($3 in, $15 out per M on Sonnet 4.5).
    writeLines(join(s.claude, 'projects', 'p', 'a.jsonl'), [
      claudeLine({
        msgId: 'm1',
        requestId: 'r1',
        model: 'claude-sonnet-4-5',
        timestamp: USAGE_AT,
        input: 100_000,
        output: 10_000,
        sessionId: 'agent-1',
      }),
    ]);
    const snap = await s.meter().refresh();
    const from = new Date('2026-11-18T00:00:00Z');
    const to = new Date('2026-11-19T00:00:00Z');
    const gauge = usedByWorkflow(snap, sessions, from, to);
    assert.deepEqual([...gauge], [['review', 450_000]]);

    const nowMs = Date.parse('2026-11-18T10:00:00Z');
    const rows = rowsFromMetering(snap.events, sessions, from.getTime(), to.getTime(), nowMs);
    assert.deepEqual(
      rows.map((r) => r.workflow),
      ['review'],
    );
    const runs = runsFromMetering(snap.events, sessions, from.getTime(), to.getTime(), nowMs);
    assert.deepEqual(runs.map((r) => [r.kind, r.workflow]).sort(), [
      ['agent_run', 'review'],
      ['session', 'review'],
    ]);

    const estimateRuns = pastRuns(snap.events, sessions);
    assert.deepEqual(
      estimateRuns.map((r) => r.workflow),
      ['review'],
    );

    // The reference server: the same tags and the same usage (no class of its own), read back over HTTP.
    const ok = async (argv: string[]) => {
      const r = await admin(h.dbPath, argv);
      assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
      return r.stdout.trim();
    };
    await ok(['developer', 'add', '--id', 'ana']);
    const token = await ok(['token', 'issue', '--developer', 'ana']);
    await ok(['band', 'set', '--developer', 'ana', '--workflow', 'review', '--allocated-usd', '10']);
    await ok(['band', 'set', '--developer', 'ana', '--workflow', 'deep_coding', '--allocated-usd', '10']);
    const items = sessions.map((x) => ({
      id: x.id,
      workflow: x.workflow,
      started_at: x.start,
      ended_at: x.end,
      tool: { name: 'claude_code', version: '2.1.3' },
    }));
    const tagged = await api({ url: h.url, token }, 'POST', '/v1/me/session-tags', {
      body: { items },
      idempotencyKey: key(),
    });
    assert.equal(tagged.status, 200, tagged.text);
    const file = join(s.dir.path, 'usage.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ developer: 'ana', time: USAGE_AT, provider: 'anthropic', model: 'claude-sonnet-4-5', tokens: 110_000, cost: { currency: 'USD', amount_micros: 450_000 } })}\n`,
    );
    await ok(['usage', 'import', file]);

    const usage = await api(
      { url: h.url, token },
      'GET',
      '/v1/me/usage?from=2026-11-18T09:00:00Z&to=2026-11-18T10:00:00Z&granularity=PT1H&group_by=workflow',
    );
    assert.equal(usage.status, 200, usage.text);
    const groups = (
      usage.json.data as Array<{ results: Array<{ workflow: string; cost: { amount_micros: number } }> }>
    ).flatMap((b) => b.results);
    assert.deepEqual(
      groups.map((g) => [g.workflow, g.cost.amount_micros]),
      [['review', 450_000]],
    );
    const bands = await api({ url: h.url, token }, 'GET', '/v1/me/bands');
    const used = Object.fromEntries(
      (bands.json.bands as Array<{ workflow: string; used: { amount_micros: number } }>).map((b) => [
        b.workflow,
        b.used.amount_micros,
      ]),
    );
    assert.deepEqual(used, { review: 450_000, deep_coding: 0 });
  });
});
