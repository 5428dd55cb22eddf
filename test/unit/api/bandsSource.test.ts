// loadBands and the CLI on the paths that are not faults: 304 re-validation, retries that succeed,
// unknown enum values shown, offline mode, the local source, and how flags pick a source.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../../src/api/apiError';
import { BandsClient } from '../../../src/api/bandsClient';
import { loadBands, sourceKey, type SourceConfig } from '../../../src/api/bandsSource';
import { fixture, makeToken, runCli, sendJson, sendProblem, startServer, tempDir, type TestServer } from './apiTestKit';

const GOOD = fixture('bandsDocument.json');

describe('api/bandsSource', function () {
  this.timeout(60_000);
  let server: TestServer;
  let dir: ReturnType<typeof tempDir>;
  const token = makeToken();

  beforeEach(async () => {
    dir = tempDir();
    server = await startServer((req, res) => {
      if (req.headers['if-none-match'] === '"v7"') {
        res.writeHead(304, { etag: '"v7"' });
        res.end();
        return;
      }
      sendJson(res, 200, GOOD, { etag: '"v7"' });
    });
  });
  afterEach(async () => {
    await server.close();
    dir.remove();
  });

  it('re-validates with If-None-Match: a 304 serves the cached document as fresh, with a new fetched_at', async () => {
    const source: SourceConfig = { kind: 'endpoint', baseUrl: server.url, token, env: {} };
    const first = await loadBands(source, { now: new Date('2026-11-28T21:00:00Z'), cacheDir: dir.path });
    assert.equal(first.etag, '"v7"');
    const second = await loadBands(source, { now: new Date('2026-11-28T21:01:00Z'), cacheDir: dir.path });
    assert.equal(server.requests[1]!.headers['if-none-match'], '"v7"');
    assert.equal(second.stale, false);
    assert.equal(second.fetchedAt, '2026-11-28T21:01:00.000Z');
    assert.deepEqual(second.document, first.document);
    // the cache now remembers the re-validation time too
    server.handle((_req, res) => sendProblem(res, 503, 'Down', 'maintenance'));
    const third = await loadBands(
      { ...source, retry: { tries: 1 } },
      { now: new Date('2026-11-28T21:02:00Z'), cacheDir: dir.path },
    );
    assert.equal(third.stale, true);
    assert.equal(third.fetchedAt, '2026-11-28T21:01:00.000Z');
  });

  it('spend-band status after a 304: exit 0, not stale', async () => {
    const env = {
      SPEND_BAND_TOKEN: token,
      SPEND_BAND_CACHE: dir.path,
      HOME: dir.path,
      SPEND_BAND_ENDPOINT: server.url,
    };
    assert.equal((await runCli(['status', '--json'], env)).code, 0);
    const again = await runCli(['status', '--json'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(server.requests.at(-1)!.headers['if-none-match'], '"v7"');
    const json = JSON.parse(again.stdout);
    assert.equal(json.stale, false);
    assert.equal(json.source, 'endpoint');
    assert.equal(json.error, undefined);
    assert.equal(json.bands.length, 2);
  });

  it('honours Retry-After on a 429 and succeeds on the retry; a 503 is retried with backoff', async () => {
    let calls = 0;
    server.handle((_req, res) => {
      calls++;
      if (calls === 1) return sendProblem(res, 429, 'Too many requests', 'Slow down.', { 'retry-after': '1' });
      if (calls === 2) return sendProblem(res, 503, 'Unavailable', 'Restarting.');
      sendJson(res, 200, GOOD);
    });
    const client = new BandsClient({ baseUrl: server.url, token, retry: { baseDelayMs: 100 }, env: {} });
    const started = Date.now();
    const answer = await client.getBands();
    const ms = Date.now() - started;
    await client.close();
    assert.ok('document' in answer);
    assert.equal(calls, 3);
    assert.ok(ms >= 1_000, `Retry-After: 1 was not honoured (${ms} ms)`);
  });

  it('does not wait for a Retry-After longer than the policy allows: the error carries it', async () => {
    server.handle((_req, res) =>
      sendProblem(res, 429, 'Too many requests', 'Come back in an hour.', { 'retry-after': '3600' }),
    );
    const client = new BandsClient({ baseUrl: server.url, token, env: {} });
    const error = await client.getBands().catch((e: unknown) => e);
    await client.close();
    assert.ok(error instanceof ApiError);
    assert.equal(error.kind, 'rateLimited');
    assert.equal(error.retryAfterMs, 3_600_000);
    assert.equal(server.requests.length, 1);
  });

  it('never retries a 4xx other than 429', async () => {
    server.handle((_req, res) => sendProblem(res, 422, 'Unprocessable', 'Idempotency key reused with another body.'));
    const client = new BandsClient({ baseUrl: server.url, token, env: {} });
    const error = await client.getBands().catch((e: unknown) => e);
    await client.close();
    assert.ok(error instanceof ApiError && error.kind === 'conflict');
    assert.equal(server.requests.length, 1);
  });

  it('accepts unknown open-enum values and shows them (workflow, provider, vendor)', async () => {
    const doc = structuredClone(GOOD);
    doc.bands[0].workflow = 'pair_programming_v2';
    doc.bands[0].label = undefined;
    doc.bands[0].sources[0].provider = 'mystery_gateway';
    doc.seats[0].vendor = 'zed_industries';
    server.handle((_req, res) => sendJson(res, 200, doc));
    const result = await loadBands(
      { kind: 'endpoint', baseUrl: server.url, token, env: {} },
      { now: new Date('2026-11-28T21:00:00Z') },
    );
    assert.equal(result.document.bands[0]!.workflow, 'pair_programming_v2');
    assert.equal(result.document.bands[0]!.sources![0]!.provider, 'mystery_gateway');
    const run = await runCli(['status', '--endpoint', server.url], {
      SPEND_BAND_TOKEN: token,
      SPEND_BAND_CACHE: dir.path,
      HOME: dir.path,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\[pair_programming_v2\]/);
  });

  it('--offline answers from the cache only, and says what to do when nothing is cached', async () => {
    const env = {
      SPEND_BAND_TOKEN: token,
      SPEND_BAND_CACHE: dir.path,
      HOME: dir.path,
      SPEND_BAND_ENDPOINT: server.url,
    };
    const none = await runCli(['status', '--offline', '--json'], env);
    assert.equal(none.code, 3);
    assert.match(none.stderr, /nothing is cached yet.*run once without --offline/);
    assert.equal(server.requests.length, 0);
    assert.equal((await runCli(['status'], env)).code, 0);
    const count = server.requests.length;
    const cached = await runCli(['status', '--offline', '--json'], env);
    assert.equal(cached.code, 0, cached.stderr);
    assert.equal(JSON.parse(cached.stdout).stale, true);
    assert.equal(server.requests.length, count);
  });

  it('local source: the config file as a document, zero usage until metering, or metered usage when given', async () => {
    const config = { currency: 'USD', timezone: 'UTC', bands: [{ workflow: 'review', allocated_usd: 40 }] };
    const result = await loadBands({ kind: 'local', config }, { now: new Date('2026-11-28T21:00:00Z') });
    assert.equal(result.source, 'local');
    assert.equal(result.stale, false);
    assert.equal(result.document.bands[0]!.used.amount_micros, 0);
    const metered = await loadBands(
      { kind: 'local', config },
      {
        now: new Date('2026-11-28T21:00:00Z'),
        localUsage: async () => ({
          usedByWorkflow: new Map([['review', 12_500_000]]),
          asOf: new Date('2026-11-28T20:59:00Z'),
          provider: 'local_logs',
        }),
      },
    );
    assert.equal(metered.document.bands[0]!.used.amount_micros, 12_500_000);

    const file = join(dir.path, 'config.json');
    writeFileSync(file, JSON.stringify(config));
    const run = await runCli(['status', '--json'], {
      SPEND_BAND_CONFIG: file,
      HOME: dir.path,
      SPEND_BAND_CACHE: dir.path,
    });
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout);
    assert.equal(json.source, 'local');
    assert.equal(json.bands[0].workflow, 'review');
  });

  it('CLI flags: insecure http refused (exit 2), --allow-insecure-http lets it through, tokens only from the environment', async () => {
    const env = { SPEND_BAND_TOKEN: token, SPEND_BAND_CACHE: dir.path, HOME: dir.path };
    const refused = await runCli(['status', '--endpoint', 'http://budget.invalid', '--json'], env);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /refusing to send the token over plain http:\/\/ to budget\.invalid.*--allow-insecure-http/,
    );
    const allowed = await runCli(
      ['status', '--endpoint', 'http://budget.invalid', '--allow-insecure-http', '--timeout', '3'],
      env,
    );
    // allowed through the check: now it fails on the network (the .invalid TLD never resolves)
    assert.equal(allowed.code, 3, allowed.stderr);
    assert.match(allowed.stderr, /could not be resolved|cannot reach/);

    const missing = await runCli(['status', '--source', 'litellm', '--endpoint', server.url], {
      HOME: dir.path,
      SPEND_BAND_CACHE: dir.path,
    });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /needs a token: put your LiteLLM virtual key in SPEND_BAND_TOKEN/);
    const named = await runCli(['status', '--token-env', 'MY_BUDGET_TOKEN', '--endpoint', server.url, '--json'], {
      HOME: dir.path,
      SPEND_BAND_CACHE: dir.path,
      MY_BUDGET_TOKEN: token,
    });
    assert.equal(named.code, 0, named.stderr);
    assert.equal(server.requests.at(-1)!.headers.authorization, `Bearer ${token}`);
    const unset = await runCli(['status', '--token-env', 'NOPE_TOKEN', '--endpoint', server.url], { HOME: dir.path });
    assert.equal(unset.code, 2);
    assert.match(unset.stderr, /NOPE_TOKEN named by --token-env is empty or not set/);
    const badSource = await runCli(['status', '--source', 'copilot'], { HOME: dir.path });
    assert.equal(badSource.code, 2);
  });

  it('keys the cache by source and URL, never by token', () => {
    const a = sourceKey({ kind: 'endpoint', baseUrl: 'https://budget.example.com/', token: 'one' });
    const b = sourceKey({ kind: 'endpoint', baseUrl: 'https://budget.example.com', token: 'two' });
    assert.equal(a, b);
    assert.ok(!a.includes('one'));
    assert.notEqual(sourceKey({ kind: 'litellm', baseUrl: 'https://budget.example.com' }), a);
  });
});
