// Usage of a model without a price in `spend-band report`, through the real bundle (dist/cli.js) in a
// child process on real Claude Code log files in a temp dir: every surface (text, Markdown, JSON, CSV)
// shows it as tokens with "no price", never as $0, and marks sums that mix priced and unpriced usage
// as lower bounds.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decimalToMicros } from '../../../src/domain/money';
import { runDistCli as spendBand } from '../distCli';

/** A Claude Code assistant line as current versions write it. */
function assistantLine(o: {
  session: string;
  n: number;
  model: string;
  timestamp: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}): string {
  return JSON.stringify({
    parentUuid: null,
    isSidechain: false,
    userType: 'external',
    cwd: '/home/dana/shop',
    sessionId: o.session,
    version: '2.0.31',
    type: 'assistant',
    uuid: `u-${o.session}-${o.n}`,
    timestamp: o.timestamp,
    requestId: `req_${o.session}_${o.n}`,
    message: {
      id: `msg_${o.session}_${o.n}`,
      type: 'message',
      role: 'assistant',
      model: o.model,
      content: [{ type: 'text', text: 'ok' }],
      stop_reason: 'end_turn',
      usage: {
        input_tokens: o.input,
        output_tokens: o.output,
        cache_read_input_tokens: o.cacheRead,
        cache_creation_input_tokens: o.cacheWrite,
        cache_creation: { ephemeral_5m_input_tokens: o.cacheWrite, ephemeral_1h_input_tokens: 0 },
        service_tier: 'standard',
      },
    },
  });
}

const PRICED = 'claude-sonnet-4-5'; // $3 / M input, $15 / M output, $0.30 / M cache read, $3.75 / M cache write
const UNPRICED = 'claude-nonesuch-9';

