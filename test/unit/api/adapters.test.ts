// The LiteLLM and OpenRouter adapters, fed the fixture bodies by a loopback server that routes like the
// real ones, through loadBands (what the extension calls) and through `spend-band status`.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadBands } from '../../../src/api/bandsSource';
import { parseLitellmDuration, vendorInstant } from '../../../src/api/adapterSupport';
import { fixture, makeToken, runCli, sendJson, sendProblem, startServer, tempDir, type TestServer } from './apiTestKit';

const NOW = new Date('2026-11-28T21:00:00Z');

type Routes = Record<string, (req: IncomingMessage, res: ServerResponse) => void>;

function router(routes: Routes) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes[path];
    if (route) route(req, res);
    else sendJson(res, 404, { detail: 'Not Found' });
  };
}

const json = (name: string) => (_req: IncomingMessage, res: ServerResponse) => sendJson(res, 200, fixture(name));

describe('api adapters', function () {
  this.timeout(60_000);
  let server: TestServer;
  let dir: ReturnType<typeof tempDir>;
  const token = makeToken();

  beforeEach(async () => {
    dir = tempDir();
    server = await startServer((_req, res) => sendJson(res, 404, {}));
  });
  afterEach(async () => {
    await server.close();
    dir.remove();
  });

  describe('LiteLLM', () => {
    it('a personal key: key and user budgets as `all` bands, soft budget and 85 % as warnings, the tighter layer first', async () => {
      server.handle(
        router({ '/key/info': json('litellm/keyInfo.personal.json'), '/user/info': json('litellm/userInfo.json') }),
      );
      const result = await loadBands({ kind: 'litellm', baseUrl: server.url, token, env: {} }, { now: NOW });
      const doc = result.document;
      assert.equal(result.source, 'litellm');
      assert.deepEqual(
        doc.bands.map((b) => [
          b.id,
          b.workflow,
          b.allocated.amount_micros,
          b.used.amount_micros,
          b.remaining.amount_micros,
        ]),
        [
          ['litellm-key', 'all', 50_000_000, 12_345_679, 37_654_321],
          ['litellm-user', 'all', 200_000_000, 88_500_000, 111_500_000],
        ],
      );
      const key = doc.bands[0]!;
      assert.deepEqual(key.thresholds, [
        { percent: 80, severity: 'warn' },
        { percent: 85, severity: 'warn' },
        { percent: 100, severity: 'critical' },
      ]);
      assert.equal(key.enforcement, 'hard');
      assert.deepEqual(key.period, {
        interval: 'P1M',
        start: '2026-11-01T00:00:00.000Z',
        end: '2026-12-01T00:00:00.000Z',
        timezone: 'UTC',
      });
      assert.equal(key.status, 'ok');
      assert.equal(key.sources![0]!.provider, 'litellm');
      assert.equal(doc.bands[1]!.period.interval, 'P1M');
      assert.deepEqual(doc.developer, { id: 'ada@example.com', display_name: 'Ada', email: 'ada@example.com' });
      assert.equal(doc.role.id, 'internal_user');
      assert.deepEqual(doc.capabilities, {
        session_tags: false,
        preflight: false,
        increase_requests: false,
        usage_history: false,
      });
      assert.deepEqual(result.unbudgeted, []);
      const userCall = server.requests.find((r) => r.url.startsWith('/user/info'))!;
      assert.equal(new URL(userCall.url, server.url).searchParams.get('user_id'), 'ada@example.com');
      assert.ok(server.requests.every((r) => r.headers.authorization === `Bearer ${token}`));
    });

    it('a team key: the member budget and the team ceiling, no personal budget, the key spend without a limit as unbudgeted', async () => {
      server.handle(
        router({
          '/key/info': json('litellm/keyInfo.team.json'),
          '/team/info': json('litellm/teamInfo.json'),
          '/user/info': json('litellm/userInfo.json'),
        }),
      );
      const result = await loadBands({ kind: 'litellm', baseUrl: server.url, token, env: {} }, { now: NOW });
      const bands = result.document.bands;
      assert.deepEqual(
        bands.map((b) => [b.id, b.allocated.amount_micros, b.used.amount_micros, b.period.interval]),
        [
          ['litellm-team-member-team-platform', 100_000_000, 41_100_000, 'P1W'],
          ['litellm-team-team-platform', 1_000_000_000, 640_250_000, 'P1M'],
        ],
      );
      assert.equal(bands[0]!.period.start, '2026-11-23T00:00:00.000Z');
      assert.match(bands[1]!.label!, /Team Platform \(whole team\)/);
      assert.deepEqual(
        bands[1]!.thresholds.map((t) => t.percent),
        [80, 85, 100],
      );
      assert.equal(result.unbudgeted.length, 1);
      assert.equal(result.unbudgeted[0]!.used.amount_micros, 3_200_000);
      assert.equal(result.unbudgeted[0]!.period, undefined);
      assert.ok(
        !server.requests.some((r) => r.url.startsWith('/user/info')),
        'a team key reads the team budget, not the personal one',
      );
    });

    it('max_budget: null everywhere: no band is invented, the spend is still shown (CLI text and JSON)', async () => {
      server.handle(router({ '/key/info': json('litellm/keyInfo.noBudget.json') }));
      const result = await loadBands({ kind: 'litellm', baseUrl: server.url, token, env: {} }, { now: NOW });
      assert.deepEqual(result.document.bands, []);
      assert.deepEqual(
        result.unbudgeted.map((u) => [u.id, u.used.amount_micros, u.label]),
        [['litellm-key', 7_500_000, 'LiteLLM key ci-runner (no budget set)']],
      );
      const env = { SPEND_BAND_TOKEN: token, SPEND_BAND_CACHE: dir.path, HOME: dir.path };
      const text = await runCli(['status', '--source', 'litellm', '--endpoint', server.url], env);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /LiteLLM key ci-runner \(no budget set\): \$7\.50 spent in all/);
      const asJson = await runCli(['status', '--source', 'litellm', '--endpoint', server.url, '--json'], env);
      assert.equal(JSON.parse(asJson.stdout).unbudgeted[0].used.amount_micros, 7_500_000);
    });

    it('skips a layer the key may not read (403), but a failing lookup (500) fails the load', async () => {
      server.handle(
        router({
          '/key/info': json('litellm/keyInfo.personal.json'),
          '/user/info': (_q, res) => sendProblem(res, 403, 'Forbidden', 'not allowed'),
        }),
      );
      const partial = await loadBands({ kind: 'litellm', baseUrl: server.url, token, env: {} }, { now: NOW });
      assert.deepEqual(
        partial.document.bands.map((b) => b.id),
        ['litellm-key'],
      );
      server.handle(
        router({
          '/key/info': json('litellm/keyInfo.personal.json'),
          '/user/info': (_q, res) => sendProblem(res, 500, 'Boom', 'db down'),
        }),
      );
      await assert.rejects(
        loadBands({ kind: 'litellm', baseUrl: server.url, token, env: {}, retry: { tries: 1 } }, { now: NOW }),
        /HTTP 500/,
      );
    });

    it('names the path of a wrong field in the LiteLLM answer', async () => {
      server.handle(
        router({ '/key/info': (_q, res) => sendJson(res, 200, { info: { spend: 'a lot', max_budget: 10 } }) }),
      );
      await assert.rejects(
        loadBands({ kind: 'litellm', baseUrl: server.url, token, env: {} }, { now: NOW }),
        /GET \/key\/info with JSON of the wrong shape: info\.spend/,
      );
    });

    it('reads LiteLLM durations and naive timestamps the way LiteLLM resets', () => {
      assert.equal(parseLitellmDuration('30d')!.interval, 'P1M');
      assert.equal(parseLitellmDuration('1mo')!.interval, 'P1M');
      assert.equal(parseLitellmDuration('7d')!.interval, 'P1W');
      assert.equal(parseLitellmDuration('1d')!.interval, 'P1D');
      assert.equal(parseLitellmDuration('24h')!.interval, 'PT24H');
      assert.equal(parseLitellmDuration('monthly'), undefined);
      assert.equal(vendorInstant('2026-12-01T00:00:00'), '2026-12-01T00:00:00.000Z');
      assert.equal(vendorInstant('2026-12-01T00:00:00.123456+01:00'), '2026-11-30T23:00:00.123Z');
      assert.equal(vendorInstant('2026-12-01 00:00:00'), '2026-12-01T00:00:00.000Z');
      assert.equal(vendorInstant('soon'), undefined);
    });
  });

  describe('OpenRouter', () => {
    it('a monthly limit: one `all` band for this UTC month, remaining as OpenRouter states it', async () => {
      server.handle(router({ '/api/v1/key': json('openrouter/key.monthly.json') }));
      const result = await loadBands({ kind: 'openrouter', baseUrl: server.url, token, env: {} }, { now: NOW });
      const [band, ...rest] = result.document.bands;
      assert.equal(rest.length, 0);
      assert.equal(band!.workflow, 'all');
      assert.equal(band!.allocated.amount_micros, 100_000_000);
      assert.equal(band!.used.amount_micros, 37_500_000);
      assert.equal(band!.remaining.amount_micros, 62_500_000);
      assert.equal(band!.enforcement, 'hard');
      assert.deepEqual(band!.period, {
        interval: 'P1M',
        start: '2026-11-01T00:00:00+00:00',
        end: '2026-12-01T00:00:00+00:00',
        timezone: 'UTC',
      });
      assert.equal(result.document.developer.id, 'user_2abcDEF');
      assert.equal(result.document.capabilities.preflight, false);
    });

    it('a weekly limit uses the weekly usage and Monday-start UTC weeks', async () => {
      server.handle(router({ '/api/v1/key': json('openrouter/key.weekly.json') }));
      const result = await loadBands(
        { kind: 'openrouter', baseUrl: `${server.url}/api/v1`, token, env: {} },
        { now: NOW },
      );
      const band = result.document.bands[0]!;
      assert.equal(band.used.amount_micros, 18_000_000);
      assert.equal(band.status, 'warn');
      assert.equal(band.period.start, '2026-11-23T00:00:00+00:00');
      assert.equal(server.requests[0]!.url, '/api/v1/key');
    });

    it("limit: null: no band is invented; this month's spend is shown as unbudgeted (CLI too)", async () => {
      server.handle(router({ '/api/v1/key': json('openrouter/key.unlimited.json') }));
      const result = await loadBands({ kind: 'openrouter', baseUrl: server.url, token, env: {} }, { now: NOW });
      assert.deepEqual(result.document.bands, []);
      assert.equal(result.unbudgeted[0]!.used.amount_micros, 4_250_000);
      assert.equal(result.unbudgeted[0]!.period!.interval, 'P1M');
      assert.match(result.document.role.label!, /free tier/);
      const run = await runCli(['status', '--source', 'openrouter', '--endpoint', server.url], {
        SPEND_BAND_TOKEN: token,
        SPEND_BAND_CACHE: dir.path,
        HOME: dir.path,
      });
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stdout,
        /OpenRouter key sk-or-v1-0pn\.\.\.777 \(no limit set\): \$4\.25 spent [A-Z][a-z]{2} 1–[A-Z][a-z]{2} (28|29|30|31)\n/,
      );
    });

    it('falls back to the older /api/v1/auth/key on a 404', async () => {
      server.handle(router({ '/api/v1/auth/key': json('openrouter/key.monthly.json') }));
      const result = await loadBands({ kind: 'openrouter', baseUrl: server.url, token, env: {} }, { now: NOW });
      assert.equal(result.document.bands.length, 1);
      assert.deepEqual(
        server.requests.map((r) => r.url),
        ['/api/v1/key', '/api/v1/auth/key'],
      );
    });

    it('refuses a reset cadence it does not know instead of guessing a period', async () => {
      const body = fixture('openrouter/key.monthly.json');
      body.data.limit_reset = 'quarterly';
      server.handle(router({ '/api/v1/key': (_q, res) => sendJson(res, 200, body) }));
      await assert.rejects(
        loadBands({ kind: 'openrouter', baseUrl: server.url, token, env: {} }, { now: NOW }),
        (e: Error) => /quarterly/.test(e.message) && (e as { kind?: string }).kind === 'invalidPayload',
      );
    });

    it('a key that runs out: 403 from OpenRouter is forbidden (exit 5), cached bands still shown', async () => {
      server.handle(router({ '/api/v1/key': json('openrouter/key.monthly.json') }));
      const env = { SPEND_BAND_TOKEN: token, SPEND_BAND_CACHE: dir.path, HOME: dir.path };
      assert.equal((await runCli(['status', '--source', 'openrouter', '--endpoint', server.url], env)).code, 0);
      server.handle((_req, res) => sendJson(res, 403, { error: { code: 403, message: 'Key limit exceeded' } }));
      const run = await runCli(['status', '--source', 'openrouter', '--endpoint', server.url], env);
      assert.equal(run.code, 5);
      assert.match(run.stdout, /STALE/);
      assert.match(run.stderr, /HTTP 403/);
    });
  });
});
