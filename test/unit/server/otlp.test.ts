// OTLP/HTTP ingest: what an agent's own OpenTelemetry export does to the developer's usage and bands.
// Clients are the official OpenTelemetry JS SDK and its OTLP/HTTP exporters (JSON and protobuf),
// talking to a real reference server on 127.0.0.1.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { purgeOtlpPoints } from '../../../src/server/otlpStore';
import { openStorage } from '../../../src/server/storage/openStorage';
import { admin, api, assertProblem, startHarness, type Harness } from './serverHarness';
import { describeEngines } from './postgresKit';
import { exportLogs, exportMetrics, makeLogBatch, makeMeter, type Encoding } from './otelClients';

const CLAUDE_RESOURCE = { 'service.name': 'claude-code', 'service.version': '2.1.0' };

interface Totals {
  costMicros: number;
  requests: number;
  input: number;
  output: number;
  estimated: boolean;
  byWorkflow: Record<string, number>;
}

async function usageTotals(h: Pick<Harness, 'url' | 'token'>, fromMs: number, toMs: number): Promise<Totals> {
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  const r = await api(h, 'GET', `/v1/me/usage?from=${from}&to=${to}&granularity=P1D&group_by=workflow`);
  assert.equal(r.status, 200, r.text);
  const t: Totals = { costMicros: 0, requests: 0, input: 0, output: 0, estimated: false, byWorkflow: {} };
  for (const bucket of r.json.data) {
    for (const res of bucket.results) {
      t.costMicros += res.cost.amount_micros;
      t.requests += res.requests;
      t.input += res.tokens.input;
      t.output += res.tokens.output;
      t.estimated ||= res.estimated;
      t.byWorkflow[res.workflow] = (t.byWorkflow[res.workflow] ?? 0) + res.cost.amount_micros;
    }
  }
  return t;
}

function apiRequest(
  sessionId: string,
  requestId: string | undefined,
  costUsd: number,
  timeMs: number,
  extra: Record<string, string | number> = {},
) {
  return {
    body: 'claude_code.api_request',
    timeMs,
    attributes: {
      'event.name': 'api_request',
      'event.timestamp': new Date(timeMs).toISOString(),
      'session.id': sessionId,
      model: 'claude-sonnet-4-5-20250929',
      cost_usd: costUsd,
      duration_ms: 1200,
      input_tokens: 1000,
      output_tokens: 200,
      cache_read_tokens: 5000,
      cache_creation_tokens: 0,
      ...(requestId ? { request_id: requestId } : {}),
      ...extra,
    },
  };
}

