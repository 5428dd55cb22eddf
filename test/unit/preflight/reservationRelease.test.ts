// Review finding 8: `run --estimate-usd 1 -- nonexistent-cmd` said "Reserved $1.00 until …", then
// "could not start … Nothing ran.", and the $1 stayed held for 15 minutes. Now the run gives it back
// through the reference server's release extension (capability `reservation_release`). The real CLI
// process against the reference server on 127.0.0.1; what is held is read with `status --json`.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { referenceServerSuite, runCli } from './cliKit';

describe('run that cannot start gives its reservation back (real CLI, reference server)', function () {
  this.timeout(120_000);
  const suite = referenceServerSuite('spend-band-release-');

  async function reservedMicros(): Promise<number> {
    const r = await runCli(['status', '--json'], suite.env);
    assert.equal(r.code, 0, r.stderr);
    const band = (JSON.parse(r.stdout).bands as { workflow: string; reserved?: { amount_micros: number } }[]).find(
      (b) => b.workflow === 'background_automation',
    );
    return band?.reserved?.amount_micros ?? 0;
  }

  it('ENOENT: exit 127, "released", and status holds nothing more than before', async () => {
    const before = await reservedMicros();
    const r = await runCli(['run', '--estimate-usd', '1', '--', join(suite.dir, 'nonexistent-cmd-xyz')], suite.env);
    assert.equal(r.code, 127, r.stderr);
    assert.match(r.stderr, /Reserved \$1\.00 until/);
    assert.match(r.stderr, /could not start .*Nothing ran\. The \$1\.00 reserved for it was released\./s);
    assert.equal(await reservedMicros(), before, 'the $1 is still held');
  });

  it('a run that did start keeps its reservation (the check above can fail)', async () => {
    const before = await reservedMicros();
    const r = await runCli(['run', '--estimate-usd', '1', '--', process.execPath, '-e', ''], suite.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await reservedMicros(), before + 1_000_000);
  });

  it('the release endpoint: the own reservation once or twice; an unknown one is a 404 that changes nothing', async () => {
    const asked = await runCli(
      ['preflight', '--workflow', 'background_automation', '--estimate-usd', '2', '--json'],
      suite.env,
    );
    assert.equal(asked.code, 0, asked.stderr);
    const id = JSON.parse(asked.stdout).reservation.id as string;
    const held = await reservedMicros();
    const release = (which: string) =>
      fetch(`${suite.server.server.url}/v1/me/reservations/${which}/release`, {
        method: 'POST',
        headers: { authorization: `Bearer ${suite.server.server.demoToken}` },
      });
    const first = await release(id);
    assert.equal(first.status, 200);
    assert.equal(((await first.json()) as { released: boolean }).released, true);
    assert.equal(await reservedMicros(), held - 2_000_000);
    assert.equal((await release(id)).status, 200, 'releasing again answers the same');
    const unknown = await release('rsv_not_mine');
    assert.equal(unknown.status, 404);
    assert.match(((await unknown.json()) as { detail: string }).detail, /No reservation rsv_not_mine of yours/);
    assert.equal(await reservedMicros(), held - 2_000_000);
  });
});
