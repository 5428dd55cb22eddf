// `spend-band report` end to end in plain Node: against the reference server with demo data on
// 127.0.0.1, and against local bands with real Claude Code logs in a temp dir.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { decimalToMicros } from '../../../src/domain/money';
import { startServer, type RunningServer } from '../../../src/server/main';

const NOW = new Date('2026-11-18T10:00:00Z');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    env,
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    now: () => NOW,
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

/** One Claude Code assistant line with its usage (sonnet: $3 / M input, $15 / M output). */
function claudeLine(sessionId: string, timestamp: string, input: number, output: number, n: number): string {
  return JSON.stringify({
    type: 'assistant',
    sessionId,
    cwd: '/home/dana/shop',
    timestamp,
    requestId: `req_${sessionId}_${n}`,
    message: {
      id: `msg_${sessionId}_${n}`,
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [],
      usage: { input_tokens: input, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  });
}

describe('spend-band report', function () {
  this.timeout(60_000);
  let dir: string;
  let server: RunningServer;
  let env: NodeJS.ProcessEnv;
  let noLogs: string[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-report-'));
    server = await startServer({
      dbPath: join(dir, 'server.db'),
      port: 0,
      demo: true,
      now: () => NOW,
      log: () => undefined,
    });
    mkdirSync(join(dir, 'empty'));
    noLogs = ['--claude-dir', join(dir, 'empty'), '--codex-dir', join(dir, 'empty'), '--cache-dir', join(dir, 'cache')];
    env = { SPEND_BAND_TOKEN: server.demoToken ?? '', SPEND_BAND_CONFIG: join(dir, 'none.json') };
  });

  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the demo month from the endpoint: the bands’ figures and a breakdown that adds up', async () => {
    const run = await cli(['report', '--endpoint', server.url, '--format', 'json', ...noLogs], env);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.window.key, '2026-11');
    assert.equal(report.source.usage, 'endpoint');
    const status = JSON.parse(
      (await cli(['status', '--endpoint', server.url, '--json', '--cache-dir', join(dir, 'cache')], env)).stdout,
    );
    assert.equal(report.bands.length, status.bands.length);
    for (const band of status.bands) {
      const mine = report.bands.find((b: { id: string }) => b.id === band.id);
      assert.equal(decimalToMicros(mine.used.amount), band.used.amount_micros, `${band.id} used`);
      assert.equal(decimalToMicros(mine.allocated.amount), band.allocated.amount_micros, `${band.id} allocated`);
      const last = mine.cumulative[mine.cumulative.length - 1];
      assert.equal(
        decimalToMicros(last.spend),
        band.used.amount_micros,
        `${band.id}: the drawn history ends at the band's figure`,
      );
    }
    const byClass = report.by_workflow.reduce(
      (a: number, r: { spend: { amount: string } }) => a + decimalToMicros(r.spend.amount),
      0,
    );
    assert.equal(byClass, decimalToMicros(report.totals.spend.amount));
    const daily = report.daily.reduce(
      (a: number, r: { spend: { amount: string } }) => a + decimalToMicros(r.spend.amount),
      0,
    );
    assert.equal(daily, byClass, 'days and classes add up to the same total');
    assert.equal(decimalToMicros(report.bill.seats_total.amount), 49_000_000, 'two demo seats, $19 + $30');
  });

  it('prints text, Markdown and CSV of the same month', async () => {
    const text = await cli(['report', '--endpoint', server.url, ...noLogs], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Spend report — November 2026 \(UTC\)\nDana Demo · Backend engineer/);
    assert.match(text.stdout, /Research .* exceeded/);
    const md = await cli(['report', '--endpoint', server.url, '--format', 'md', ...noLogs], env);
    assert.match(md.stdout, /^# Spend report — November 2026\n/);
    const csv = await cli(['report', '--endpoint', server.url, '--format', 'csv', ...noLogs], env);
    const lines = csv.stdout.trimEnd().split('\r\n');
    assert.equal(
      lines[0],
      'section,key,label,workflow,start,end,amount,allocated,currency,requests,status,outlier,unpriced_requests,unpriced_tokens',
    );
    assert.equal(lines.filter((l) => l.startsWith('day,')).length, 30);
  });

  it('reports a past month with --period', async () => {
    const run = await cli(
      ['report', '--endpoint', server.url, '--period', '2026-10', '--format', 'json', ...noLogs],
      env,
    );
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.window.label, 'October 2026');
    assert.ok(report.bands.every((b: { current: boolean; forecast: unknown }) => !b.current && b.forecast === null));
    assert.ok(decimalToMicros(report.totals.spend.amount) > 0, 'the demo seeds 30 days of history');
  });

  it('reports local bands from the agent logs, with the runaway session marked', async () => {
    const logs = join(dir, 'claude');
    mkdirSync(join(logs, 'projects', 'shop'), { recursive: true });
    // six ordinary sessions of one request, and one of ten requests each 1.5 × as large (15 × the cost)
    for (let i = 0; i < 6; i++)
      writeFileSync(
        join(logs, 'projects', 'shop', `s${i}.jsonl`),
        `${claudeLine(`s${i}`, `2026-11-0${i + 2}T10:00:00Z`, 100_000, 20_000, 0)}\n`,
      );
    writeFileSync(
      join(logs, 'projects', 'shop', 'big.jsonl'),
      `${[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => claudeLine('big', `2026-11-10T1${n}:00:00Z`, 150_000, 30_000, n)).join('\n')}\n`,
    );
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({ currency: 'USD', timezone: 'UTC', bands: [{ workflow: 'all', allocated_usd: 100 }] }),
    );
    const run = await cli(
      [
        'report',
        '--source',
        'local',
        '--config',
        config,
        '--claude-dir',
        logs,
        '--codex-dir',
        join(dir, 'empty'),
        '--cache-dir',
        join(dir, 'cache'),
        '--format',
        'json',
      ],
      env,
    );
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.source.usage, 'local_logs');
    const runs = report.agent_runs as { id: string; outlier: boolean; spend: { amount: string } }[];
    assert.equal(runs.length, 7);
    assert.equal(runs[0]!.id, 'big');
    const small = decimalToMicros(runs[1]!.spend.amount);
    assert.ok(small > 0, 'the model is priced');
    assert.equal(decimalToMicros(runs[0]!.spend.amount), 15 * small);
    assert.equal(decimalToMicros(report.totals.spend.amount), 21 * small, 'six small runs and the big one');
    assert.equal(report.bands[0].used.amount, report.totals.spend.amount, 'the local band counts the metered usage');
    assert.equal(runs[0]!.outlier, true);
    assert.equal(runs.filter((r) => r.outlier).length, 1);
    assert.deepEqual(
      report.by_agent.map((r: { key: string }) => r.key),
      ['claude_code'],
    );
    assert.match(run.stderr, /no --sessions FILE/);
  });

  it('refuses a malformed --period and an unknown --format with exit 2', async () => {
    const period = await cli(['report', '--period', '2026-13', ...noLogs], env);
    assert.equal(period.code, 2);
    assert.match(period.stderr, /--period must be a month like 2026-11/);
    const format = await cli(['report', '--format', 'pdf', ...noLogs], env);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /text, md, json, csv/);
  });

  it('exits 3 with what to do when the endpoint cannot be reached and nothing is cached', async () => {
    const run = await cli(
      [
        'report',
        '--endpoint',
        'http://127.0.0.1:1',
        '--timeout',
        '5',
        ...noLogs.slice(0, 4),
        '--cache-dir',
        join(dir, 'cache-empty'),
      ],
      env,
    );
    assert.equal(run.code, 3);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /refused/);
    assert.doesNotMatch(run.stderr, new RegExp(server.demoToken ?? 'no-token'));
  });
});
