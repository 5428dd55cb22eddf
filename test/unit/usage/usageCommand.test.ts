// `spend-band usage` (docs/contract/cli.md): the real bundle in a child process on real log files,
// and flag errors through main().
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { scanThreads } from '../../../src/cli/localMeter';
import { main } from '../../../src/cli/main';
import { DIST_CLI as CLI, runDistCli, type DistRun as Run } from '../distCli';
import { claudeLine, codex, fixturePath, rolloutName, setup, usage, writeLines, type MeterSetup } from './usageTestKit';

/** `spend-band usage …` through the real bundle. */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return runDistCli(['usage', ...args], env);
}

async function runMain(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(['usage', ...args], {
    env,
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    now: () => new Date('2026-11-28T12:00:00Z'),
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

describe('cli: spend-band usage', function () {
  this.timeout(120_000);
  let s: MeterSetup;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    s = setup();
    const claudeFile = join(s.claude, 'projects', '-home-dev-shop-api', '7f3c2a10-5b6e-4d2a-9c1e-0a8b7c6d5e4f.jsonl');
    mkdirSync(join(claudeFile, '..'), { recursive: true });
    copyFileSync(fixturePath('claude-session.jsonl'), claudeFile);
    const rollout = 'rollout-2026-11-02T11-00-00-0199a3c1-2b4d-7e6f-8a9b-0c1d2e3f4a5b.jsonl';
    mkdirSync(join(s.codexHome, 'sessions', '2026', '11', '02'), { recursive: true });
    copyFileSync(fixturePath(rollout), join(s.codexHome, 'sessions', '2026', '11', '02', rollout));
    const l = usage(10, 0, 5, 0);
    writeLines(join(s.codexHome, 'archived_sessions', rolloutName('99999999-1111-2222-3333-444444444444')), [
      codex.turn('2026-11-05T09:00:00Z', 'gpt-4.1'),
      codex.tokens('2026-11-05T09:00:10Z', l, l),
    ]);
    writeLines(join(s.claude, 'projects', 'other', 'x.jsonl'), [
      claudeLine({
        msgId: 'u1',
        requestId: 'u1',
        model: 'claude-mystery-5',
        timestamp: '2026-11-05T10:00:00Z',
        input: 7,
        output: 3,
      }),
    ]);
    // Only what the flags say: no real home, no config, a cache in the temp dir.
    env = {
      PATH: process.env.PATH,
      HOME: s.dir.path,
      XDG_CONFIG_HOME: join(s.dir.path, 'config'),
      SPEND_BAND_CACHE: join(s.dir.path, 'cache'),
    };
  });
  afterEach(() => s.dir.remove());

  it('--json: totals, rows per day, skipped lines, unpriced models (the contract shape)', async function () {
    if (!existsSync(CLI)) this.skip();
    const r = await run(['--json', '--timezone', 'UTC', '--claude-dir', s.claude, '--codex-dir', s.codexHome], env);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out).slice(0, 6), ['from', 'to', 'time_zone', 'by', 'totals', 'rows']);
    assert.equal(out.from, '2026-11-02');
    assert.equal(out.to, '2026-11-05');
    // fixture Claude (10/685/31600/1200) + fixture Codex (1900/1050/4200) + gpt-4.1 (10/5) + unpriced (7/3)
    assert.deepEqual(out.totals.tokens, {
      input: 10 + 1900 + 10 + 7,
      output: 685 + 1050 + 5 + 3,
      cache_read: 31600 + 4200,
      cache_write: 1200,
      cache_write_1h: 0,
    });
    assert.deepEqual(out.totals.cost, { currency: 'USD', amount_micros: 57945 + 13400 + 10 * 2 + 5 * 8 });
    assert.equal(out.totals.events, 8);
    assert.deepEqual(
      out.rows.map((row: { key: string; events: number; unpriced_events: number }) => [
        row.key,
        row.events,
        row.unpriced_events,
      ]),
      [
        ['2026-11-02', 6, 0],
        ['2026-11-05', 2, 1],
      ],
    );
    assert.equal(out.skipped_lines, 2);
    assert.deepEqual(out.unpriced_models, [
      {
        model: 'claude-mystery-5',
        tokens: { input: 7, output: 3, cache_read: 0, cache_write: 0, cache_write_1h: 0 },
        events: 1,
      },
    ]);
    assert.equal(out.totals.unpriced_events, 1);
    assert.equal(r.stderr, '');
  });

  it('--json: a row whose usage has no price shows amount_micros null and its unpriced events, never $0', async function () {
    if (!existsSync(CLI)) this.skip();
    const r = await run(
      ['--json', '--by', 'model', '--timezone', 'UTC', '--claude-dir', s.claude, '--codex-dir', s.codexHome],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const row = JSON.parse(r.stdout).rows.find((x: { key: string }) => x.key === 'claude-mystery-5');
    assert.deepEqual(row.cost, { currency: 'USD', amount_micros: null });
    assert.equal(row.unpriced_events, 1);
    const text = await run(
      ['--by', 'model', '--timezone', 'UTC', '--claude-dir', s.claude, '--codex-dir', s.codexHome],
      env,
    );
    assert.match(text.stdout, /claude-mystery-5 .* no price\n/);
  });

  it('--since/--until, --by model|agent|month', async function () {
    if (!existsSync(CLI)) this.skip();
    const base = ['--json', '--timezone', 'UTC', '--claude-dir', s.claude, '--codex-dir', s.codexHome];
    const day = JSON.parse((await run([...base, '--since', '2026-11-05', '--until', '2026-11-05'], env)).stdout);
    assert.deepEqual([day.from, day.to, day.totals.events], ['2026-11-05', '2026-11-05', 2]);
    const byAgent = JSON.parse((await run([...base, '--by', 'agent'], env)).stdout);
    assert.deepEqual(byAgent.rows.map((r: { key: string }) => r.key).sort(), ['claude_code', 'codex']);
    const byModel = JSON.parse((await run([...base, '--by', 'model'], env)).stdout);
    assert.equal(byModel.rows[0].key, 'claude-opus-4-1-20250805', 'most spend first');
    const byMonth = JSON.parse((await run([...base, '--by', 'month'], env)).stdout);
    assert.deepEqual(
      byMonth.rows.map((r: { key: string }) => r.key),
      ['2026-11'],
    );
  });

  it('--by workflow with --sessions: JSON lines, a later line with the same id replaces an earlier one', async function () {
    if (!existsSync(CLI)) this.skip();
    const sessions = join(s.dir.path, 'sessions.jsonl');
    writeFileSync(
      sessions,
      [
        JSON.stringify({ id: 's1', workflow: 'deep_coding', start: '2026-11-02T09:00:00Z', end: null }),
        JSON.stringify({ id: 's2', workflow: 'review', start: '2026-11-05T08:00:00Z', end: '2026-11-05T12:00:00Z' }),
        JSON.stringify({
          id: 's1',
          workflow: 'deep_coding',
          start: '2026-11-02T09:00:00Z',
          end: '2026-11-02T10:30:00Z',
        }),
        '{"half a line',
      ].join('\n'),
    );
    const r = await run(
      ['--json', '--by', 'workflow', '--sessions', sessions, '--claude-dir', s.claude, '--codex-dir', s.codexHome],
      env,
    );
    assert.equal(r.code, 0);
    const out = JSON.parse(r.stdout);
    const cost = Object.fromEntries(
      out.rows.map((row: { key: string; cost: { amount_micros: number } }) => [row.key, row.cost.amount_micros]),
    );
    // Claude fixture (10:00–10:02) is in s1 (ends 10:30); the Codex fixture (11:00–11:06) is after it.
    assert.deepEqual(cost, { deep_coding: 57945, untagged: 13400, review: 60 });
    assert.match(r.stderr, /skipped 1 unreadable line\(s\) of .*sessions\.jsonl \(line 4\)/);
  });

  it('text output names unpriced models and where to price them', async function () {
    if (!existsSync(CLI)) this.skip();
    const r = await run(['--timezone', 'UTC', '--claude-dir', s.claude, '--codex-dir', s.codexHome], env);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Day\s+Input\s+Output\s+Cache read\s+Cache write\s+Requests\s+Cost$/m);
    assert.match(r.stdout, /^2026-11-02 .*\$0\.07$/m);
    assert.match(
      r.stdout,
      /No price for: claude-mystery-5 \(1 requests, 10 tokens\) — not included in the cost\. Add them to .*prices\.json/,
    );
  });

  it('bad flags exit 2 with a sentence that says what to do', async () => {
    for (const [args, pattern] of [
      [['--by', 'week'], /--by must be one of day, month, model, workflow, agent/],
      [['--since', '2026-13-01'], /--since must be a date like 2025-09-30/],
      [['--since', '2026-11-05', '--until', '2026-11-01'], /is before --since.*Swap them/],
      [['--timezone', 'Mars/Olympus'], /IANA zone/],
      [['--sessions', '/nonexistent/sessions.jsonl'], /cannot read the sessions file .*--sessions/],
      [['--frobnicate=1'], /unknown flag --frobnicate/],
    ] as const) {
      const r = await runMain([
        ...args,
        '--claude-dir',
        s.claude,
        '--codex-dir',
        s.codexHome,
        '--cache-dir',
        join(s.dir.path, 'c'),
      ]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, pattern);
    }
  });

  it('parser threads by default: none on two cores, cores − 2 (at most 3) on an idle bigger machine; SPEND_BAND_SCAN_THREADS overrides', () => {
    const cores = availableParallelism();
    const idle = Math.max(0, Math.min(3, cores - 2));
    assert.equal(scanThreads({}, 0), idle, 'an idle machine: one core for the scan, one for V8 compiling it');
    if (cores <= 2) assert.equal(scanThreads({}, 0), 0, 'two cores: the scan runs on one thread');
    assert.equal(scanThreads({}, cores), 0, 'every core busy: none');
    assert.equal(scanThreads({}, cores - 1.4), 0, 'less than one and a half cores idle: none');
    assert.equal(scanThreads({ SPEND_BAND_SCAN_THREADS: '0' }, 0), 0);
    assert.equal(scanThreads({ SPEND_BAND_SCAN_THREADS: '1' }, cores * 4), Math.min(1, cores - 1));
  });

  it('SPEND_BAND_SCAN_THREADS: parser threads on request give the same figures; a bad value exits 2 and says what it takes', async function () {
    if (!existsSync(CLI)) this.skip();
    const base = ['--json', '--timezone', 'UTC', '--claude-dir', s.claude, '--codex-dir', s.codexHome];
    const one = await run(base, env);
    const threads = await run(base, {
      ...env,
      SPEND_BAND_SCAN_THREADS: '2',
      SPEND_BAND_CACHE: join(s.dir.path, 'cache-threads'),
    });
    assert.equal(threads.code, 0, threads.stderr);
    const figures = (text: string) => ({ ...JSON.parse(text), as_of: undefined });
    assert.deepEqual(figures(threads.stdout), figures(one.stdout));
    const bad = await runMain([...base, '--cache-dir', join(s.dir.path, 'c')], { SPEND_BAND_SCAN_THREADS: 'many' });
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /SPEND_BAND_SCAN_THREADS must be a whole number of parser threads \(0 or more\), not "many"/,
    );
  });

  it('no logs at all: an empty table and a hint on stderr, exit 0', async () => {
    // Folders that exist and hold no logs (a folder that does not exist is an error: see localMetering.test.ts).
    const empty = join(s.dir.path, 'empty');
    mkdirSync(empty, { recursive: true });
    const r = await runMain([
      '--json',
      '--claude-dir',
      empty,
      '--codex-dir',
      empty,
      '--cache-dir',
      join(s.dir.path, 'c'),
    ]);
    assert.equal(r.code, 0);
    const out = JSON.parse(r.stdout);
    assert.deepEqual([out.rows, out.totals.events, out.from], [[], 0, null]);
    assert.match(r.stderr, /no agent logs found under .*Pass --claude-dir or --codex-dir/);
  });
});
