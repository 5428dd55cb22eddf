// Review finding 2: a pre-flight with no estimate at all (no --estimate-usd, no history to estimate
// from) was "checked as $0.00 … Allowed" and reserved $0. Now it is a warn with the reason "No
// estimate for this run", nothing is reserved, in `preflight`, `run`, the Claude Code hook and the
// flow the editor's guarded task calls. The real CLI process against the reference server on
// 127.0.0.1 (demo data), in a temp HOME with no agent logs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BandsClient } from '../../../src/api/bandsClient';
import { askPreflight } from '../../../src/flows/preflight/decision';
import { noEstimate } from '../../../src/domain/estimate';
import { buildCli, markerCommand, runCli, referenceServerSuite, writeJson, type CliRun } from './cliKit';

describe('pre-flight with no estimate is a warning, never a silent allow (real CLI, reference server)', function () {
  this.timeout(120_000);
  const suite = referenceServerSuite('spend-band-no-estimate-');

  /** What the endpoint holds for pre-flight runs in the background band, from `status --json`. */
  async function reservedMicros(): Promise<number> {
    const r = await runCli(['status', '--json'], suite.env);
    assert.equal(r.code, 0, r.stderr);
    const band = (JSON.parse(r.stdout).bands as { workflow: string; reserved?: { amount_micros: number } }[]).find(
      (b) => b.workflow === 'background_automation',
    );
    assert.ok(band, 'no background_automation band in the demo data');
    return band.reserved?.amount_micros ?? 0;
  }

  it('preflight --from-history with no history anywhere (local bands): warn, exit 10, says how to give one', async () => {
    const local = {
      ...suite.env,
      SPEND_BAND_ENDPOINT: '',
      SPEND_BAND_CONFIG: writeJson(join(suite.dir, 'config.json'), {
        currency: 'USD',
        bands: [{ workflow: 'background_automation', allocated_usd: 50, period: 'P1W' }],
      }),
    };
    const r = await runCli(
      ['preflight', '--workflow', 'background_automation', '--from-history', 'claude_code', '--json'],
      local,
    );
    assert.equal(r.code, 10, r.stderr);
    const decision = JSON.parse(r.stdout);
    assert.equal(decision.decision, 'warn');
    assert.match(decision.reason, /^No estimate for this run.*--estimate-usd N.*run the agent once/);
    assert.equal(decision.reservation, null);

    const text = await runCli(
      ['preflight', '--workflow', 'background_automation', '--from-history', 'claude_code'],
      local,
    );
    assert.equal(text.code, 10);
    assert.match(text.stdout, /Warning: No estimate for this run/);
    assert.doesNotMatch(text.stdout, /Allowed/);
    for (const command of ['preflight', 'run']) {
      const help = await runCli([command, '--help'], local);
      assert.match(help.stdout.replace(/\s+/g, ' '), /No estimate .* is never a silent allow/, `${command} --help`);
    }
  });

  it('run with no estimate: not started without --yes; with --yes it runs and nothing is reserved', async () => {
    const before = await reservedMicros();
    const marker = join(suite.dir, 'no-estimate.marker');
    const refused = await runCli(['run', '--', ...markerCommand(marker, 0)], suite.env);
    assert.equal(refused.code, 10, refused.stderr);
    assert.equal(existsSync(marker), false, 'the command started with no estimate and no --yes');
    assert.match(refused.stderr, /Warning: No estimate for this run/);
    assert.doesNotMatch(refused.stderr, /Allowed|Reserved \$0/);

    const confirmed = await runCli(['run', '--yes', '--', ...markerCommand(marker, 3)], suite.env);
    assert.equal(confirmed.code, 3, confirmed.stderr);
    assert.equal(existsSync(marker), true);
    assert.doesNotMatch(confirmed.stderr, /Reserved/);
    assert.equal(await reservedMicros(), before);
  });

  it('an estimate given still allows and reserves as before', async () => {
    const r = await runCli(
      ['preflight', '--workflow', 'background_automation', '--estimate-usd', '1', '--json'],
      suite.env,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).reservation.amount.amount_micros, 1_000_000);
  });

  it('the Claude Code hook with no estimate and no session history asks instead of allowing', async () => {
    const hookJson = JSON.stringify({
      session_id: 'no-history-session',
      transcript_path: join(suite.dir, 't.jsonl'),
      cwd: suite.dir,
      hook_event_name: 'PreToolUse',
      tool_name: 'Task',
      tool_input: { description: 'Refactor the parser', prompt: 'Refactor src/parser' },
      tool_use_id: 'toolu_no_estimate_1',
    });
    const r = await withStdin(
      ['hook', 'claude'],
      { ...suite.env, SPEND_BAND_CACHE: join(suite.dir, 'hook-cache') },
      hookJson,
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout).hookSpecificOutput;
    assert.equal(out.permissionDecision, 'ask');
    assert.match(out.permissionDecisionReason, /No estimate for this run, so it was checked at an assumed \$1\.00/);
  });

  it("the editor's flow (askPreflight) gives the same warn and no reservation", async () => {
    const client = new BandsClient({
      baseUrl: suite.server.server.url,
      token: suite.server.server.demoToken!,
      allowInsecureHttp: true,
    });
    try {
      const answer = await client.getBands();
      assert.ok('document' in answer);
      const document = answer.document;
      const asked = await askPreflight({
        document,
        client,
        workflow: 'background_automation',
        estimate: noEstimate('no past runs of claude_code').estimate,
        clientRunId: '6f1c1d2e-0000-4000-8000-000000000001',
        now: new Date(),
      });
      assert.equal(asked.decision.decision, 'warn');
      assert.match(asked.decision.reason, /^No estimate for this run/);
      assert.equal(asked.decision.reservation, null);
      assert.equal(asked.decidedBy, 'endpoint');
    } finally {
      await client.close();
    }
  });
});

async function withStdin(args: string[], env: Record<string, string>, stdin: string): Promise<CliRun> {
  const cli = await buildCli();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
