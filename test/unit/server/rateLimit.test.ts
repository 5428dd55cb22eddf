// Issue #20 finding 12: per-token rate limits over real HTTP. A token over its limit gets 429 with
// Retry-After and an RFC 9457 body; another token is not affected; reads and writes are counted
// apart; the bucket refills with time; the project's own API client waits for Retry-After and
// gets its answer.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BandsClient } from '../../../src/api/bandsClient';
import { startServer } from '../../../src/server/main';
import { parseRateLimit, RateLimiter } from '../../../src/server/rateLimit';
import { admin, api, assertProblem, key, startHarness, usd, type Harness } from './serverHarness';

describe('reference server: per-token rate limits (#20)', function () {
  this.timeout(60_000);
  let h: Harness;

  afterEach(async () => {
    await h?.close();
  });

  it('answers 429 with Retry-After and a problem body once a token has used its burst, and only for that token', async () => {
    h = await startHarness({ rateLimit: { read: { perMinute: 60, burst: 3 }, write: { perMinute: 6, burst: 2 } } });
    for (let i = 0; i < 3; i++) assert.equal((await api(h, 'GET', '/v1/me/bands')).status, 200, `read ${i + 1}`);
    const refused = await api(h, 'GET', '/v1/me/bands');
    assertProblem(refused, 429, 'rate_limit');
    assert.equal(refused.headers.get('retry-after'), '1', 'one read a second refills');
    assert.match(refused.json.detail, /Retry after 1 s/);

    // Another token of the same developer has its own bucket.
    const issued = await admin(h.dbPath, ['token', 'issue', '--developer', 'demo']);
    assert.equal(issued.code, 0, issued.stderr);
    const other = issued.stdout.trim();
    assert.equal((await api(h, 'GET', '/v1/me/bands', { token: other })).status, 200);

    // Writes are counted apart from reads: the exhausted read bucket does not block a pre-flight.
    const preflight = () =>
      api(h, 'POST', '/v1/me/preflight', {
        body: { client_run_id: key(), workflow: 'background_automation', estimate: { cost: usd(0.01) } },
      });
    assert.equal((await preflight()).status, 200);
    assert.equal((await preflight()).status, 200);
    const third = await preflight();
    assertProblem(third, 429, 'rate_limit');
    assert.equal(third.headers.get('retry-after'), '10', 'six writes a minute: one every 10 s');

    // Time refills the bucket.
    h.clock.advance(10_000);
    assert.equal((await preflight()).status, 200);
    assert.equal((await api(h, 'GET', '/v1/me/bands')).status, 200);
  });

  it('limits every authenticated route, and does not spend a bucket on a refused token', async () => {
    h = await startHarness({ rateLimit: { read: { perMinute: 60, burst: 1 }, write: { perMinute: 60, burst: 1 } } });
    assert.equal((await api(h, 'GET', '/v1/me/requests')).status, 200);
    for (const path of [
      '/v1/me/bands',
      '/v1/me/usage?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z',
      '/v1/me/requests',
      '/v1/me/requests/req_x',
    ]) {
      assertProblem(await api(h, 'GET', path), 429, 'rate_limit');
    }
    assert.equal(
      (await api(h, 'POST', '/v1/me/session-tags', { body: { items: [] }, idempotencyKey: key() })).status !== 429,
      true,
    );
    for (const path of ['/v1/me/session-tags', '/v1/me/preflight', '/v1/me/requests', '/v1/me/requests/req_x/cancel']) {
      assertProblem(await api(h, 'POST', path, { body: {}, idempotencyKey: key() }), 429, 'rate_limit');
    }
    // An unknown token is a 401, not a 429: limits are per known token.
    assertProblem(await api(h, 'GET', '/v1/me/bands', { token: 'sbt_unknown' }), 401, 'authentication');
  });

  it('can be turned off', async () => {
    h = await startHarness({ rateLimit: false });
    for (let i = 0; i < 150; i++) assert.equal((await api(h, 'GET', '/v1/me/bands')).status, 200);
  });

  it('the API client waits for Retry-After and then gets its answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spend-band-rate-'));
    const server = await startServer({
      dbPath: join(dir, 'server.db'),
      port: 0,
      demo: true,
      log: () => undefined,
      rateLimit: { read: { perMinute: 60, burst: 1 }, write: { perMinute: 60, burst: 1 } },
    });
    const client = new BandsClient({
      baseUrl: server.url,
      token: server.demoToken!,
      retry: { tries: 2, baseDelayMs: 10, maxDelayMs: 10 },
    });
    h = { close: async () => undefined } as unknown as Harness;
    try {
      await client.getBands();
      const started = Date.now();
      const second = await client.getBands();
      const waited = Date.now() - started;
      assert.ok('document' in second);
      assert.ok(waited >= 900, `the client retried after ${waited} ms, before the Retry-After of 1 s`);
    } finally {
      await client.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses SPEND_BAND_RATE_LIMIT and keeps buckets honest when the clock steps back', () => {
    assert.equal(parseRateLimit('off'), false);
    assert.deepEqual(parseRateLimit('600,120'), {
      read: { perMinute: 600, burst: 120 },
      write: { perMinute: 120, burst: 24 },
    });
    assert.deepEqual(parseRateLimit('3'), { read: { perMinute: 3, burst: 1 }, write: { perMinute: 3, burst: 1 } });
    assert.throws(() => parseRateLimit('fast'), /expected off, or calls a minute per token/);
    assert.throws(() => parseRateLimit('0,5'), /expected off/);
    const limiter = new RateLimiter({ perMinute: 60, burst: 1 });
    assert.equal(limiter.take('k', 10_000), 0);
    assert.equal(limiter.take('k', 5_000), 1000, 'a step back refills nothing');
    assert.equal(limiter.take('k', 11_000), 0);
  });
});
