// `spend-band preflight --dry-run` against the reference server (real CLI process, 127.0.0.1): it
// asks without holding anything. The issue: three plain checks moved `remaining` from $28 to $25.
import assert from 'node:assert/strict';
import { referenceServerSuite, runCli } from '../preflight/cliKit';

describe('spend-band preflight --dry-run (real process, reference server)', function () {
  this.timeout(90_000);
  const suite = referenceServerSuite('spend-band-dry-run-');

  /** reserved and remaining of the background band, in micros, as the server reports them now */
  async function background(): Promise<{ reserved: number; remaining: number }> {
    const r = await runCli(['status', '--json'], suite.env);
    assert.equal(r.code, 0, r.stderr);
    const band = (
      JSON.parse(r.stdout).bands as Array<{
        workflow: string;
        reserved?: { amount_micros: number };
        remaining: { amount_micros: number };
      }>
    ).find((b) => b.workflow === 'background_automation')!;
    return { reserved: band.reserved?.amount_micros ?? 0, remaining: band.remaining.amount_micros };
  }

  async function runApprovals(): Promise<number> {
    const listed = await suite.server.admin(['request', 'list', '--json']);
    return (JSON.parse(listed.stdout).data as Array<{ kind: string }>).filter((r) => r.kind === 'run_approval').length;
  }

  it('three dry-run checks reserve nothing; a plain check does', async () => {
    const before = await background();
    for (let i = 0; i < 3; i++) {
      const r = await runCli(
        ['preflight', '--dry-run', '--workflow', 'background_automation', '--estimate-usd', '1'],
        suite.env,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Decided by the endpoint/);
      assert.match(r.stdout, /Dry run: nothing was reserved and no request was filed\./);
    }
    const json = await runCli(
      ['preflight', '--dry-run', '--json', '--workflow', 'background_automation', '--estimate-usd', '1'],
      suite.env,
    );
    assert.equal(json.code, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).reservation, null);
    assert.deepEqual(await background(), before, 'a dry run held money');

    const real = await runCli(['preflight', '--workflow', 'background_automation', '--estimate-usd', '1'], suite.env);
    assert.equal(real.code, 0, real.stderr);
    const after = await background();
    assert.equal(after.reserved - before.reserved, 1_000_000, 'the plain check should hold its estimate');
    assert.equal(before.remaining - after.remaining, 1_000_000);
  });

  it('a dry run that would need approval files no request (exit 11 all the same)', async () => {
    const filed = await runApprovals();
    const r = await runCli(
      ['preflight', '--dry-run', '--workflow', 'background_automation', '--estimate-usd', '6'],
      suite.env,
    );
    assert.equal(r.code, 11, r.stderr);
    assert.match(r.stderr, /This was a dry run/);
    assert.equal(await runApprovals(), filed);
  });

  it('--help says the check reserves and how not to', async () => {
    const r = await runCli(['preflight', '--help'], suite.env);
    assert.match(r.stdout, /This check RESERVES/);
    assert.match(r.stdout, /--dry-run +only ask: reserve nothing and file no approval request/);
  });

  it('--workflow nonsense is a usage error (exit 2) listing the classes, not "allowed"', async () => {
    const r = await runCli(['preflight', '--workflow', 'nonsense', '--estimate-usd', '1'], suite.env);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^spend-band: --workflow nonsense is not a workflow class\. Use one of: light_assist, deep_coding, review, research, background_automation/,
    );
    const typo = await runCli(['run', '--workflow', 'deep_codng', '--estimate-usd', '1', '--', 'true'], suite.env);
    assert.equal(typo.code, 2, typo.stderr);
    assert.match(typo.stderr, /Did you mean deep_coding\?/);
  });
});