describe('spend-band report: usage without a price (dist/cli.js)', function () {
  this.timeout(120_000);
  let dir: string;
  let args: string[];
  let env: NodeJS.ProcessEnv;
  let month: string;
  let day3: string;
  let day4: string;
  let unpricedTokens: number;
  let pricedMicros: number;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-report-unpriced-'));
    // the month before this one: a whole month in the past, whatever day the test runs on
    const now = new Date();
    const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    month = first.toISOString().slice(0, 7);
    day3 = `${month}-03`;
    day4 = `${month}-04`;
    const project = join(dir, 'claude', 'projects', '-home-dana-shop');
    mkdirSync(project, { recursive: true });
    // "mixed": two priced requests and one without a price on day 3
    writeFileSync(
      join(project, 'mixed.jsonl'),
      [
        assistantLine({
          session: 'mixed',
          n: 1,
          model: PRICED,
          timestamp: `${day3}T10:00:00.000Z`,
          input: 100_000,
          output: 10_000,
          cacheRead: 0,
          cacheWrite: 0,
        }),
        assistantLine({
          session: 'mixed',
          n: 2,
          model: PRICED,
          timestamp: `${day3}T10:05:00.000Z`,
          input: 50_000,
          output: 2_000,
          cacheRead: 0,
          cacheWrite: 0,
        }),
        assistantLine({
          session: 'mixed',
          n: 3,
          model: UNPRICED,
          timestamp: `${day3}T10:10:00.000Z`,
          input: 40_000,
          output: 5_000,
          cacheRead: 300_000,
          cacheWrite: 20_000,
        }),
      ].join('\n') + '\n',
    );
    // "dark": only requests without a price, on day 4
    writeFileSync(
      join(project, 'dark.jsonl'),
      [
        assistantLine({
          session: 'dark',
          n: 1,
          model: UNPRICED,
          timestamp: `${day4}T09:00:00.000Z`,
          input: 200_000,
          output: 30_000,
          cacheRead: 1_000_000,
          cacheWrite: 0,
        }),
        assistantLine({
          session: 'dark',
          n: 2,
          model: UNPRICED,
          timestamp: `${day4}T09:30:00.000Z`,
          input: 10_000,
          output: 1_000,
          cacheRead: 0,
          cacheWrite: 5_000,
        }),
      ].join('\n') + '\n',
    );
    unpricedTokens = 40_000 + 5_000 + 300_000 + 20_000 + (200_000 + 30_000 + 1_000_000) + (10_000 + 1_000 + 5_000);
    // priced by hand from the public Sonnet 4.5 rates: 150 000 input × $3/M + 12 000 output × $15/M
    pricedMicros = 150_000 * 3 + 12_000 * 15;
    mkdirSync(join(dir, 'empty'));
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({ currency: 'USD', timezone: 'UTC', bands: [{ workflow: 'all', allocated_usd: 100 }] }),
    );
    args = [
      '--source',
      'local',
      '--config',
      config,
      '--claude-dir',
      join(dir, 'claude'),
      '--codex-dir',
      join(dir, 'empty'),
      '--period',
      month,
    ];
    env = {
      PATH: process.env.PATH,
      HOME: dir,
      XDG_CONFIG_HOME: join(dir, 'config'),
      SPEND_BAND_CACHE: join(dir, 'cache'),
      SPEND_BAND_VSCODE_USER_DIR: join(dir, 'no-editor'),
    };
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('JSON: null where nothing is priced, a flagged lower bound where part is, tokens and requests beside', async () => {
    const run = await spendBand(['report', ...args, '--format', 'json'], env);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.source.usage, 'local_logs');

    const byModel = new Map(report.by_model.map((r: { key: string }) => [r.key, r]));
    assert.deepEqual(byModel.get(UNPRICED), {
      key: UNPRICED,
      label: UNPRICED,
      spend: { amount: null, currency: 'USD', lower_bound: false },
      requests: 3,
      unpriced_requests: 3,
      unpriced_tokens: unpricedTokens,
    });
    assert.deepEqual(byModel.get(PRICED), {
      key: PRICED,
      label: PRICED,
      spend: { amount: (pricedMicros / 1e6).toString(), currency: 'USD', lower_bound: false },
      requests: 2,
      unpriced_requests: 0,
      unpriced_tokens: 0,
    });

    assert.deepEqual(report.totals, {
      spend: { amount: (pricedMicros / 1e6).toString(), currency: 'USD', lower_bound: true },
      requests: 5,
      unpriced_requests: 3,
      unpriced_tokens: unpricedTokens,
    });
    assert.equal(report.bill.usage.lower_bound, true);
    assert.equal(decimalToMicros(report.bill.usage.amount), pricedMicros);
    assert.equal(report.bill.total.lower_bound, true);
    assert.equal(report.bill.unpriced_tokens, unpricedTokens);

    const days = new Map(report.daily.map((d: { date: string }) => [d.date, d]));
    assert.deepEqual(days.get(day4), {
      date: day4,
      spend: { amount: null, currency: 'USD', lower_bound: false },
      requests: 2,
      unpriced_requests: 2,
      unpriced_tokens: 1_246_000,
    });
    assert.equal((days.get(day3) as { spend: { lower_bound: boolean } }).spend.lower_bound, true);

    const runs = new Map(report.agent_runs.map((r: { id: string }) => [r.id, r]));
    const dark = runs.get('dark') as { spend: unknown; unpriced_tokens: number };
    assert.deepEqual(dark.spend, { amount: null, currency: 'USD', lower_bound: false });
    assert.equal(dark.unpriced_tokens, 1_246_000);
    const mixed = runs.get('mixed') as { spend: { amount: string; lower_bound: boolean } };
    assert.equal(decimalToMicros(mixed.spend.amount), pricedMicros);
    assert.equal(mixed.spend.lower_bound, true);

    const band = report.bands[0];
    assert.equal(band.current, false, 'last month is a past period of the monthly band');
    assert.equal(decimalToMicros(band.used.amount), pricedMicros);
    assert.equal(band.used.lower_bound, true);
    assert.equal(band.unpriced_requests, 3);
    // Everywhere in the document: a figure with unpriced usage behind it is null or a flagged lower bound.
    let checked = 0;
    const walk = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if (typeof o.unpriced_requests === 'number' && o.unpriced_requests > 0) {
        const money = (o.spend ?? o.used ?? o.usage) as { amount: string | null; lower_bound: boolean };
        assert.ok(money.amount === null || money.lower_bound, JSON.stringify(o));
        checked++;
      }
      for (const value of Object.values(o)) walk(value);
    };
    walk(report);
    assert.ok(checked >= 10, `${checked} figures with unpriced usage checked`);
  });

  it('text and Markdown: "no price" with the tokens, "at least" on mixed sums, never $0.00', async () => {
    const text = await spendBand(['report', ...args], env);
    assert.equal(text.code, 0, text.stderr);
    const modelLine = text.stdout.split('\n').find((l) => l.includes(UNPRICED))!;
    assert.match(modelLine, /no price \(1\.6M tokens\)/);
    assert.doesNotMatch(modelLine, /\$0\.00/);
    const priced = `$${(pricedMicros / 1e6).toFixed(2)}`;
    assert.ok(
      text.stdout.includes(
        `usage at least ${priced} (+1.6M tokens, no price) = at least ${priced} (+1.6M tokens, no price)`,
      ),
      text.stdout,
    );
    const darkLine = text.stdout.split('\n').find((l) => l.includes('· dark'))!;
    assert.match(darkLine, /no price \(1\.2M tokens\)/);
    assert.doesNotMatch(text.stdout, /\+\?/);
    assert.match(text.stdout, /3 request\(s\) \(1611000 tokens\) used models without a price/);

    const md = await spendBand(['report', ...args, '--format', 'md'], env);
    assert.match(md.stdout, new RegExp(`\\| ${UNPRICED} \\| no price \\(1\\.6M tokens\\) \\| — \\| 3 \\|`));
  });

  it('CSV: an empty amount and the unpriced columns filled, never 0', async () => {
    const run = await spendBand(['report', ...args, '--format', 'csv'], env);
    assert.equal(run.code, 0, run.stderr);
    const [head, ...rows] = run.stdout
      .trimEnd()
      .split('\r\n')
      .map((l) => l.split(','));
    const col = (name: string) => head!.indexOf(name);
    assert.ok(col('unpriced_requests') > 0 && col('unpriced_tokens') > 0, head!.join(','));
    const model = rows.find((r) => r[0] === 'model' && r[1] === UNPRICED)!;
    assert.equal(model[col('amount')], '');
    assert.equal(model[col('unpriced_requests')], '3');
    assert.equal(model[col('unpriced_tokens')], String(unpricedTokens));
    const day = rows.find((r) => r[0] === 'day' && r[1] === day4)!;
    assert.equal(day[col('amount')], '');
    assert.equal(day[col('unpriced_tokens')], '1246000');
    const usage = rows.find((r) => r[0] === 'bill' && r[1] === 'usage')!;
    assert.equal(decimalToMicros(usage[col('amount')]!), pricedMicros);
    assert.equal(usage[col('unpriced_requests')], '3');
    const pricedRow = rows.find((r) => r[0] === 'model' && r[1] === PRICED)!;
    assert.equal(pricedRow[col('unpriced_requests')], '', 'a priced row has nothing unpriced');
  });
});