describeEngines('reference server: OTLP ingest', function (engine) {
  this.timeout(60_000);
  let h: Harness;
  let now: number;
  let from: number;
  let to: number;

  beforeEach(async () => {
    now = Date.now();
    h = await startHarness({ nowMs: now, engine });
    from = now - 3 * 3_600_000;
    to = now + 3 * 3_600_000;
  });
  afterEach(async () => {
    await h.close();
  });

  for (const encoding of ['json', 'protobuf'] as Encoding[]) {
    it(`counts a Claude Code api_request event exported by the SDK (${encoding}) once, with its exact cost, even when the batch is sent twice`, async () => {
      const before = await usageTotals(h, from, to);
      const bandsBefore = await api(h, 'GET', '/v1/me/bands');
      const batch = await makeLogBatch({ ...CLAUDE_RESOURCE, 'spendband.workflow': 'deep_coding' }, [
        apiRequest('sess-1', `req_${randomUUID()}`, 0.123456, now - 60_000),
        apiRequest('sess-1', `req_${randomUUID()}`, 0.5, now - 30_000),
        // A record that carries no spend is accepted and ignored.
        {
          body: 'claude_code.user_prompt',
          timeMs: now - 61_000,
          attributes: { 'event.name': 'user_prompt', 'session.id': 'sess-1', prompt_length: 12 },
        },
      ]);
      const first = await exportLogs(h, encoding, batch);
      assert.equal(first.code, 0, String(first.error));
      const after = await usageTotals(h, from, to);
      assert.equal(after.costMicros - before.costMicros, 623_456);
      assert.equal(after.requests - before.requests, 2);
      assert.equal(after.input - before.input, 2000);

      const again = await exportLogs(h, encoding, batch);
      assert.equal(again.code, 0, String(again.error));
      const afterAgain = await usageTotals(h, from, to);
      assert.equal(afterAgain.costMicros, after.costMicros, 'a re-sent batch counts once');
      assert.equal(afterAgain.requests, after.requests);

      // The bands document changed with the usage: new ETag, and a 304 for the old one is gone.
      const bandsAfter = await api(h, 'GET', '/v1/me/bands', {
        headers: { 'if-none-match': bandsBefore.headers.get('etag')! },
      });
      assert.equal(bandsAfter.status, 200);
      assert.notEqual(bandsAfter.headers.get('etag'), bandsBefore.headers.get('etag'));
    });
  }

  it('reads gzip-compressed protobuf as the exporter sends it with compression on', async () => {
    const before = await usageTotals(h, from, to);
    const batch = await makeLogBatch(CLAUDE_RESOURCE, [apiRequest('sess-gz', `req_${randomUUID()}`, 1.25, now - 1000)]);
    const result = await exportLogs({ ...h, compression: 'gzip' }, 'protobuf', batch);
    assert.equal(result.code, 0, String(result.error));
    assert.equal((await usageTotals(h, from, to)).costMicros - before.costMicros, 1_250_000);
  });

  it('moves the band the gauge shows: used grows by the exported cost within one refresh', async () => {
    const bandOf = async () => {
      const doc = (await api(h, 'GET', '/v1/me/bands')).json;
      return doc.bands.find((b: { workflow: string }) => b.workflow === 'deep_coding');
    };
    const before = await bandOf();
    const batch = await makeLogBatch({ ...CLAUDE_RESOURCE, 'spendband.workflow': 'deep_coding' }, [
      apiRequest('sess-band', `req_${randomUUID()}`, 2.5, now - 1000),
    ]);
    assert.equal((await exportLogs(h, 'protobuf', batch)).code, 0);
    const after = await bandOf();
    assert.equal(after.used.amount_micros - before.used.amount_micros, 2_500_000);
  });

  it('takes the workflow class from the resource attribute spendband.workflow, else leaves it to the session tags', async () => {
    const tagged = await makeLogBatch({ ...CLAUDE_RESOURCE, 'spendband.workflow': 'review' }, [
      apiRequest('sess-w', `req_${randomUUID()}`, 0.75, now - 1000),
    ]);
    assert.equal((await exportLogs(h, 'json', tagged)).code, 0);
    const spanStart = new Date(now - 600_000).toISOString();
    const tagReply = await api(h, 'POST', '/v1/me/session-tags', {
      body: {
        items: [
          {
            id: randomUUID(),
            workflow: 'research',
            started_at: spanStart,
            ended_at: null,
            tool: { name: 'claude_code', version: '2.1.0' },
          },
        ],
      },
      idempotencyKey: randomUUID(),
    });
    assert.ok(tagReply.status < 300, tagReply.text);
    const untagged = await makeLogBatch(CLAUDE_RESOURCE, [
      apiRequest('sess-u', `req_${randomUUID()}`, 0.25, now - 1000),
    ]);
    assert.equal((await exportLogs(h, 'json', untagged)).code, 0);
    const t = await usageTotals(h, now - 2000, now);
    assert.equal(t.byWorkflow.review, 750_000);
    assert.equal(t.byWorkflow.research, 250_000);
  });

  it('uses cost and token metrics (delta) only for a session without events, once per batch, and drops them when its events arrive', async () => {
    const before = await usageTotals(h, from, to);
    const meter = makeMeter(CLAUDE_RESOURCE, 'delta');
    const attrs = { 'session.id': 'sess-m', model: 'claude-sonnet-4-5' };
    meter.cost.add(0.4, attrs);
    meter.tokens.add(1500, { ...attrs, type: 'input' });
    meter.tokens.add(300, { ...attrs, type: 'output' });
    const batch = await meter.collect();
    assert.equal((await exportMetrics(h, 'protobuf', batch)).code, 0);
    assert.equal((await exportMetrics(h, 'protobuf', batch)).code, 0, 'a retried export');
    const withMetrics = await usageTotals(h, from, to);
    assert.equal(withMetrics.costMicros - before.costMicros, 400_000);
    assert.equal(withMetrics.input - before.input, 1500);
    assert.equal(withMetrics.output - before.output, 300);

    // The session's events now arrive: they carry the session, the metric sums no longer count.
    const events = await makeLogBatch(CLAUDE_RESOURCE, [apiRequest('sess-m', `req_${randomUUID()}`, 0.4, now - 1000)]);
    assert.equal((await exportLogs(h, 'protobuf', events)).code, 0);
    meter.cost.add(0.9, attrs);
    assert.equal((await exportMetrics(h, 'json', await meter.collect())).code, 0);
    const withEvents = await usageTotals(h, from, to);
    assert.equal(withEvents.costMicros - before.costMicros, 400_000, 'the event alone, not event + metrics');
    assert.equal(withEvents.requests - before.requests, 1);
    await meter.shutdown();
  });

  it('turns cumulative metric series into deltas, and a re-sent cumulative point counts once', async () => {
    const before = await usageTotals(h, from, to);
    const meter = makeMeter(CLAUDE_RESOURCE, 'cumulative');
    const attrs = { 'session.id': 'sess-c', model: 'claude-opus-4-1' };
    meter.cost.add(1.0, attrs);
    const one = await meter.collect();
    assert.equal((await exportMetrics(h, 'json', one)).code, 0);
    meter.cost.add(0.5, attrs);
    const two = await meter.collect();
    assert.equal((await exportMetrics(h, 'json', two)).code, 0);
    assert.equal((await exportMetrics(h, 'json', two)).code, 0);
    assert.equal((await exportMetrics(h, 'json', one)).code, 0, 'an old point arriving late');
    const after = await usageTotals(h, from, to);
    assert.equal(after.costMicros - before.costMicros, 1_500_000);
    await meter.shutdown();
  });

  it('prices a Codex response.completed event from the bundled table and marks it estimated', async () => {
    const before = await usageTotals(h, from, to);
    const batch = await makeLogBatch({ 'service.name': 'codex_exec' }, [
      {
        body: 'codex.sse_event',
        timeMs: now - 1000,
        attributes: {
          'event.name': 'codex.sse_event',
          'event.kind': 'response.completed',
          'event.timestamp': new Date(now - 1000).toISOString(),
          'conversation.id': 'conv-1',
          model: 'gpt-5',
          input_token_count: 10_000,
          cached_token_count: 4_000,
          output_token_count: 1_000,
          reasoning_token_count: 500,
        },
      },
    ]);
    assert.equal((await exportLogs(h, 'protobuf', batch)).code, 0);
    assert.equal((await exportLogs(h, 'protobuf', batch)).code, 0);
    const after = await usageTotals(h, from, to);
    // gpt-5 in the bundled table: $1.25 / M input, $0.125 / M cached input, $10 / M output.
    assert.equal(after.costMicros - before.costMicros, 6000 * 1.25 + 4000 * 0.125 + 1000 * 10);
    assert.equal(after.requests - before.requests, 1);
    assert.equal(after.estimated, true);
  });

  it('counts a transcript line imported with its requestId and the OTel event with the same request_id once, at the official cost', async () => {
    const requestId = `req_${randomUUID().replace(/-/g, '')}`;
    const time = new Date(now - 5000).toISOString();
    const before = await usageTotals(h, from, to);
    // What local metering knows of the transcript line (priced by us, estimated), imported by id.
    const file = join(h.dir, 'metered.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ developer: 'demo', time, provider: 'anthropic', model: 'claude-sonnet-4-5', cost: 0.2, estimated: true, id: requestId, tokens: { input: 1000, output: 200 } })}\n`,
    );
    const imported = await admin(h.dbPath, ['usage', 'import', file], now);
    assert.equal(imported.code, 0, imported.stderr);
    const batch = await makeLogBatch(CLAUDE_RESOURCE, [apiRequest('sess-t', requestId, 0.21, now - 5000)]);
    assert.equal((await exportLogs(h, 'json', batch)).code, 0);
    const after = await usageTotals(h, from, to);
    assert.equal(after.requests - before.requests, 1);
    assert.equal(after.costMicros - before.costMicros, 210_000, 'the official cost replaces the metered estimate');
  });

  it("never writes usage for another developer than the token's, whatever the payload says", async () => {
    const issued = await admin(h.dbPath, ['token', 'issue', '--developer', 'sam'], now);
    const sam = { url: h.url, token: issued.stdout.trim() };
    const demoBefore = await usageTotals(h, from, to);
    const samBefore = await usageTotals(sam, from, to);
    const batch = await makeLogBatch({ ...CLAUDE_RESOURCE, 'user.email': 'dana@example.com', 'user.id': 'demo' }, [
      apiRequest('sess-x', `req_${randomUUID()}`, 3, now - 1000),
    ]);
    assert.equal((await exportLogs(sam, 'protobuf', batch)).code, 0);
    assert.equal((await usageTotals(h, from, to)).costMicros, demoBefore.costMicros);
    assert.equal((await usageTotals(sam, from, to)).costMicros - samBefore.costMicros, 3_000_000);
  });

  it('answers a malformed body with a 400 problem and stores nothing', async () => {
    const before = await usageTotals(h, from, to);
    const bad = await api(h, 'POST', '/v1/otlp/v1/logs', { rawBody: '{"resourceLogs": {"oops": 1}}' });
    assertProblem(bad, 400, 'invalid_request');
    const notJson = await api(h, 'POST', '/v1/otlp/v1/logs', { rawBody: '{"resourceLogs": [' });
    assertProblem(notJson, 400, 'invalid_request');
    const notProto = await api(h, 'POST', '/v1/otlp/v1/metrics', {
      rawBody: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]),
      headers: { 'content-type': 'application/x-protobuf' },
    });
    assertProblem(notProto, 400, 'invalid_request');
    const badGzip = await api(h, 'POST', '/v1/otlp/v1/logs', {
      rawBody: 'not gzip',
      headers: { 'content-encoding': 'gzip' },
    });
    assertProblem(badGzip, 400, 'invalid_request');
    // One good record beside a bad attribute list: the whole request is refused.
    const mixed = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                {
                  body: { stringValue: 'claude_code.api_request' },
                  attributes: [
                    { key: 'cost_usd', value: { doubleValue: 9 } },
                    { key: 'request_id', value: { stringValue: 'r1' } },
                  ],
                },
                { attributes: 'not a list' },
              ],
            },
          ],
        },
      ],
    };
    assertProblem(await api(h, 'POST', '/v1/otlp/v1/logs', { body: mixed }), 400, 'invalid_request');
    const wrongType = await api(h, 'POST', '/v1/otlp/v1/logs', {
      rawBody: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(wrongType.status, 415);
    assert.equal((await usageTotals(h, from, to)).costMicros, before.costMicros);
    const anonymous = await api(h, 'POST', '/v1/otlp/v1/logs', { token: null, body: { resourceLogs: [] } });
    assertProblem(anonymous, 401, 'authentication');
  });

  it('refuses an oversized body before it is read whole', async () => {
    const url = new URL(h.url);
    const declared = 64 * 1024 * 1024;
    const answer = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
      let sent = 0;
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/v1/otlp/v1/logs',
          headers: {
            authorization: `Bearer ${h.token}`,
            'content-type': 'application/x-protobuf',
            'content-length': declared,
          },
        },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, sent });
          req.destroy();
        },
      );
      req.on('error', (error) => (sent > 0 ? undefined : reject(error)));
      // Send only the first MiB; the answer must come without the other 63.
      const chunk = Buffer.alloc(64 * 1024);
      const pump = () => {
        while (sent < 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
      };
      pump();
    });
    assert.equal(answer.status, 413);
    assert.ok(answer.sent <= 1024 * 1024);
  });

  it('refuses a token over its write limit with 429 and Retry-After, and stores nothing of that batch', async () => {
    await h.close();
    h = await startHarness({
      nowMs: now,
      rateLimit: { read: { perMinute: 600, burst: 120 }, write: { perMinute: 1, burst: 2 } },
    });
    const body = (cost: number) => ({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] },
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: `${now - 1000}000000`,
                  body: { stringValue: 'claude_code.api_request' },
                  attributes: [
                    { key: 'event.name', value: { stringValue: 'api_request' } },
                    { key: 'cost_usd', value: { doubleValue: cost } },
                    { key: 'request_id', value: { stringValue: `req_${randomUUID()}` } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    const before = await usageTotals(h, from, to);
    assert.equal((await api(h, 'POST', '/v1/otlp/v1/logs', { body: body(1) })).status, 200);
    assert.equal((await api(h, 'POST', '/v1/otlp/v1/logs', { body: body(2) })).status, 200);
    const limited = await api(h, 'POST', '/v1/otlp/v1/logs', { body: body(4) });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1, limited.headers.get('retry-after') ?? 'no Retry-After');
    assert.match(limited.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal((await usageTotals(h, from, to)).costMicros - before.costMicros, 3_000_000);
  });

  it('forgets delta points after the retention, and keeps the latest point of a cumulative series', async () => {
    const delta = makeMeter(CLAUDE_RESOURCE, 'delta');
    delta.cost.add(0.3, { 'session.id': 'sess-r1', model: 'claude-sonnet-4-5' });
    const deltaBatch = await delta.collect();
    const cumulative = makeMeter(CLAUDE_RESOURCE, 'cumulative');
    cumulative.cost.add(0.7, { 'session.id': 'sess-r2', model: 'claude-sonnet-4-5' });
    const cumulativeBatch = await cumulative.collect();
    assert.equal((await exportMetrics(h, 'protobuf', deltaBatch)).code, 0);
    assert.equal((await exportMetrics(h, 'protobuf', cumulativeBatch)).code, 0);
    const counted = await usageTotals(h, from, to);

    const storage = await openStorage(h.dbPath);
    try {
      assert.equal(await purgeOtlpPoints(storage, now), 0, 'nothing is old yet');
      assert.equal(await purgeOtlpPoints(storage, now + 8 * 24 * 3_600_000), 1, 'the delta point only');
    } finally {
      await storage.close();
    }
    // The cumulative series still knows its last point: sending it again adds nothing.
    assert.equal((await exportMetrics(h, 'protobuf', cumulativeBatch)).code, 0);
    assert.equal((await usageTotals(h, from, to)).costMicros, counted.costMicros);
    await Promise.all([delta.shutdown(), cumulative.shutdown()]);
  });
});
