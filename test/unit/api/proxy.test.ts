// Proxies, through a real tinyproxy on loopback started by the test (Debian package `tinyproxy`; CI
// installs it). The proxy's own log proves the request went through it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ApiError } from '../../../src/api/apiError';
import { BandsClient } from '../../../src/api/bandsClient';
import { resolveProxy } from '../../../src/api/proxyDispatcher';
import { fixture, makeToken, runCli, sendJson, startServer, tempDir, type TestServer } from './apiTestKit';

const TINYPROXY = ['/usr/bin/tinyproxy', '/usr/sbin/tinyproxy', '/usr/local/bin/tinyproxy'].find((p) => existsSync(p));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

interface Tinyproxy {
  url: string;
  port: number;
  log(): string;
  stop(): Promise<void>;
}

async function startTinyproxy(dir: string): Promise<Tinyproxy> {
  if (!TINYPROXY) throw new Error('tinyproxy is not installed: apt-get install tinyproxy (the CI script installs it)');
  let lastError = '';
  // a free port can be taken between the probe and tinyproxy's bind: try a few
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const logFile = join(dir, `tinyproxy-${port}.log`);
    const conf = join(dir, `tinyproxy-${port}.conf`);
    writeFileSync(
      conf,
      [
        `Port ${port}`,
        'Listen 127.0.0.1',
        'Timeout 30',
        `LogFile "${logFile}"`,
        'LogLevel Info',
        'MaxClients 20',
        'Allow 127.0.0.1',
        '',
      ].join('\n'),
    );
    const child: ChildProcess = spawn(TINYPROXY, ['-d', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    let exited = false;
    child.once('exit', () => (exited = true));
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline && !(await accepts(port))) await new Promise((r) => setTimeout(r, 50));
    if (!exited && (await accepts(port))) {
      return {
        url: `http://127.0.0.1:${port}`,
        port,
        log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
        stop: () =>
          new Promise<void>((done) => {
            if (exited) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      };
    }
    lastError = stderr;
    child.kill('SIGKILL');
  }
  throw new Error(`tinyproxy did not start: ${lastError}`);
}

describe('api proxy (real tinyproxy on loopback)', function () {
  this.timeout(60_000);
  let proxy: Tinyproxy;
  let target: TestServer;
  let dir: ReturnType<typeof tempDir>;
  const token = makeToken();

  before(async () => {
    dir = tempDir();
    proxy = await startTinyproxy(dir.path);
  });
  after(async () => {
    await proxy?.stop();
    dir.remove();
  });
  beforeEach(async () => {
    target = await startServer((_req, res) => sendJson(res, 200, fixture('bandsDocument.json')));
  });
  afterEach(async () => {
    await target.close();
  });

  function wentThroughProxy(): boolean {
    return proxy.log().includes(`127.0.0.1:${target.port}`);
  }

  it('goes through an explicit proxy (VS Code http.proxy), which wins over the environment', async () => {
    const dead = await freePort();
    const client = new BandsClient({
      baseUrl: target.url,
      token,
      proxy: { url: proxy.url, noProxy: '' },
      env: { HTTP_PROXY: `http://127.0.0.1:${dead}` },
    });
    const answer = await client.getBands();
    await client.close();
    assert.ok('document' in answer);
    assert.ok(wentThroughProxy(), `tinyproxy did not see the request:\n${proxy.log()}`);
    assert.equal(target.requests[0]!.headers.authorization, `Bearer ${token}`);
  });

  it('goes through HTTP_PROXY from the environment, and the CLI does too', async () => {
    const client = new BandsClient({ baseUrl: target.url, token, env: { HTTP_PROXY: proxy.url } });
    assert.ok('document' in (await client.getBands()));
    await client.close();
    assert.ok(wentThroughProxy());
    await target.close();
    target = await startServer((_req, res) => sendJson(res, 200, fixture('bandsDocument.json')));
    const run = await runCli(['status', '--endpoint', target.url, '--json'], {
      SPEND_BAND_TOKEN: token,
      HTTP_PROXY: proxy.url,
      HOME: dir.path,
      SPEND_BAND_CACHE: dir.path,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(wentThroughProxy(), 'the CLI did not use HTTP_PROXY');
  });

  it('bypasses the proxy for hosts in NO_PROXY', async () => {
    const dead = await freePort();
    const client = new BandsClient({
      baseUrl: target.url,
      token,
      env: { HTTP_PROXY: `http://127.0.0.1:${dead}`, NO_PROXY: 'example.com,127.0.0.1' },
    });
    assert.ok('document' in (await client.getBands()));
    await client.close();
    assert.ok(!wentThroughProxy());
  });

  it('a proxy that is down is an offline error naming the proxy, not the token', async () => {
    const dead = await freePort();
    const client = new BandsClient({
      baseUrl: target.url,
      token,
      proxy: { url: `http://user:secret@127.0.0.1:${dead}` },
      retry: { tries: 1 },
      env: {},
    });
    const error = await client.getBands().catch((e: unknown) => e);
    await client.close();
    assert.ok(error instanceof ApiError);
    assert.equal(error.kind, 'offline');
    assert.match(error.message, new RegExp(`through the proxy http://127\\.0\\.0\\.1:${dead}.*refused`));
    assert.ok(!error.message.includes('secret'), 'proxy credentials leaked into the message');
    assert.ok(!error.message.includes(token));
  });

  it('a proxy that refuses the tunnel (407) is an offline error that says so', async () => {
    const refusing = createHttpServer();
    refusing.on('connect', (_req, socket) => socket.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n'));
    await new Promise<void>((done) => refusing.listen(0, '127.0.0.1', done));
    const port = (refusing.address() as AddressInfo).port;
    try {
      const client = new BandsClient({
        baseUrl: target.url,
        token,
        proxy: { url: `http://127.0.0.1:${port}` },
        retry: { tries: 1 },
        env: {},
      });
      const error = await client.getBands().catch((e: unknown) => e);
      await client.close();
      assert.ok(error instanceof ApiError);
      assert.equal(error.kind, 'offline');
      assert.match(error.message, /proxy .* refused to connect .*407/);
    } finally {
      refusing.closeAllConnections();
      await new Promise<void>((done) => refusing.close(() => done()));
    }
  });

  it('resolves explicit options over the environment, lower-case variables first', () => {
    assert.deepEqual(resolveProxy(undefined, { https_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:1', NO_PROXY: 'x' }), {
      httpProxy: '',
      httpsProxy: 'http://a:1',
      noProxy: 'x',
      strictSSL: true,
    });
    assert.deepEqual(
      resolveProxy(
        { url: 'http://c:1', noProxy: ['a', 'b'], strictSSL: false },
        { HTTPS_PROXY: 'http://b:1', NO_PROXY: 'x' },
      ),
      {
        httpProxy: 'http://c:1',
        httpsProxy: 'http://c:1',
        noProxy: 'a,b',
        strictSSL: false,
      },
    );
  });
});
