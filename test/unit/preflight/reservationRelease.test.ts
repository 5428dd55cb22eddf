// Review finding 8: `run --estimate-usd 1 -- nonexistent-cmd` said "Reserved $1.00 until …", then
// "could not start … Nothing ran.", and the $1 stayed held for 15 minutes. Now the run gives it back
// through the reference server's release extension (capability `reservation_release`). The real CLI
// process against the reference server on 127.0.0.1; what is held is read with `status --json`.
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('an endpoint without the release capability: the CLI says until when the amount stays held', async () => {
    const proxy = await withoutReleaseCapability(suite.server.server.url);
    try {
      const env = { ...suite.env, SPEND_BAND_ENDPOINT: proxy.url, SPEND_BAND_CACHE: join(suite.dir, 'proxy-cache') };
      const before = await reservedMicros();
      const r = await runCli(['run', '--estimate-usd', '1', '--', join(suite.dir, 'nonexistent-cmd-xyz')], env);
      assert.equal(r.code, 127, r.stderr);
      const until = /Reserved \$1\.00 until (\S+)\./.exec(r.stderr)?.[1];
      assert.ok(until, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `Nothing ran\\. The \\$1\\.00 reserved for it stays held until ${until.replace(/[.]/g, '\\.')} \\(this endpoint cannot release`,
        ),
      );
      assert.equal(await reservedMicros(), before + 1_000_000, 'held, as the CLI says');
    } finally {
      await proxy.close();
    }
  });
});

/** A pass-through proxy to the reference server whose bands document does not offer `reservation_release`. */
async function withoutReleaseCapability(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const headers = { ...req.headers, host: upstream.host, 'accept-encoding': 'identity' };
    delete headers['if-none-match'];
    const out = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          let body = Buffer.concat(chunks);
          const responseHeaders = { ...answer.headers };
          if (req.url?.startsWith('/v1/me/bands') && answer.statusCode === 200) {
            const doc = JSON.parse(body.toString('utf8')) as { capabilities: Record<string, unknown> };
            delete doc.capabilities.reservation_release;
            body = Buffer.from(JSON.stringify(doc));
            delete responseHeaders.etag;
          }
          delete responseHeaders['transfer-encoding'];
          responseHeaders['content-length'] = String(body.length);
          res.writeHead(answer.statusCode ?? 502, responseHeaders);
          res.end(body);
        });
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
