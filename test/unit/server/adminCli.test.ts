// `spend-band admin …` against a real database file (no server needed; the server tests cover the
// effects over HTTP): developers, tokens, seats, bands, rules, policies, usage import, requests.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BandsDocumentSchema } from '../../../src/domain/schemas';
import { admin, DEFAULT_NOW, queryStore } from './serverHarness';

describe('reference server: admin commands', function () {
  this.timeout(30_000);
  let dir: string;
  let db: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'spend-band-admin-'));
    db = join(dir, 'nested', 'server.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const ok = async (argv: string[]) => {
    const r = await admin(db, argv);
    assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
    return r;
  };
  const doc = async (developer: string) =>
    BandsDocumentSchema.parse(JSON.parse((await ok(['band', 'list', '--developer', developer, '--json'])).stdout));

  it("builds a developer's budget from roles, seats, bands, rules and policy", async () => {
    await ok(['developer', 'add', '--id', 'ana', '--name', 'Ana', '--role', 'platform_engineer']);
    await ok([
      'seat',
      'set',
      '--role',
      'platform_engineer',
      '--vendor',
      'github',
      '--product',
      'copilot_business',
      '--monthly-usd',
      '19',
    ]);
    await ok(['band', 'set', '--role', 'platform_engineer', '--workflow', 'deep_coding', '--allocated-usd', '100']);
    await ok([
      'band',
      'set',
      '--developer',
      'ana',
      '--workflow',
      'deep_coding',
      '--allocated-usd',
      '120.50',
      '--thresholds',
      '70,90,100',
      '--timezone',
      'Europe/Berlin',
    ]);
    await ok([
      'band',
      'set',
      '--role',
      'platform_engineer',
      '--workflow',
      'background_automation',
      '--allocated-usd',
      '40',
      '--period',
      'P1W',
      '--enforcement',
      'hard',
    ]);
    await ok([
      'rule',
      'add',
      '--role',
      'platform_engineer',
      '--workflow',
      'background_automation',
      '--action',
      'needs_approval',
      '--estimate-at-least-usd',
      '5',
      '--approver-role',
      'team_lead',
    ]);
    await ok([
      'rule',
      'add',
      '--developer',
      'ana',
      '--workflow',
      'deep_coding',
      '--action',
      'warn',
      '--remaining-percent-after-below',
      '20',
      '--id',
      'ana_low',
    ]);
    await ok(['policy', 'set', '--role', 'platform_engineer', '--per-run-cap-usd', '25', '--max-duration', 'PT2H']);
    const d = await doc('ana');
    assert.equal(d.role.id, 'platform_engineer');
    assert.deepEqual(
      d.seats.map((s) => [s.product, s.cost.amount_micros]),
      [['copilot_business', 19_000_000]],
    );
    const deep = d.bands.find((b) => b.workflow === 'deep_coding')!;
    assert.equal(deep.allocated.amount_micros, 120_500_000, 'the developer band overrides the role band');
    assert.deepEqual(
      deep.thresholds.map((t) => [t.percent, t.severity]),
      [
        [70, 'warn'],
        [90, 'warn'],
        [100, 'critical'],
      ],
    );
    assert.equal(deep.period.timezone, 'Europe/Berlin');
    assert.equal(deep.period.start, '2026-11-01T00:00:00+01:00');
    const bg = d.bands.find((b) => b.workflow === 'background_automation')!;
    assert.equal(bg.period.interval, 'P1W');
    assert.equal(bg.enforcement, 'hard');
    assert.deepEqual(
      d.escalation.rules.map((r) => r.id),
      ['ana_low', 'r1_background_automation_needs_approval'],
      "developer rules first, then the role's",
    );
    assert.equal(d.escalation.per_run_cap?.amount_micros, 25_000_000);
    const list = JSON.parse((await ok(['developer', 'list', '--json'])).stdout);
    assert.deepEqual(
      list.data.map((x: { id: string }) => x.id),
      ['ana'],
    );
  });

  it('prints an issued token alone on stdout, and advice on stderr', async () => {
    await ok(['developer', 'add', '--id', 'ana']);
    const r = await ok(['token', 'issue', '--developer', 'ana']);
    assert.match(r.stdout, /^sbt_[A-Za-z0-9_-]{43}\n$/);
    assert.ok(!r.stderr.includes(r.stdout.trim()));
    const [stored] = await queryStore<{ n: number }>(db, 'SELECT count(*) AS n FROM tokens WHERE hash = ?', [
      r.stdout.trim(),
    ]);
    assert.equal(Number(stored!.n), 0, 'the token itself is not stored');
  });

  it("imports CSV and JSON lines, skips events already present, and counts only the band's period and class", async () => {
    await ok(['developer', 'add', '--id', 'ana']);
    await ok(['band', 'set', '--developer', 'ana', '--workflow', 'review', '--allocated-usd', '10']);
    const csv = join(dir, 'usage.csv');
    writeFileSync(
      csv,
      [
        'developer,time,provider,model,tokens,cost,workflow',
        'ana,2026-11-03T09:00:00Z,anthropic,"claude-sonnet-4-5, long context",1000,0.10,review',
        'ana,2026-11-04T09:00:00Z,anthropic,claude-sonnet-4-5,1000,0.20,review',
        'ana,2026-10-31T23:59:59Z,anthropic,claude-sonnet-4-5,1000,5,review',
        'ana,2026-11-05T09:00:00Z,openai,gpt-5,1000,7,research',
        '',
      ].join('\r\n'),
    );
    const first = await ok(['usage', 'import', csv]);
    assert.match(first.stdout, /imported 4 usage event/);
    const again = await ok(['usage', 'import', csv]);
    assert.match(again.stdout, /imported 0 usage event.*4 already present/);
    const jsonl = join(dir, 'usage.jsonl');
    writeFileSync(
      jsonl,
      [
        JSON.stringify({
          developer: 'ana',
          time: '2026-11-06T10:00:00+01:00',
          provider: 'anthropic',
          model: 'x',
          tokens: { input: 10, output: 5 },
          cost: { currency: 'USD', amount_micros: 300000 },
          workflow: 'review',
        }),
        JSON.stringify({
          developer: 'ana',
          time: '2026-11-07T10:00:00Z',
          provider: 'anthropic',
          model: 'x',
          tokens: 7,
          cost: '0.000001',
          workflow: 'review',
          id: 'evt-1',
        }),
      ].join('\n'),
    );
    assert.match((await ok(['usage', 'import', jsonl, '--json'])).stdout, /"imported": 2/);
    const review = (await doc('ana')).bands.find((b) => b.workflow === 'review')!;
    // 0.10 + 0.20 + 0.30 + 0.000001, exactly: not October, not research.
    assert.equal(review.used.amount_micros, 600_001);
  });

  it('refuses a bad usage file naming the line, and imports nothing from it', async () => {
    await ok(['developer', 'add', '--id', 'ana']);
    const csv = join(dir, 'bad.csv');
    writeFileSync(
      csv,
      'developer,time,provider,model,tokens,cost\nana,2026-11-03T09:00:00Z,anthropic,m,1,0.1\nana,yesterday,anthropic,m,1,0.1\nbob,2026-11-03T09:00:00Z,anthropic,m,1,0.1\n',
    );
    const r = await admin(db, ['usage', 'import', csv]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /line 3: time: expected an ISO 8601 instant/);
    assert.match(r.stderr, /developer "bob" does not exist/);
    assert.match(r.stderr, /Nothing was imported/);
    const [events] = await queryStore<{ n: number }>(db, 'SELECT count(*) AS n FROM usage_events');
    assert.equal(Number(events!.n), 0);
    const missing = await admin(db, ['usage', 'import', join(dir, 'nope.csv')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.csv: ENOENT/);
  });

  it('approves with an amount and an end date, denies with a note, and refuses to decide twice', async () => {
    await ok(['developer', 'add', '--id', 'ana']);
    await ok(['band', 'set', '--developer', 'ana', '--workflow', 'review', '--allocated-usd', '10']);
    const insert =
      "INSERT INTO requests (id, developer_id, kind, status, band_id, body, created_ms, updated_ms) VALUES (?, 'ana', 'band_increase', 'pending', 'b_review', ?, ?, ?)";
    const body = JSON.stringify({
      requested: { delta: { currency: 'USD', amount_micros: 5_000_000 } },
      scope: 'current_period',
      justification: 'x'.repeat(20),
      outcome: { kind: 'faster_review' },
    });
    await queryStore(db, insert, ['req_one', body, DEFAULT_NOW, DEFAULT_NOW]);
    await queryStore(db, insert, ['req_two', body, DEFAULT_NOW, DEFAULT_NOW]);
    const listed = JSON.parse((await ok(['request', 'list', '--status', 'pending', '--json'])).stdout);
    assert.deepEqual(
      listed.data.map((r: { id: string }) => r.id),
      ['req_two', 'req_one'],
    );
    const approved = await ok([
      'request',
      'approve',
      'req_one',
      '--amount-usd',
      '7.5',
      '--until',
      '2026-11-20',
      '--note',
      'release week',
    ]);
    assert.match(approved.stdout, /approved req_one: \+\$7\.50 on b_review of ana until 2026-11-21T00:00:00\.000Z/);
    const review = (await doc('ana')).bands.find((b) => b.workflow === 'review')!;
    assert.equal(review.allocated.amount_micros, 17_500_000);
    assert.equal(review.temporary_increase?.until, '2026-11-21T00:00:00.000Z');
    assert.equal(review.temporary_increase?.request_id, 'req_one');
    const twice = await admin(db, ['request', 'approve', 'req_one']);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /req_one is already approved \(decided .* by lead\); nothing to do/);
    await ok(['request', 'deny', 'req_two', '--note', 'not now']);
    const denied = JSON.parse((await ok(['request', 'list', '--status', 'denied', '--json'])).stdout).data[0];
    assert.equal(denied.resolution.note, 'not now');
    assert.equal(denied.resolution.decided_by.id, 'lead');
    assert.equal((await admin(db, ['request', 'deny', 'req_nope'])).code, 2);
  });

  it('says what to fix for bad input, unknown commands and flags', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['developer', 'add', '--id', 'bad id'], /not a developer id/],
      [['token', 'issue', '--developer', 'ghost'], /no developer "ghost".*developer add/],
      [
        ['band', 'set', '--role', 'r', '--developer', 'd', '--workflow', 'review', '--allocated-usd', '1'],
        /exactly one of --developer/,
      ],
      [
        ['band', 'set', '--developer', 'ghost', '--workflow', 'review', '--allocated-usd', 'lots'],
        /--allocated-usd lots: expected an amount/,
      ],
      [['band', 'set', '--role', 'nobody', '--workflow', 'review', '--allocated-usd', '1'], /no role "nobody"/],
      [['rule', 'add', '--role', 'r', '--workflow', 'review', '--action', 'explode'], /./],
      [['developer', 'remove', '--id', 'x'], /unknown admin command "developer remove"/],
      [['developer', 'add', '--id', 'x', '--colour', 'red'], /unknown flag --colour/],
    ];
    for (const [argv, pattern] of cases) {
      const r = await admin(db, argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, pattern, argv.join(' '));
    }
  });
});
