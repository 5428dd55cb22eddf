// https:// against a real TLS server on 127.0.0.1 with a self-signed certificate made by openssl:
// refused by default (strict SSL), accepted when strictSSL is off (VS Code's http.proxyStrictSSL).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ApiError } from '../../../src/api/apiError';
import { BandsClient } from '../../../src/api/bandsClient';
import { fixture, makeToken, tempDir } from './apiTestKit';

describe('api over TLS', function () {
  this.timeout(60_000);
  let server: Server;
  let url: string;
  let dir: ReturnType<typeof tempDir>;
  const token = makeToken();

  before(async () => {
    dir = tempDir();
    const key = join(dir.path, 'key.pem');
    const cert = join(dir.path, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-days',
        '2',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => {
      const body = JSON.stringify(fixture('bandsDocument.json'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
    dir.remove();
  });

  it('refuses an untrusted certificate, saying so and what to do', async () => {
    const client = new BandsClient({ baseUrl: url, token, retry: { tries: 1 }, env: {} });
    const error = await client.getBands().catch((e: unknown) => e);
    await client.close();
    assert.ok(error instanceof ApiError);
    assert.equal(error.kind, 'offline');
    assert.match(
      error.message,
      /TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
    );
  });

  it('accepts it when strict SSL is turned off', async () => {
    const client = new BandsClient({ baseUrl: url, token, proxy: { strictSSL: false }, env: {} });
    const answer = await client.getBands();
    await client.close();
    assert.ok('document' in answer);
  });
});
