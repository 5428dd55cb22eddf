// The acceptance matrix of issue #3: for each way a source can fail, a real server on 127.0.0.1 that
// fails that way, and three views of the failure:
//   1. the client: the ApiError kind, a message naming the cause, no hang past the timeout;
//   2. loadBands with a last good document cached: that document, stale, with the error;
//   3. `spend-band status` as a child process: the exit code, one stderr line, the stale bands printed
//      when there were some, the error alone when there were none.
// The token is checked to appear nowhere in what a person or a disk could see.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ApiError, exitCodeFor, type ApiErrorKind } from '../../../src/api/apiError';
import { BandsClient } from '../../../src/api/bandsClient';
import { loadBands, type SourceConfig } from '../../../src/api/bandsSource';
import { createFetchSender } from '../../../src/api/fetchSender';
import type { SenderFactory } from '../../../src/api/httpSender';
import { createUndiciSender } from '../../../src/api/undiciSender';
import { fixture, makeToken, runCli, sendJson, sendProblem, startServer, tempDir, type TestServer } from './apiTestKit';

const GOOD = fixture('bandsDocument.json');
const SHORT = { connectMs: 2_000, headersMs: 2_000, bodyMs: 1_500, totalMs: 10_000 };
/** The CLI's --timeout in seconds: ends the trickle quickly, leaves the rest alone. */
const CLI_TIMEOUT = '2';

interface FaultCase {
  name: string;
  /** how the server misbehaves; `closed` = nothing listens on the port any more */
  fault: ((req: IncomingMessage, res: ServerResponse) => void) | 'closed';
  kind: ApiErrorKind;
  exit: number;
  message: RegExp;
  /** the most time the client may take (no hang) */
  maxMs: number;
  /** requests the server should see for one client call (retries), when the case says */
  attempts?: number;
  minMs?: number;
}

function trickle(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{');
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    res.write(' ');
  }, 1000);
  res.on('close', () => clearInterval(timer));
}

function tenMegabytes(res: ServerResponse): void {
  // chunked, no Content-Length: the cap must hold while reading, not only on the header
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  const pump = () => {
    while (sent < 10 * 1024 * 1024 && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  res.on('error', () => undefined);
  pump();
}

function echoToken(req: IncomingMessage): string {
  // a careless server that repeats what it got: the token must still not surface
  return String(req.headers.authorization ?? '');
}

const CASES: FaultCase[] = [
  {
    name: 'connection refused',
    fault: 'closed',
    kind: 'offline',
    exit: 3,
    message: /connection was refused/,
    maxMs: 8_000,
  },
  {
    name: 'connection reset mid-body',
    fault: (req, res) => {
      const body = JSON.stringify(GOOD);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.write(body.slice(0, 200));
      setTimeout(() => req.socket.resetAndDestroy(), 30);
    },
    kind: 'offline',
    exit: 3,
    message: /closed before the answer was complete/,
    maxMs: 8_000,
    attempts: 3,
  },
  {
    name: 'a body trickling one byte a second',
    fault: (_req, res) => trickle(res),
    kind: 'timeout',
    exit: 3,
    message: /did not finish sending its answer within 1\.5 s/,
    maxMs: 6_000,
    attempts: 1,
    minMs: 1_400,
  },
  {
    name: 'a 10 MB body',
    fault: (_req, res) => tenMegabytes(res),
    kind: 'tooLarge',
    exit: 4,
    message: /larger than 1024 KiB/,
    maxMs: 8_000,
    attempts: 1,
  },
  {
    name: 'a 10 MB body announced by Content-Length',
    fault: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) });
      res.write('{');
    },
    kind: 'tooLarge',
    exit: 4,
    message: /10485760 bytes declared/,
    maxMs: 8_000,
  },
  {
    name: 'HTML from a 502 gateway',
    fault: (req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end(
        `<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><!-- ${echoToken(req)} --><hr><center>nginx</center></body></html>`,
      );
    },
    kind: 'server',
    exit: 3,
    message: /HTTP 502 with an HTML page instead of JSON/,
    maxMs: 8_000,
    attempts: 3,
  },
  {
    name: 'valid JSON of the wrong shape',
    fault: (_req, res) =>
      sendJson(res, 200, {
        ...GOOD,
        bands: [{ ...GOOD.bands[0], allocated: { currency: 'USD', amount_micros: 150.5 } }],
      }),
    kind: 'invalidPayload',
    exit: 4,
    message: /wrong shape: bands\[0\]\.allocated\.amount_micros/,
    maxMs: 8_000,
    attempts: 1,
  },
  {
    name: 'not JSON at all with a 200',
    fault: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('OK');
    },
    kind: 'invalidPayload',
    exit: 4,
    message: /text that is not JSON \(starting "OK"\)/,
    maxMs: 8_000,
  },
  {
    name: '401',
    fault: (req, res) => sendProblem(res, 401, 'Unauthorized', `Token ${echoToken(req)} is not valid.`),
    kind: 'unauthorized',
    exit: 5,
    message: /HTTP 401: Token Bearer \[redacted\] is not valid.*token was rejected/,
    maxMs: 8_000,
    attempts: 1,
  },
  {
    name: '403',
    fault: (_req, res) => sendProblem(res, 403, 'Forbidden', 'Scope bands:read missing.'),
    kind: 'forbidden',
    exit: 5,
    message: /HTTP 403: Scope bands:read missing/,
    maxMs: 8_000,
    attempts: 1,
  },
  {
    name: '429 with Retry-After (retried 3 times, each after the wait)',
    fault: (_req, res) => sendProblem(res, 429, 'Too many requests', 'Slow down.', { 'retry-after': '1' }),
    kind: 'rateLimited',
    exit: 3,
    message: /HTTP 429: Slow down.*retry after 1 s/,
    maxMs: 9_000,
    attempts: 3,
    minMs: 1_900,
  },
  {
    name: '404 (wrong endpoint URL)',
    fault: (_req, res) => sendProblem(res, 404, 'Not found', 'No route.'),
    kind: 'notFound',
    exit: 2,
    message: /HTTP 404.*no such resource at \/v1\/me\/bands/,
    maxMs: 8_000,
    attempts: 1,
  },
];

