// `spend-band run` that needs approval, as a script runs it (real CLI process, reference server on
// 127.0.0.1): the first run files one request and exits 11; running the same command again asks about
// the same run (no second request); once approved, the next run starts the command. And `run --json`
// keeps stdout for the command: the decision goes to stderr.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PreflightDecisionSchema } from '../../../src/domain/schemas';
import { markerCommand, referenceServerSuite, runCli } from '../preflight/cliKit';

describe('spend-band run: an approved run is used on the next run (real process, reference server)', function () {
  this.timeout(90_000);
  const suite = referenceServerSuite('spend-band-run-id-');

  async function runApprovals(): Promise<Array<{ id: string; status: string }>> {
    const listed = await suite.server.admin(['request', 'list', '--json']);
    return (JSON.parse(listed.stdout).data as Array<{ id: string; status: string; kind: string }>).filter(
      (r) => r.kind === 'run_approval',
    );
  }

  it('needs approval → run again (still one request) → approve → run again starts the command', async () => {
    const marker = join(suite.dir, 'approved-later.marker');
    const argv = ['run', '--estimate-usd', '6', '--', ...markerCommand(marker, 3)];

    const first = await runCli(argv, suite.env);
    assert.equal(first.code, 11, first.stderr);
    assert.equal(existsSync(marker), false);
    const filed = await runApprovals();
    assert.equal(filed.length, 1, 'one request filed');
    assert.match(first.stderr, /Run the same command again once it is approved/);

    const second = await runCli(argv, suite.env);
    assert.equal(second.code, 11, second.stderr);
    assert.match(second.stderr, new RegExp(`asking again about run \\S+: approval request ${filed[0]!.id}`));
    assert.equal((await runApprovals()).length, 1, 'running again while pending filed a second request');

    const approved = await suite.server.admin(['request', 'approve', filed[0]!.id]);
    assert.equal(approved.code, 0, approved.stderr);

    const third = await runCli(argv, suite.env);
    assert.equal(third.code, 3, third.stderr);
    assert.equal(existsSync(marker), true, 'the approved run did not start');
    assert.match(third.stderr, /Allowed: Approved/);
    assert.deepEqual(
      (await runApprovals()).map((r) => r.status),
      ['approved'],
      'the approved request was used, not a new one filed',
    );

    // the approval was for that run: the same command later is a new run and asks anew
    const fourth = await runCli(argv, suite.env);
    assert.equal(fourth.code, 11, fourth.stderr);
    assert.equal((await runApprovals()).length, 2);
  });

  it('--run-id names the waiting run explicitly, from another folder', async () => {
    const marker = join(suite.dir, 'by-id.marker');
    const first = await runCli(['run', '--estimate-usd', '7', '--', ...markerCommand(marker, 0)], suite.env);
    assert.equal(first.code, 11, first.stderr);
    const runId = /asks about run (\S+), no new request/.exec(first.stderr)?.[1];
    assert.ok(runId, first.stderr);
    const id = /Approval request (\S+): pending/.exec(first.stderr)?.[1];
    assert.equal((await suite.server.admin(['request', 'approve', id!])).code, 0);
    const again = await runCli(
      ['run', '--run-id', runId, '--cwd', suite.dir, '--estimate-usd', '7', '--', ...markerCommand(marker, 0)],
      suite.env,
    );
    assert.equal(again.code, 0, again.stderr);
    assert.equal(existsSync(marker), true);
    const left = readdirSync(join(suite.dir, 'cache', 'runs')).map((n) =>
      readFileSync(join(suite.dir, 'cache', 'runs', n), 'utf8'),
    );
    assert.equal(
      left.filter((text) => text.includes(runId)).length,
      0,
      'the run that started is still remembered as waiting',
    );
  });

  it("run --json: stdout is the command's alone; the decision is one JSON line on stderr", async () => {
    const result = await runCli(
      ['run', '--json', '--estimate-usd', '1', '--', process.execPath, '-e', "process.stdout.write('agent output\\n')"],
      suite.env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'agent output\n');
    const decision = JSON.parse(result.stderr.trim().split('\n')[0]!);
    assert.equal(PreflightDecisionSchema.parse(decision).decision, 'allow');
  });
});
