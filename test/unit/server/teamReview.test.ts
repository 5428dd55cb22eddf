// The team review over real HTTP and the admin CLI, on both engines: who may see it (a developer token
// gets 403; another team's admin sees nothing of this team), and every figure of a small team checked
// against totals worked out by hand (in the comments), exact in micros.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEngines } from './postgresKit';
import { admin, api, assertProblem, key, startHarness, usd, type Harness } from './serverHarness';

const NOV = (day: number, hour = 10) =>
  Date.parse(`2026-11-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`);
const $ = (amount: number) => Math.round(amount * 1_000_000);

describeEngines('reference server: team review', function (engine) {
  this.timeout(120_000);
  let h: Harness;
  let adminToken: string;
  let betaAdmin: string;
  let aliceToken: string;
  let approvedId: string;

  const run = async (argv: string[], nowMs = NOV(2)) => {
    const r = await admin(h.dbPath, argv, nowMs);
    assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    h = await startHarness({ engine, demo: false, nowMs: NOV(2) });
    // Team alpha: five engineers (seat $19 + $30 = $49 a month; bands deep_coding $100, review $40), one ops ($19; an `all` band of $50).
    for (const id of ['alice', 'bob', 'carol', 'dave', 'erin'])
      await run(['developer', 'add', '--id', id, '--role', 'eng', '--team', 'alpha']);
    await run(['developer', 'add', '--id', 'oscar', '--role', 'ops', '--team', 'alpha']);
    // Team beta: one engineer, the same role (so the role's bands and seats are shared, the team is not).
    await run(['developer', 'add', '--id', 'beth', '--role', 'eng', '--team', 'beta']);
    await run([
      'seat',
      'set',
      '--role',
      'eng',
      '--vendor',
      'github',
      '--product',
      'copilot_business',
      '--monthly-usd',
      '19',
    ]);
    await run([
      'seat',
      'set',
      '--role',
      'eng',
      '--vendor',
      'anthropic',
      '--product',
      'claude_team',
      '--monthly-usd',
      '30',
    ]);
    await run([
      'seat',
      'set',
      '--role',
      'ops',
      '--vendor',
      'github',
      '--product',
      'copilot_business',
      '--monthly-usd',
      '19',
    ]);
    await run(['band', 'set', '--role', 'eng', '--workflow', 'deep_coding', '--allocated-usd', '100']);
    await run(['band', 'set', '--role', 'eng', '--workflow', 'review', '--allocated-usd', '40']);
    await run(['band', 'set', '--role', 'ops', '--workflow', 'all', '--allocated-usd', '50']);
    const events = [
      ['alice', NOV(3), 'deep_coding', '10.00'],
      ['alice', NOV(10), 'deep_coding', '12.50'],
      ['bob', NOV(5), 'deep_coding', '20.00'],
      ['carol', NOV(20), 'deep_coding', '18.00'],
      ['carol', NOV(21), 'review', '2.25'],
      ['dave', NOV(25), 'deep_coding', '100.00'],
      ['dave', NOV(26), 'deep_coding', '30.00'],
      ['dave', NOV(27), 'deep_coding', '20.00'],
      ['oscar', NOV(28), 'review', '1.00'],
      ['beth', NOV(10), 'deep_coding', '500.00'],
      // October and December: outside the November review
      ['alice', Date.parse('2026-10-31T23:59:00Z'), 'deep_coding', '7.00'],
      ['bob', Date.parse('2026-12-01T00:00:00Z'), 'deep_coding', '9.00'],
    ];
    const file = join(h.dir, 'usage.jsonl');
    writeFileSync(
      file,
      events
        .map(([developer, t, workflow, cost]) =>
          JSON.stringify({
            developer,
            time: new Date(t as number).toISOString(),
            provider: 'anthropic',
            model: 'claude-sonnet-4-5',
            workflow,
            cost,
          }),
        )
        .join('\n'),
    );
    await run(['usage', 'import', file]);
    adminToken = (await run(['token', 'issue', '--developer', 'alice', '--scopes', 'team:review'])).trim();
    betaAdmin = (await run(['token', 'issue', '--developer', 'beth', '--scopes', 'team:review'])).trim();
    aliceToken = (await run(['token', 'issue', '--developer', 'alice'])).trim();
    const bobToken = (await run(['token', 'issue', '--developer', 'bob'])).trim();
    const carolToken = (await run(['token', 'issue', '--developer', 'carol'])).trim();

    // Three increase requests in November: approved (with a result recorded), denied, pending.
    h.clock.ms = NOV(12);
    const ask = (token: string, outcome: Record<string, unknown>) =>
      api({ url: h.url, token }, 'POST', '/v1/me/requests', {
        idempotencyKey: key(),
        body: {
          band_id: 'b_deep_coding',
          requested: { delta: usd(50) },
          scope: 'current_period',
          justification: 'Release month: the payment migration.',
          outcome,
        },
      });
    const approved = await ask(aliceToken, {
      kind: 'shorter_lead_time',
      metric: 'lead time for changes',
      baseline: 4,
      target: 2.5,
      unit: 'd',
      review_at: '2026-11-30',
    });
    assert.equal(approved.status, 201, approved.text);
    approvedId = approved.json.id as string;
    const denied = await ask(bobToken, { kind: 'fewer_incidents', target: 0, review_at: '2026-12-15' });
    const pending = await ask(carolToken, { kind: 'other', metric: 'spike done', review_at: '2026-12-20' });
    await run(['request', 'approve', approvedId, '--note', 'go'], NOV(13));
    await run(['request', 'deny', denied.json.id as string, '--note', 'not now'], NOV(13));
    assert.equal(pending.status, 201);
    await run(['request', 'outcome', approvedId, '--result', 'lead time 4 d → 2.5 d'], NOV(30));
    h.clock.ms = Date.parse('2026-12-02T09:00:00Z');
  });
  after(async () => {
    await h.close();
  });

  it('refuses a developer token (403) and no token (401)', async () => {
    assertProblem(
      await api({ url: h.url, token: aliceToken }, 'GET', '/v1/team/review?period=month'),
      403,
      'permission',
    );
    assertProblem(await api({ url: h.url, token: aliceToken }, 'GET', '/v1/team/review.html'), 403, 'permission');
    assertProblem(
      await api({ url: h.url, token: '' }, 'GET', '/v1/team/review', { token: null }),
      401,
      'authentication',
    );
  });

  it("shows another team's admin nothing of this team", async () => {
    const beta = await api({ url: h.url, token: betaAdmin }, 'GET', '/v1/team/review?period=month&date=2026-11-15');
    assert.equal(beta.status, 200);
    assert.equal(beta.json.team, 'beta');
    assert.deepEqual(
      beta.json.developers.map((d: { developerId: string }) => d.developerId),
      ['beth'],
    );
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'oscar', approvedId])
      assert.ok(!beta.text.includes(name), `${name} leaked into beta's review`);
    assert.equal(beta.json.totals.usageMicros, $(500));
    assertProblem(await api({ url: h.url, token: betaAdmin }, 'GET', '/v1/team/review?team=alpha'), 403, 'permission');
    const html = await api({ url: h.url, token: betaAdmin }, 'GET', '/v1/team/review.html?date=2026-11-15');
    assert.equal(html.status, 200);
    for (const name of ['alice', 'dave', 'oscar']) assert.ok(!html.text.includes(name));
  });

  it('bills seats and usage per developer and role against the baseline, to the micro', async () => {
    const r = await api({ url: h.url, token: adminToken }, 'GET', '/v1/team/review?period=month&date=2026-11-15');
    assert.equal(r.status, 200, r.text);
    const review = r.json;
    assert.equal(review.team, 'alpha');
    assert.equal(review.start, '2026-11-01T00:00:00.000Z');
    assert.equal(review.end, '2026-12-01T00:00:00.000Z');
    // seats 5 × $49 + $19 = $264; usage 22.50 + 20 + 18 + 2.25 + 150 + 0 + 1 = $213.75; total $477.75
    // baseline: eng 5 × (49 + 100 + 40) = $945, ops 19 + 50 = $69 → $1,014
    assert.deepEqual(review.totals, {
      seatMicros: $(264),
      usageMicros: $(213.75),
      totalMicros: $(477.75),
      baselineMicros: $(1014),
      developers: 6,
    });
    const dave = review.developers.find((d: { developerId: string }) => d.developerId === 'dave');
    assert.deepEqual(
      {
        seat: dave.seatMicros,
        usage: dave.usageMicros,
        total: dave.totalMicros,
        baseline: dave.baselineMicros,
        over: dave.overBaselineMicros,
      },
      { seat: $(49), usage: $(150), total: $(199), baseline: $(189), over: $(10) },
    );
    assert.deepEqual(review.roles, [
      {
        role: 'eng',
        developers: 5,
        seatMicros: $(245),
        usageMicros: $(212.75),
        totalMicros: $(457.75),
        baselineMicros: $(945),
        overBaselineMicros: $(457.75 - 945),
      },
      {
        role: 'ops',
        developers: 1,
        seatMicros: $(19),
        usageMicros: $(1),
        totalMicros: $(20),
        baselineMicros: $(69),
        overBaselineMicros: $(20 - 69),
      },
    ]);
  });

  it('lists idle and barely used seats with their cost', async () => {
    const review = (await api({ url: h.url, token: adminToken }, 'GET', '/v1/team/review?period=month&date=2026-11-15'))
      .json;
    // erin: no usage (idle, $49); oscar: $1 < 10 % of $19 (barely used)
    assert.deepEqual(
      review.idleSeats.map((s: { developerId: string; state: string; seatMicros: number; usageMicros: number }) => [
        s.developerId,
        s.state,
        s.seatMicros,
        s.usageMicros,
      ]),
      [
        ['erin', 'idle', $(49), 0],
        ['oscar', 'barely_used', $(19), $(1)],
      ],
    );
    assert.equal(review.idleSeatMicros, $(68));
  });

  it('compares each class with its bands and the last week with the week before, and names the drifting one', async () => {
    const review = (await api({ url: h.url, token: adminToken }, 'GET', '/v1/team/review?period=month&date=2026-11-15'))
      .json;
    const deep = review.classes.find((c: { workflow: string }) => c.workflow === 'deep_coding');
    // spend 22.5 + 20 + 18 + 150 = $210.50 of 5 × $100; last 7 days (Nov 24–30) $150, the 7 before $18
    assert.deepEqual(
      [
        deep.spendMicros,
        deep.bandMicros,
        deep.percentOfBand,
        deep.lastWeekMicros,
        deep.previousWeekMicros,
        deep.weekOverWeekPercent,
        deep.drifting,
      ],
      [$(210.5), $(500), 42.1, $(150), $(18), 733.3, true],
    );
    const review_ = review.classes.find((c: { workflow: string }) => c.workflow === 'review');
    // $3.25 of 5 × $40; $1 in the last week, $2.25 the week before: no drift
    assert.deepEqual(
      [review_.spendMicros, review_.bandMicros, review_.lastWeekMicros, review_.previousWeekMicros, review_.drifting],
      [$(3.25), $(200), $(1), $(2.25), false],
    );
  });

  it('finds the outlier within role and class by the robust rule, with the largest runs', async () => {
    const review = (await api({ url: h.url, token: adminToken }, 'GET', '/v1/team/review?period=month&date=2026-11-15'))
      .json;
    // eng deep_coding spends 22.5, 20, 18, 150, 0: median 20, MAD 2.5 → threshold max(20 + 3 × 1.4826 × 2.5, 2 × 20) = $40
    assert.equal(review.outliers.length, 1);
    const o = review.outliers[0];
    assert.deepEqual(
      [o.developerId, o.role, o.workflow, o.spendMicros, o.roleMedianMicros, o.thresholdMicros, o.peers],
      ['dave', 'eng', 'deep_coding', $(150), $(20), $(40), 5],
    );
    assert.deepEqual(
      o.largestRuns.map((x: { costMicros: number; startMs: number }) => [x.costMicros, x.startMs]),
      [
        [$(100), NOV(25)],
        [$(30), NOV(26)],
        [$(20), NOV(27)],
      ],
    );
  });

  it('lists the increase requests of the period with the promised outcome, review date and recorded result', async () => {
    const review = (await api({ url: h.url, token: adminToken }, 'GET', '/v1/team/review?period=month&date=2026-11-15'))
      .json;
    assert.deepEqual(
      [review.requests.approved.length, review.requests.denied.length, review.requests.pending.length],
      [1, 1, 1],
    );
    const a = review.requests.approved[0];
    assert.equal(a.id, approvedId);
    assert.equal(a.approvedMicros, $(50));
    assert.equal(a.reviewAt, '2026-11-30');
    assert.equal(a.outcome.metric, 'lead time for changes');
    assert.equal(a.resultRecorded, true);
    assert.equal(a.result.text, 'lead time 4 d → 2.5 d');
    assert.equal(review.requests.denied[0].resultRecorded, false);
  });

  it('prints the same review from the admin CLI as Markdown, CSV and JSON', async () => {
    const json = JSON.parse(
      await run(
        ['review', '--period', 'month', '--team', 'alpha', '--date', '2026-11-15', '--format', 'json'],
        Date.parse('2026-12-02T09:00:00Z'),
      ),
    );
    const http = (await api({ url: h.url, token: adminToken }, 'GET', '/v1/team/review?period=month&date=2026-11-15'))
      .json;
    assert.deepEqual({ ...json, generatedAt: '' }, { ...http, generatedAt: '' });
    const md = await run(
      ['review', '--period', 'month', '--team', 'alpha', '--date', '2026-11-15'],
      Date.parse('2026-12-02T09:00:00Z'),
    );
    assert.match(md, /# Team review: alpha, month 2026-11-01 – 2026-11-30/);
    assert.match(md, /\*\*\$477\.75\*\* against a baseline of \$1,014\.00/);
    assert.match(md, /\| dave \| eng \| deep_coding \| \$150\.00 \| \$20\.00 \| \$40\.00 \|/);
    const csv = await run(
      ['review', '--period', 'month', '--team', 'alpha', '--date', '2026-11-15', '--format', 'csv'],
      Date.parse('2026-12-02T09:00:00Z'),
    );
    assert.match(csv, /^section,key,role,class,seat,usage,total,baseline,detail\n/);
    assert.match(csv, /\ndeveloper,dave,eng,,49,150,199,189,\n/);
    const bad = await admin(h.dbPath, ['review', '--period', 'year']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--period year: use week or month/);
  });

  it('refuses to record a result for a request that is not an approved increase', async () => {
    const pendingId = (
      await api({ url: h.url, token: adminToken }, 'GET', '/v1/team/review?period=month&date=2026-11-15')
    ).json.requests.pending[0].id as string;
    const r = await admin(h.dbPath, ['request', 'outcome', pendingId, '--result', 'done']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /a result is recorded only for an approved band increase/);
  });
});