function assertNoToken(token: string, where: string, ...texts: string[]): void {
  for (const text of texts) assert.ok(!text.includes(token), `the token appears in ${where}`);
}

function cacheFilesText(dir: string): string {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return '';
  }
  return names.map((name) => readFileSync(join(dir, name), 'utf8')).join('\n');
}

describe('api faults: each failure, its kind, its exit code, its message, the stale fallback', function () {
  this.timeout(60_000);

  for (const c of CASES) {
    describe(c.name, () => {
      let server: TestServer;
      let dir: ReturnType<typeof tempDir>;
      const token = makeToken();
      let url: string;

      beforeEach(async () => {
        dir = tempDir();
        server = await startServer((_req, res) => sendJson(res, 200, GOOD, { etag: '"good"' }));
        url = server.url;
      });
      afterEach(async () => {
        await server.close();
        dir.remove();
      });

      async function breakIt(): Promise<void> {
        if (c.fault === 'closed') await server.close();
        else server.handle(c.fault);
        server.requests.length = 0;
      }

      // the CLI's transport (undici's agent) and the extension's (the global fetch VS Code routes)
      const senders: [string, SenderFactory][] = [
        ['undici', createUndiciSender],
        ['fetch', createFetchSender],
      ];
      for (const [senderName, sender] of senders)
        it(`client over ${senderName}: ${c.kind}, a message naming the cause, within ${c.maxMs} ms`, async () => {
          await breakIt();
          const client = new BandsClient({
            baseUrl: url,
            token,
            timeouts: SHORT,
            retry: { baseDelayMs: 50 },
            env: {},
            sender,
          });
          const started = Date.now();
          const error = await client.getBands().then(
            () => assert.fail('expected a failure'),
            (e: unknown) => e,
          );
          const ms = Date.now() - started;
          await client.close();
          assert.ok(error instanceof ApiError, `not an ApiError: ${String(error)}`);
          assert.equal(error.kind, c.kind, error.message);
          assert.match(error.message, c.message);
          assert.equal(exitCodeFor(error), c.exit);
          assert.ok(ms < c.maxMs, `took ${ms} ms`);
          if (c.minMs !== undefined) assert.ok(ms >= c.minMs, `took only ${ms} ms`);
          if (c.attempts !== undefined && c.fault !== 'closed')
            assert.equal(server.requests.length, c.attempts, 'attempts');
          assertNoToken(
            token,
            'the thrown error',
            error.message,
            String(error.stack),
            inspect(error, { depth: 5 }),
            JSON.stringify(error.problem ?? {}),
          );
        });

      it('loadBands: the last good document, stale, with the error', async () => {
        const source: SourceConfig = {
          kind: 'endpoint',
          baseUrl: url,
          token,
          timeouts: SHORT,
          retry: { baseDelayMs: 50 },
          env: {},
        };
        const first = await loadBands(source, { now: new Date('2026-11-28T21:00:00Z'), cacheDir: dir.path });
        assert.equal(first.stale, false);
        await breakIt();
        const second = await loadBands(source, { now: new Date('2026-11-28T21:05:00Z'), cacheDir: dir.path });
        assert.equal(second.stale, true);
        assert.equal(second.error?.kind, c.kind);
        assert.equal(second.fetchedAt, '2026-11-28T21:00:00.000Z');
        assert.deepEqual(second.document, first.document);
        assertNoToken(token, 'the cache file', cacheFilesText(dir.path));
      });

      it(`spend-band status: exit ${c.exit}, one stderr line, stale bands when cached, the error alone when not`, async () => {
        const env = {
          SPEND_BAND_TOKEN: token,
          SPEND_BAND_CACHE: dir.path,
          HOME: dir.path,
          SPEND_BAND_CONFIG: join(dir.path, 'none.json'),
        };
        const good = await runCli(['status', '--endpoint', url, '--json'], env);
        assert.equal(good.code, 0, good.stderr);
        await breakIt();
        const stale = await runCli(['status', '--endpoint', url, '--json', '--timeout', CLI_TIMEOUT], env);
        assert.equal(stale.code, c.exit, stale.stderr);
        const json = JSON.parse(stale.stdout);
        assert.equal(json.stale, true);
        assert.equal(json.error.code, c.kind);
        assert.equal(json.bands[0].id, GOOD.bands[0].id);
        assert.equal(stale.stderr.trim().split('\n').length, 1, stale.stderr);
        assert.match(stale.stderr, /^spend-band: /);
        assert.match(stale.stderr, /Showing the last good bands/);

        const text = await runCli(['status', '--endpoint', url, '--timeout', CLI_TIMEOUT], env);
        assert.equal(text.code, c.exit);
        assert.match(text.stdout, /STALE \(last good data from /);
        assert.match(text.stdout, /Deep coding/);

        const nothingCached = await runCli(['status', '--endpoint', url, '--json', '--timeout', CLI_TIMEOUT], {
          ...env,
          SPEND_BAND_CACHE: join(dir.path, 'empty'),
        });
        assert.equal(nothingCached.code, c.exit, nothingCached.stderr);
        assert.equal(JSON.parse(nothingCached.stdout).error.code, c.kind);
        assert.equal(nothingCached.stderr.trim().split('\n').length, 1);
        assert.ok(nothingCached.ms < 30_000, `took ${nothingCached.ms} ms`);
        assertNoToken(
          token,
          'CLI output',
          good.stdout,
          good.stderr,
          stale.stdout,
          stale.stderr,
          text.stdout,
          text.stderr,
          nothingCached.stdout,
          nothingCached.stderr,
        );
        assertNoToken(token, 'the cache file', cacheFilesText(dir.path));
      });
    });
  }

  for (const [senderName, sender] of [
    ['undici', createUndiciSender],
    ['fetch', createFetchSender],
  ] as [string, SenderFactory][]) {
    it(`https:// to a plain HTTP server over ${senderName}: says it is not TLS and names the http:// URL, no OpenSSL dump`, async () => {
      const server = await startServer((_req, res) => sendJson(res, 200, GOOD));
      try {
        const httpsUrl = server.url.replace(/^http:/, 'https:');
        const client = new BandsClient({ baseUrl: httpsUrl, token: makeToken(), timeouts: SHORT, env: {}, sender });
        const error = await client.getBands().then(
          () => assert.fail('expected a failure'),
          (e: unknown) => e,
        );
        await client.close();
        assert.ok(error instanceof ApiError, String(error));
        assert.equal(error.kind, 'invalidPayload', error.message);
        assert.ok(error.message.includes(`use ${server.url.replace(/\/$/, '')} instead`), error.message);
        assert.doesNotMatch(error.message, /ssl3_record|SSL routines/);
      } finally {
        await server.close();
      }
    });
  }

  it('spend-band status with no token set: the 401 says no token was sent, not that it was rejected', async () => {
    const dir = tempDir();
    const server = await startServer((req, res) =>
      req.headers.authorization
        ? sendJson(res, 200, GOOD)
        : sendProblem(res, 401, 'Unauthorized', 'A bearer token is required.'),
    );
    try {
      const env = { SPEND_BAND_CACHE: dir.path, HOME: dir.path, SPEND_BAND_CONFIG: join(dir.path, 'none.json') };
      const run = await runCli(['status', '--endpoint', server.url, '--json'], env);
      assert.equal(run.code, 5, run.stderr);
      assert.match(run.stderr, /no token was sent/);
      assert.doesNotMatch(run.stderr, /token was rejected/);
      const withToken = await runCli(['status', '--endpoint', server.url, '--json'], {
        ...env,
        SPEND_BAND_TOKEN: makeToken(),
      });
      assert.equal(withToken.code, 0, withToken.stderr);
    } finally {
      await server.close();
      dir.remove();
    }
  });
});
