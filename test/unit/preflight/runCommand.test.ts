// `spend-band preflight` and `spend-band run`, as a script runs them: the real CLI in a child process,
// against local bands from a config file and against the reference server (demo data: a hard $40
// weekly background band with $28 left; rules deny ≥ $20, approval ≥ $5; review is at 85 %). A
// marker file written by the command proves whether it started.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PreflightDecisionSchema } from '../../../src/domain/schemas';
import { markerCommand, runCli, spawnCli, referenceServerSuite, tempDir, waitUntil, writeJson } from './cliKit';

const LOCAL_CONFIG = {
  currency: 'USD',
  timezone: 'UTC',
  role: 'platform_engineer',
  bands: [
    {
      workflow: 'background_automation',
      allocated_usd: 50,
      period: 'P1W',
      escalation: [
        { estimate_at_least_usd: 30, action: 'deny' },
        { estimate_at_least_usd: 20, action: 'needs_approval' },
        { estimate_at_least_usd: 5, action: 'warn' },
      ],
    },
  ],
};

describe('spend-band run and preflight with local bands', function () {
  this.timeout(60_000);
  let tmp: { dir: string; cleanup(): void };
  let env: Record<string, string>;

  before(() => {
    tmp = tempDir('spend-band-run-');
    env = {
      HOME: tmp.dir,
      SPEND_BAND_CONFIG: writeJson(join(tmp.dir, 'config.json'), LOCAL_CONFIG),
      SPEND_BAND_CACHE: join(tmp.dir, 'cache'),
      CLAUDE_CONFIG_DIR: join(tmp.dir, 'no-claude'),
      CODEX_HOME: join(tmp.dir, 'no-codex'),
    };
  });
  after(() => tmp.cleanup());

  it('allow: runs the command, passes its stdout through untouched and returns its exit code', async () => {
    const marker = join(tmp.dir, 'allow.marker');
    const [node, , script] = markerCommand(marker, 7);
    const result = await runCli(
      ['run', '--estimate-usd', '1', '--', node!, '-e', `process.stdout.write('agent output\\n'); ${script}`],
      env,
    );
    assert.equal(result.code, 7, result.stderr);
    assert.equal(existsSync(marker), true, 'the command did not run');
    assert.equal(result.stdout, 'agent output\n', 'our own lines must stay on stderr');
    assert.match(result.stderr, /Allowed: Within band: \$49\.00 would be left of \$50\.00/);
  });

  it('deny: never starts the command, exit 12 with the reason', async () => {
    const marker = join(tmp.dir, 'deny.marker');
    const result = await runCli(['run', '--estimate-usd', '31', '--', ...markerCommand(marker, 0)], env);
    assert.equal(result.code, 12, result.stderr);
    assert.equal(existsSync(marker), false, 'a denied command was started');
    assert.match(result.stderr, /Denied: Rule background_automation-1 .*\$31\.00 is at least \$30\.00/);
    assert.match(result.stderr, /the command was not started/);
  });

  it('warn: not started without a confirmation (exit 10); --yes runs it', async () => {
    const marker = join(tmp.dir, 'warn.marker');
    const refused = await runCli(['run', '--estimate-usd', '6', '--', ...markerCommand(marker, 0)], env);
    assert.equal(refused.code, 10, refused.stderr);
    assert.equal(existsSync(marker), false);
    assert.match(refused.stderr, /Pass --yes to run it anyway/);
    const confirmed = await runCli(['run', '--estimate-usd', '6', '--yes', '--', ...markerCommand(marker, 3)], env);
    assert.equal(confirmed.code, 3, confirmed.stderr);
    assert.equal(existsSync(marker), true);
  });

  it('needs approval with local bands: nobody to file it with, so not started (exit 11)', async () => {
    const marker = join(tmp.dir, 'approval.marker');
    const result = await runCli(['run', '--estimate-usd', '21', '--yes', '--', ...markerCommand(marker, 0)], env);
    assert.equal(result.code, 11, result.stderr);
    assert.equal(existsSync(marker), false);
    assert.match(result.stderr, /cannot file approval requests/);
  });

  it('a command that does not exist: exit 127, says so', async () => {
    const result = await runCli(['run', '--estimate-usd', '1', '--', join(tmp.dir, 'no-such-agent')], env);
    assert.equal(result.code, 127);
    assert.match(result.stderr, /could not start .*no-such-agent \(not found/);
  });

  it('usage errors: nothing after --, two estimates, a bad amount', async () => {
    assert.equal((await runCli(['run', '--estimate-usd', '1'], env)).code, 2);
    assert.equal(
      (
        await runCli(
          ['preflight', '--workflow', 'background_automation', '--estimate-usd', '1', '--from-history', 'codex'],
          env,
        )
      ).code,
      2,
    );
    const bad = await runCli(['preflight', '--workflow', 'background_automation', '--estimate-usd', 'lots'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--estimate-usd takes an amount in dollars/);
  });

  it('preflight: exit 0/10/11/12 and a valid PreflightDecision with --json', async () => {
    const expected: [string, number, string][] = [
      ['1', 0, 'allow'],
      ['6', 10, 'warn'],
      ['21', 11, 'needs_approval'],
      ['31', 12, 'deny'],
    ];
    for (const [amount, code, decision] of expected) {
      const result = await runCli(
        ['preflight', '--workflow', 'background_automation', '--estimate-usd', amount, '--json'],
        env,
      );
      assert.equal(result.code, code, `$${amount}: ${result.stderr}`);
      const json = JSON.parse(result.stdout);
      assert.equal(PreflightDecisionSchema.safeParse(json).success, true);
      assert.equal(json.decision, decision);
      assert.equal(json.decided_by, 'local');
      assert.equal(json.estimate.basis, 'user_supplied');
      if (code !== 0)
        assert.equal(result.stderr.trim().split('\n').length, 1, 'one line on stderr for a non-zero exit');
    }
  });

  it('preflight --estimate-tokens prices tokens of a model; an unknown model is a usage error', async () => {
    const priced = await runCli(
      [
        'preflight',
        '--workflow',
        'background_automation',
        '--estimate-tokens',
        '1000000',
        '--model',
        'claude-sonnet-4-5',
        '--json',
      ],
      env,
    );
    assert.equal(priced.code, 0, priced.stderr);
    // 900k input at $3/M + 100k output at $15/M
    assert.equal(JSON.parse(priced.stdout).estimate.cost.amount_micros, 4_200_000);
    const unknown = await runCli(
      ['preflight', '--workflow', 'background_automation', '--estimate-tokens', '1000', '--model', 'gpt-99'],
      env,
    );
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no price for the model "gpt-99"/);
  });

  it('preflight --from-history with no logs: no estimate is a warning (exit 10), and says so', async () => {
    const result = await runCli(
      ['preflight', '--workflow', 'background_automation', '--from-history', 'claude_code', '--json'],
      env,
    );
    assert.equal(result.code, 10, result.stderr);
    const json = JSON.parse(result.stdout);
    assert.equal(json.decision, 'warn');
    assert.match(json.reason, /^No estimate for this run/);
    assert.equal(json.estimate.cost.amount_micros, 0);
    assert.match(json.estimate.explanation, /no past runs of claude_code/);
  });
});

describe('spend-band run against the reference server', function () {
  this.timeout(90_000);
  const suite = referenceServerSuite('spend-band-run-server-');

  async function requestStatus(id: string): Promise<string | undefined> {
    const listed = await suite.server.admin(['request', 'list', '--json']);
    return (JSON.parse(listed.stdout).data as { id: string; status: string }[]).find((r) => r.id === id)?.status;
  }

  function requestIdIn(stderr: string): string {
    const id = /Approval request (\S+): pending/.exec(stderr)?.[1];
    assert.ok(id, `no approval request in:\n${stderr}`);
    return id;
  }

  it('allow: the endpoint decides, holds a reservation, and the command runs', async () => {
    const json = await runCli(
      ['preflight', '--workflow', 'background_automation', '--estimate-usd', '1', '--json'],
      suite.env,
    );
    assert.equal(json.code, 0, json.stderr);
    const decision = JSON.parse(json.stdout);
    assert.equal(decision.decided_by, 'endpoint');
    assert.equal(decision.reservation.amount.amount_micros, 1_000_000);
    const marker = join(suite.dir, 'server-allow.marker');
    const result = await runCli(['run', '--estimate-usd', '1', '--', ...markerCommand(marker, 5)], suite.env);
    assert.equal(result.code, 5, result.stderr);
    assert.equal(existsSync(marker), true);
  });

  it('deny by rule: never started (exit 12)', async () => {
    const marker = join(suite.dir, 'server-deny.marker');
    const result = await runCli(['run', '--estimate-usd', '21', '--', ...markerCommand(marker, 0)], suite.env);
    assert.equal(result.code, 12, result.stderr);
    assert.equal(existsSync(marker), false);
    assert.match(result.stderr, /Background runs of \$20 or more are not allowed/);
  });

  it('warn from the endpoint: exit 10 without --yes', async () => {
    const marker = join(suite.dir, 'server-warn.marker');
    const result = await runCli(
      ['run', '--workflow', 'review', '--estimate-usd', '3', '--', ...markerCommand(marker, 0)],
      suite.env,
    );
    assert.equal(result.code, 10, result.stderr);
    assert.equal(existsSync(marker), false);
  });

  it('needs approval, not waiting: the request is filed and the command not started (exit 11)', async () => {
    const marker = join(suite.dir, 'server-nowait.marker');
    const result = await runCli(['run', '--estimate-usd', '6', '--', ...markerCommand(marker, 0)], suite.env);
    assert.equal(result.code, 11, result.stderr);
    assert.equal(existsSync(marker), false);
    const id = requestIdIn(result.stderr);
    assert.equal(await requestStatus(id), 'pending');
    assert.match(result.stderr, /--wait-minutes/);
  });

  it('needs approval, waiting: once the admin approves, the same run is asked again and starts', async () => {
    const marker = join(suite.dir, 'server-approved.marker');
    const run = await spawnCli(
      ['run', '--estimate-usd', '6', '--wait-minutes', '2', '--', ...markerCommand(marker, 4)],
      suite.env,
    );
    await waitUntil(() => /waiting for approval of request/.test(run.stderrSoFar()), 30_000, 'the CLI to wait');
    const id = requestIdIn(run.stderrSoFar());
    assert.equal(existsSync(marker), false, 'started before the approval');
    const approved = await suite.server.admin(['request', 'approve', id, '--note', 'fine this once']);
    assert.equal(approved.code, 0, approved.stderr);
    const result = await run.done;
    assert.equal(result.code, 4, result.stderr);
    assert.equal(existsSync(marker), true);
    assert.match(result.stderr, /was approved.*"fine this once"/);
    assert.match(result.stderr, /Allowed: Approved/);
  });

  it('needs approval, waiting: a denial (with its note) means not started', async () => {
    const marker = join(suite.dir, 'server-denied.marker');
    const run = await spawnCli(
      ['run', '--estimate-usd', '7', '--wait-minutes', '2', '--', ...markerCommand(marker, 0)],
      suite.env,
    );
    await waitUntil(() => /waiting for approval of request/.test(run.stderrSoFar()), 30_000, 'the CLI to wait');
    const id = requestIdIn(run.stderrSoFar());
    assert.equal((await suite.server.admin(['request', 'deny', id, '--note', 'not this week'])).code, 0);
    const result = await run.done;
    assert.equal(result.code, 11, result.stderr);
    assert.equal(existsSync(marker), false);
    assert.match(result.stderr, /denied.*"not this week"/);
  });

  it('needs approval, waiting: Ctrl-C withdraws the request and starts nothing', async () => {
    const marker = join(suite.dir, 'server-interrupted.marker');
    const run = await spawnCli(
      ['run', '--estimate-usd', '8', '--wait-minutes', '2', '--', ...markerCommand(marker, 0)],
      suite.env,
    );
    await waitUntil(() => /waiting for approval of request/.test(run.stderrSoFar()), 30_000, 'the CLI to wait');
    const id = requestIdIn(run.stderrSoFar());
    run.child.kill('SIGINT');
    const result = await run.done;
    assert.equal(result.code, 11, result.stderr);
    assert.equal(existsSync(marker), false);
    assert.match(result.stderr, /withdrawn/);
    assert.equal(await requestStatus(id), 'cancelled');
  });

  it('an endpoint that does not answer: the source exit code, nothing started', async () => {
    const marker = join(suite.dir, 'server-down.marker');
    const result = await runCli(['run', '--estimate-usd', '1', '--', ...markerCommand(marker, 0)], {
      ...suite.env,
      SPEND_BAND_ENDPOINT: 'http://127.0.0.1:9',
      SPEND_BAND_CACHE: join(suite.dir, 'empty-cache'),
    });
    assert.equal(result.code, 3, result.stderr);
    assert.equal(existsSync(marker), false);
  });
});

describe('spend-band preflight --from-history over real agent logs', function () {
  this.timeout(60_000);
  let tmp: { dir: string; cleanup(): void };
  let env: Record<string, string>;
  const DAY = 86_400_000;

  /** An assistant line as Claude Code writes it, with only the usage fields that price it. */
  function claudeLine(sessionId: string, at: number, id: string, outputTokens: number): string {
    return JSON.stringify({
      type: 'assistant',
      sessionId,
      cwd: '/home/dev/api',
      timestamp: new Date(at).toISOString(),
      requestId: `req_${id}`,
      uuid: `u_${id}`,
      message: {
        id: `msg_${id}`,
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [{ type: 'text', text: 'ok' }],
        usage: {
          input_tokens: 0,
          output_tokens: outputTokens,
          cache_read_input_tokens: 0,
          cache_creation_input_tokens: 0,
        },
      },
    });
  }

  before(() => {
    tmp = tempDir('spend-band-history-');
    const now = Date.now();
    const claudeDir = join(tmp.dir, 'claude');
    const project = join(claudeDir, 'projects', '-home-dev-api');
    mkdirSync(project, { recursive: true });
    // three background runs ($1.50, $3, $6 at $15 per million output tokens) and one deep-coding session ($30)
    const runs: [string, number, number][] = [
      ['bg-1', now - 5 * DAY, 100_000],
      ['bg-2', now - 4 * DAY, 200_000],
      ['bg-3', now - 3 * DAY, 400_000],
      ['deep-1', now - 2 * DAY, 2_000_000],
    ];
    for (const [session, at, tokens] of runs)
      writeFileSync(join(project, `${session}.jsonl`), `${claudeLine(session, at, `${session}a`, tokens)}\n`);
    const sessions = [
      {
        id: 's1',
        workflow: 'background_automation',
        start: new Date(now - 6 * DAY).toISOString(),
        end: new Date(now - 2.5 * DAY).toISOString(),
      },
      { id: 's2', workflow: 'deep_coding', start: new Date(now - 2.5 * DAY).toISOString(), end: null },
    ];
    const sessionsFile = join(tmp.dir, 'sessions.jsonl');
    writeFileSync(sessionsFile, sessions.map((s) => JSON.stringify(s)).join('\n'));
    env = {
      HOME: tmp.dir,
      SPEND_BAND_CONFIG: writeJson(join(tmp.dir, 'config.json'), LOCAL_CONFIG),
      SPEND_BAND_CACHE: join(tmp.dir, 'cache'),
      CLAUDE_CONFIG_DIR: claudeDir,
      CODEX_HOME: join(tmp.dir, 'no-codex'),
      SESSIONS: sessionsFile,
    };
  });
  after(() => tmp.cleanup());

  it('with the session journal: the p90 of the runs tagged with the class', async () => {
    const result = await runCli(
      [
        'preflight',
        '--workflow',
        'background_automation',
        '--from-history',
        'claude_code',
        '--sessions',
        env.SESSIONS!,
        '--json',
      ],
      env,
    );
    assert.equal(result.code, 10, result.stderr); // $6 is at least the $5 warn rule
    const json = JSON.parse(result.stdout);
    assert.equal(json.estimate.basis, 'history');
    assert.equal(json.estimate.cost.amount_micros, 6_000_000);
    assert.equal(json.estimate.confidence, 'low');
    assert.match(
      json.estimate.explanation,
      /p90 of 3 past claude_code runs tagged background_automation; median \$3\.00, most \$6\.00/,
    );
  });

  it('without it: runs of every class, and a hint to pass --sessions', async () => {
    const result = await runCli(
      ['preflight', '--workflow', 'background_automation', '--from-history', 'claude', '--json'],
      env,
    );
    assert.equal(result.code, 12, result.stderr); // $30 p90 is at least the $30 deny rule
    const json = JSON.parse(result.stdout);
    assert.equal(json.estimate.cost.amount_micros, 30_000_000);
    assert.match(json.estimate.explanation, /runs of any class.*Pass --sessions FILE/);
  });
});
