// Bands API v1 contract tests against the real reference server on loopback: every route, status
// code and idempotency case. The server runs on a controlled clock over a temp-dir database.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BandsDocumentSchema,
  PreflightDecisionSchema,
  RequestListSchema,
  RequestSchema,
  SessionTagBatchResultSchema,
  UsagePageSchema,
} from '../../../src/domain/schemas';
import { admin, api, assertProblem, key, startHarness, tag, usd, type Harness } from './serverHarness';
import { describeEngines } from './postgresKit';

describeEngines('reference server: Bands API v1 contract', function (engine) {
  this.timeout(60_000);
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ engine });
  });
  afterEach(async () => {
    await h.close();
  });

  describe('GET /v1/me/bands', () => {
    it('answers the demo document with ETag and Cache-Control, valid against the schema', async () => {
      const r = await api(h, 'GET', '/v1/me/bands');
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('cache-control'), 'private, max-age=60');
      assert.match(r.headers.get('etag') ?? '', /^W\/".+"$/);
      const doc = BandsDocumentSchema.parse(r.json);
      assert.equal(doc.developer.id, 'demo');
      const status = Object.fromEntries(doc.bands.map((b) => [b.workflow, b.status]));
      assert.deepEqual(status, {
        light_assist: 'ok',
        deep_coding: 'ok',
        review: 'warn',
        research: 'exceeded',
        background_automation: 'ok',
      });
      for (const b of doc.bands)
        assert.equal(
          b.remaining.amount_micros,
          b.allocated.amount_micros - b.used.amount_micros - (b.reserved?.amount_micros ?? 0),
        );
    });

    it('answers 304 to a matching If-None-Match and 200 to a stale one', async () => {
      const first = await api(h, 'GET', '/v1/me/bands');
      const etag = first.headers.get('etag')!;
      const again = await api(h, 'GET', '/v1/me/bands', { headers: { 'if-none-match': etag } });
      assert.equal(again.status, 304);
      assert.equal(again.text, '');
      assert.equal(again.headers.get('etag'), etag);
      const stale = await api(h, 'GET', '/v1/me/bands', { headers: { 'if-none-match': 'W/"something-else"' } });
      assert.equal(stale.status, 200);
    });

    it('stamps generated_at and as_of with the time of the answer while the ETag stays', async () => {
      const first = await api(h, 'GET', '/v1/me/bands');
      assert.equal(first.json.generated_at, '2026-11-18T10:00:00.000Z');
      h.clock.advance(90_000);
      const later = await api(h, 'GET', '/v1/me/bands');
      assert.equal(later.headers.get('etag'), first.headers.get('etag'));
      assert.equal(later.json.generated_at, '2026-11-18T10:01:30.000Z');
      for (const b of later.json.bands) assert.equal(b.as_of, '2026-11-18T10:01:30.000Z');
      assert.equal(
        JSON.stringify({ ...later.json, generated_at: 0 }).replaceAll('10:01:30', '10:00:00'),
        JSON.stringify({ ...first.json, generated_at: 0 }),
      );
    });

    it('changes the ETag when a reservation is made and back when it expires', async () => {
      const before = await api(h, 'GET', '/v1/me/bands');
      const decision = await api(h, 'POST', '/v1/me/preflight', {
        body: { client_run_id: key(), workflow: 'background_automation', estimate: { cost: usd(1) } },
      });
      assert.equal(decision.json.decision, 'allow');
      const during = await api(h, 'GET', '/v1/me/bands', { headers: { 'if-none-match': before.headers.get('etag')! } });
      assert.equal(during.status, 200, 'the reservation changes the document');
      const bg = during.json.bands.find((b: { workflow: string }) => b.workflow === 'background_automation');
      assert.equal(bg.reserved.amount_micros, 1_000_000);
      h.clock.advance(16 * 60_000);
      const after = await api(h, 'GET', '/v1/me/bands', { headers: { 'if-none-match': during.headers.get('etag')! } });
      assert.equal(after.status, 200, 'the expired reservation changes it again');
      assert.equal(after.headers.get('etag'), before.headers.get('etag'), 'same content, same ETag');
    });

    it('refuses other methods with 405 and Allow', async () => {
      const r = await api(h, 'POST', '/v1/me/bands', { body: {} });
      assertProblem(r, 405, 'method_not_allowed');
      assert.equal(r.headers.get('allow'), 'GET');
    });
  });

  describe('GET /v1/me/usage', () => {
    it("sums a band period to the band's used when grouped by band", async () => {
      const bands = (await api(h, 'GET', '/v1/me/bands')).json.bands as Array<{
        id: string;
        used: { amount_micros: number };
        period: { start: string; end: string };
        workflow: string;
      }>;
      const review = bands.find((b) => b.workflow === 'review')!;
      const q = new URLSearchParams({
        from: review.period.start,
        to: review.period.end,
        granularity: 'P1M',
        group_by: 'band',
      });
      const r = await api(h, 'GET', `/v1/me/usage?${q}`);
      assert.equal(r.status, 200);
      const page = UsagePageSchema.parse(r.json);
      assert.equal(page.data.length, 1);
      assert.equal(page.next_cursor, null);
      const row = page.data[0]!.results.find((x) => x.band_id === 'b_review');
      assert.equal(row?.cost.amount_micros, review.used.amount_micros);
    });

    it('pages hourly buckets with a cursor and loses nothing between pages', async () => {
      const from = '2026-11-16T00:00:00Z';
      const to = '2026-11-18T00:00:00Z';
      const daily = await api(h, 'GET', `/v1/me/usage?from=${from}&to=${to}&granularity=P1D`);
      const dailyTotal = (daily.json.data as Array<{ results: Array<{ cost: { amount_micros: number } }> }>)
        .flatMap((d) => d.results)
        .reduce((s, x) => s + x.cost.amount_micros, 0);
      assert.ok(dailyTotal > 0, 'the demo has usage on those days');
      const buckets: Array<{ start: string; end: string; results: Array<{ cost: { amount_micros: number } }> }> = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const q = new URLSearchParams({ from, to, granularity: 'PT1H', limit: '20', ...(cursor ? { cursor } : {}) });
        const r = await api(h, 'GET', `/v1/me/usage?${q}`);
        assert.equal(r.status, 200, r.text);
        buckets.push(...r.json.data);
        cursor = r.json.next_cursor;
        pages++;
      } while (cursor && pages < 10);
      assert.equal(pages, 3);
      assert.equal(buckets.length, 48);
      for (let i = 1; i < buckets.length; i++) assert.equal(buckets[i]!.start, buckets[i - 1]!.end, 'contiguous');
      assert.equal(
        buckets.flatMap((b) => b.results).reduce((s, x) => s + x.cost.amount_micros, 0),
        dailyTotal,
      );
    });

    it('groups by workflow, provider and model', async () => {
      const r = await api(
        h,
        'GET',
        '/v1/me/usage?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&granularity=P1M&group_by=workflow,provider,model',
      );
      assert.equal(r.status, 200);
      const results = r.json.data[0].results as Array<{
        workflow: string;
        provider: string;
        model: string;
        requests: number;
      }>;
      assert.ok(
        results.some(
          (x) => x.workflow === 'research' && x.provider === 'openai' && x.model === 'gpt-5' && x.requests > 0,
        ),
      );
    });

    it('answers 400 naming the bad parameter', async () => {
      for (const [query, parameter] of [
        ['to=2026-11-02T00:00:00Z', 'from'],
        ['from=yesterday&to=2026-11-02T00:00:00Z', 'from'],
        ['from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z', 'to'],
        ['from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&granularity=PT5M', 'granularity'],
        ['from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&group_by=team', 'group_by'],
        ['from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&limit=501', 'limit'],
        ['from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&cursor=bm9wZQ', 'cursor'],
        ['from=2000-01-01T00:00:00Z&to=2026-11-02T00:00:00Z&granularity=PT1H', 'from'],
      ] as const) {
        const r = await api(h, 'GET', `/v1/me/usage?${query}`);
        assertProblem(r, 400, 'invalid_request');
        assert.equal(r.json.errors[0].parameter, parameter, query);
      }
    });
  });

  describe('POST /v1/me/session-tags', () => {
    it('accepts a batch, replays it for the same key and body, refuses the key with another body', async () => {
      const k = key();
      const body = { items: [tag(), tag({ workflow: 'review' })] };
      const first = await api(h, 'POST', '/v1/me/session-tags', { body, idempotencyKey: k });
      assert.equal(first.status, 200);
      const result = SessionTagBatchResultSchema.parse(first.json);
      assert.deepEqual(
        result.accepted,
        body.items.map((i) => i.id),
      );
      assert.deepEqual(result.rejected, []);
      const replay = await api(h, 'POST', '/v1/me/session-tags', { body, idempotencyKey: k });
      assert.equal(replay.status, 200);
      assert.equal(replay.text, first.text);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      // The same document with its keys in another order is the same body.
      const reordered = { items: body.items.map((i) => Object.fromEntries(Object.entries(i).reverse())) };
      assert.equal((await api(h, 'POST', '/v1/me/session-tags', { body: reordered, idempotencyKey: k })).status, 200);
      const other = await api(h, 'POST', '/v1/me/session-tags', { body: { items: [tag()] }, idempotencyKey: k });
      assertProblem(other, 422, 'idempotency_key_reused');
    });

    it('needs an Idempotency-Key (400)', async () => {
      assertProblem(
        await api(h, 'POST', '/v1/me/session-tags', { body: { items: [tag()] } }),
        400,
        'idempotency_key_required',
      );
      assertProblem(
        await api(h, 'POST', '/v1/me/session-tags', { body: { items: [tag()] }, idempotencyKey: 'short' }),
        400,
        'idempotency_key_required',
      );
    });

    it('answers 400 to malformed JSON and 422 with a pointer to a wrong shape', async () => {
      assertProblem(
        await api(h, 'POST', '/v1/me/session-tags', { rawBody: '{"items": [', idempotencyKey: key() }),
        400,
        'malformed_json',
      );
      const wrong = await api(h, 'POST', '/v1/me/session-tags', { body: { tags: [] }, idempotencyKey: key() });
      assertProblem(wrong, 422, 'validation_failed');
      assert.equal(wrong.json.errors[0].pointer, '/items');
      assertProblem(
        await api(h, 'POST', '/v1/me/session-tags', { body: { items: [] }, idempotencyKey: key() }),
        422,
        'validation_failed',
      );
    });

    it('answers 413 to more than 500 items and to a body over the cap', async () => {
      const items = Array.from({ length: 501 }, () => tag());
      assertProblem(
        await api(h, 'POST', '/v1/me/session-tags', { body: { items }, idempotencyKey: key() }),
        413,
        'batch_too_large',
      );
      const ok = await api(h, 'POST', '/v1/me/session-tags', {
        body: { items: items.slice(0, 500) },
        idempotencyKey: key(),
      });
      assert.equal(ok.status, 200);
      assert.equal(ok.json.accepted.length, 500);
      const huge = JSON.stringify({ items: [tag({ labels: { note: 'x'.repeat(3 * 1024 * 1024) } })] });
      assertProblem(
        await api(h, 'POST', '/v1/me/session-tags', { rawBody: huge, idempotencyKey: key() }),
        413,
        'payload_too_large',
      );
    });

    it('rejects bad items one by one with their JSON pointer and stores the good ones', async () => {
      const good = tag();
      const badTime = tag({ started_at: 'last tuesday' });
      const backwards = tag({ started_at: '2026-11-18T09:00:00Z', ended_at: '2026-11-18T08:00:00Z' });
      const longLabel = tag({ labels: { k: 'v'.repeat(501) } });
      const r = await api(h, 'POST', '/v1/me/session-tags', {
        body: { items: [good, badTime, backwards, longLabel, 'not a tag'] },
        idempotencyKey: key(),
      });
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.accepted, [good.id]);
      const pointers = (
        r.json.rejected as Array<{ id: string; problem: { status: number; errors: Array<{ pointer: string }> } }>
      ).map((x) => [x.id, x.problem.status, x.problem.errors[0]!.pointer]);
      assert.deepEqual(pointers, [
        [badTime.id, 422, '/items/1/started_at'],
        [backwards.id, 422, '/items/2/ended_at'],
        [longLabel.id, 422, '/items/3/labels/k'],
        ['#4', 422, '/items/4'],
      ]);
    });

    it('upserts by tag id and attributes untagged usage to the tag by time overlap', async () => {
      const file = join(h.dir, 'usage.csv');
      writeFileSync(
        file,
        'developer,time,provider,model,tokens,cost\ndemo,2026-11-17T20:30:00Z,anthropic,claude-sonnet-4-5,1200,2.50\n',
      );
      assert.equal((await admin(h.dbPath, ['usage', 'import', file])).code, 0);
      const usage = async () =>
        (
          await api(
            h,
            'GET',
            '/v1/me/usage?from=2026-11-17T20:00:00Z&to=2026-11-17T21:00:00Z&granularity=PT1H&group_by=workflow',
          )
        ).json.data[0].results as Array<{
          workflow: string;
          cost: { amount_micros: number };
          estimated: boolean;
        }>;
      assert.deepEqual(
        (await usage()).map((x) => x.workflow),
        ['untagged'],
      );
      const open = tag({ workflow: 'research', started_at: '2026-11-17T20:00:00Z', ended_at: null });
      assert.equal(
        (await api(h, 'POST', '/v1/me/session-tags', { body: { items: [open] }, idempotencyKey: key() })).status,
        200,
      );
      const attributed = await usage();
      assert.deepEqual(
        attributed.map((x) => [x.workflow, x.cost.amount_micros, x.estimated]),
        [['research', 2_500_000, true]],
      );
      // Re-sending the tag closes it before the event: the event is untagged again.
      const closed = { ...open, ended_at: '2026-11-17T20:10:00Z' };
      assert.equal(
        (await api(h, 'POST', '/v1/me/session-tags', { body: { items: [closed] }, idempotencyKey: key() })).status,
        200,
      );
      assert.deepEqual(
        (await usage()).map((x) => x.workflow),
        ['untagged'],
      );
    });

    it('answers 409 to a second request with a key whose first request is still in flight', async () => {
      const k = key();
      const body = JSON.stringify({ items: [tag()] });
      const url = new URL(`${h.url}/v1/me/session-tags`);
      const firstDone = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            headers: {
              authorization: `Bearer ${h.token}`,
              'idempotency-key': k,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        // Half the body now: the server has the headers and is waiting for the rest.
        req.write(body.slice(0, 10));
        setTimeout(() => req.end(body.slice(10)), 3000);
      });
      // Generous on a loaded machine: the server must have read the first request's headers by then.
      await new Promise((r) => setTimeout(r, 1000));
      const second = await api(h, 'POST', '/v1/me/session-tags', { rawBody: body, idempotencyKey: k });
      assertProblem(second, 409, 'idempotency_key_in_flight');
      const first = await firstDone;
      assert.equal(first.status, 200);
      const third = await api(h, 'POST', '/v1/me/session-tags', { rawBody: body, idempotencyKey: k });
      assert.equal(third.status, 200);
      assert.equal(third.text, first.body);
    });
  });

  describe('POST /v1/me/preflight', () => {
    const ask = (workflow: string, amount: number, runId = key()) =>
      api(h, 'POST', '/v1/me/preflight', {
        body: { client_run_id: runId, workflow, estimate: { cost: usd(amount), basis: 'user_supplied' } },
      });

    it('allows within the band and holds a reservation; the same client_run_id gets the same decision', async () => {
      const runId = key();
      const first = await ask('background_automation', 2, runId);
      assert.equal(first.status, 200);
      const d = PreflightDecisionSchema.parse(first.json);
      assert.equal(d.decision, 'allow');
      assert.equal(d.reason_code, 'within_band');
      assert.equal(d.reservation?.amount.amount_micros, 2_000_000);
      const again = await ask('background_automation', 2, runId);
      assert.deepEqual(again.json, first.json);
      const bg = (await api(h, 'GET', '/v1/me/bands')).json.bands.find(
        (b: { workflow: string }) => b.workflow === 'background_automation',
      );
      assert.equal(bg.reserved.amount_micros, 2_000_000, 'one reservation, not two');
      assertProblem(await ask('background_automation', 3, runId), 422, 'idempotency_key_reused');
    });

    it('warns near the threshold, denies by rule and by the per-run cap', async () => {
      const warn = await ask('review', 1);
      assert.equal(warn.json.decision, 'warn');
      assert.equal(warn.json.rule_id, 'r_near_limit');
      assert.ok(warn.json.reservation);
      const deny = await ask('background_automation', 25);
      assert.equal(deny.json.decision, 'deny');
      assert.equal(deny.json.rule_id, 'r_bg_deny');
      assert.equal(deny.json.reservation, null);
      const cap = await ask('deep_coding', 30);
      assert.equal(cap.json.decision, 'deny');
      assert.equal(cap.json.reason_code, 'over_run_cap');
    });

    it('files a run_approval request on needs_approval and allows the same run once it is approved', async () => {
      const runId = key();
      const first = await ask('background_automation', 10, runId);
      assert.equal(first.json.decision, 'needs_approval');
      assert.equal(first.json.rule_id, 'r_bg_approval');
      const requestId = first.json.approval.request_id as string;
      assert.equal(first.json.approval.href, `/v1/me/requests/${requestId}`);
      const request = await api(h, 'GET', `/v1/me/requests/${requestId}`);
      assert.equal(request.json.kind, 'run_approval');
      assert.equal(request.json.status, 'pending');
      assert.equal(request.json.preflight.client_run_id, runId);
      assert.equal((await ask('background_automation', 10, runId)).json.decision, 'needs_approval', 'still pending');
      const approved = await admin(h.dbPath, ['request', 'approve', requestId, '--note', 'go ahead']);
      assert.equal(approved.code, 0, approved.stderr);
      const polled = await api(h, 'GET', `/v1/me/requests/${requestId}`, {
        headers: { 'if-none-match': request.headers.get('etag')! },
      });
      assert.equal(polled.status, 200);
      assert.equal(polled.json.status, 'approved');
      const after = await ask('background_automation', 10, runId);
      assert.equal(after.json.decision, 'allow');
      assert.equal(after.json.reason_code, 'approved');
      assert.equal(after.json.approval.status, 'approved');
      assert.equal(after.json.reservation.amount.amount_micros, 10_000_000);
      assert.deepEqual((await ask('background_automation', 10, runId)).json, after.json, 'stable from then on');
    });

    it('denies the run once its approval is denied', async () => {
      const runId = key();
      const first = await ask('background_automation', 6, runId);
      const denied = await admin(h.dbPath, [
        'request',
        'deny',
        first.json.approval.request_id,
        '--note',
        'not this week',
      ]);
      assert.equal(denied.code, 0, denied.stderr);
      const after = await ask('background_automation', 6, runId);
      assert.equal(after.json.decision, 'deny');
      assert.equal(after.json.reason_code, 'approval_denied');
      assert.match(after.json.reason, /not this week/);
    });

    it('answers 422 with the pointer of a missing field and 400 to malformed JSON', async () => {
      const r = await api(h, 'POST', '/v1/me/preflight', { body: { client_run_id: key(), workflow: 'review' } });
      assertProblem(r, 422, 'validation_failed');
      assert.equal(r.json.errors[0].pointer, '/estimate');
      assertProblem(await api(h, 'POST', '/v1/me/preflight', { rawBody: 'nope' }), 400, 'malformed_json');
      const currency = await api(h, 'POST', '/v1/me/preflight', {
        body: { client_run_id: key(), workflow: 'review', estimate: { cost: { currency: 'EUR', amount_micros: 1 } } },
      });
      assertProblem(currency, 422, 'validation_failed');
      assert.equal(currency.json.errors[0].pointer, '/estimate/cost/currency');
    });
  });

  describe('/v1/me/requests', () => {
    const create = (body: Record<string, unknown>, k = key()) =>
      api(h, 'POST', '/v1/me/requests', { body, idempotencyKey: k });
    const increase = (overrides: Record<string, unknown> = {}) => ({
      band_id: 'b_review',
      requested: { delta: usd(20) },
      scope: 'current_period',
      justification: 'Release week: every PR of the payments team needs an AI review pass.',
      outcome: { kind: 'faster_review', metric: 'PR review turnaround (h)', baseline: 20, target: 8, unit: 'h' },
      ...overrides,
    });

    it('creates with 201, Location and ETag; replays the same key; refuses the key with another body', async () => {
      const k = key();
      const r = await create(increase(), k);
      assert.equal(r.status, 201);
      const req = RequestSchema.parse(r.json);
      assert.equal(r.headers.get('location'), `/v1/me/requests/${req.id}`);
      assert.ok(r.headers.get('etag'));
      assert.equal(req.status, 'pending');
      assert.equal(req.band_snapshot?.id, 'b_review');
      const replay = await create(increase(), k);
      assert.equal(replay.status, 201);
      assert.equal(replay.json.id, req.id);
      assertProblem(await create(increase({ requested: { delta: usd(30) } }), k), 422, 'idempotency_key_reused');
      assertProblem(await api(h, 'POST', '/v1/me/requests', { body: increase() }), 400, 'idempotency_key_required');
    });

    it('validates the body with pointers', async () => {
      const short = await create(increase({ justification: 'more please' }));
      assertProblem(short, 422, 'validation_failed');
      assert.equal(short.json.errors[0].pointer, '/justification');
      const unknownBand = await create(increase({ band_id: 'b_nope' }));
      assertProblem(unknownBand, 422, 'validation_failed');
      assert.equal(unknownBand.json.errors[0].pointer, '/band_id');
      const untilMissing = await create(increase({ scope: 'until_date' }));
      assertProblem(untilMissing, 422, 'validation_failed');
      assert.equal(untilMissing.json.errors[0].pointer, '/until');
      const shrink = await create(increase({ requested: { new_allocated: usd(10) } }));
      assertProblem(shrink, 422, 'validation_failed');
      assert.equal(shrink.json.errors[0].pointer, '/requested/new_allocated/amount_micros');
    });

    it('lists own requests newest first with status filter and cursor paging', async () => {
      const created = await create(increase());
      const all = await api(h, 'GET', '/v1/me/requests');
      const list = RequestListSchema.parse(all.json);
      assert.equal(list.data[0]!.id, created.json.id);
      assert.ok(
        list.data.some((r) => r.band_id === 'b_deep_coding' && r.status === 'pending'),
        'the seeded pending request',
      );
      const page1 = await api(h, 'GET', '/v1/me/requests?limit=1');
      assert.equal(page1.json.data.length, 1);
      const page2 = await api(h, 'GET', `/v1/me/requests?limit=1&cursor=${page1.json.next_cursor}`);
      assert.notEqual(page2.json.data[0].id, page1.json.data[0].id);
      assert.equal((await api(h, 'GET', '/v1/me/requests?status=approved')).json.data.length, 0);
      assertProblem(await api(h, 'GET', '/v1/me/requests?status=maybe'), 400, 'invalid_request');
    });

    it('polls with ETag; an approval shows in the request and in the band (temporary increase)', async () => {
      const created = await create(increase());
      const id = created.json.id as string;
      const etag = created.headers.get('etag')!;
      assert.equal((await api(h, 'GET', `/v1/me/requests/${id}`, { headers: { 'if-none-match': etag } })).status, 304);
      const bandBefore = (await api(h, 'GET', '/v1/me/bands')).json.bands.find(
        (b: { id: string }) => b.id === 'b_review',
      );
      const approved = await admin(h.dbPath, ['request', 'approve', id, '--note', 'ok for release week']);
      assert.equal(approved.code, 0, approved.stderr);
      const polled = await api(h, 'GET', `/v1/me/requests/${id}`, { headers: { 'if-none-match': etag } });
      assert.equal(polled.status, 200);
      assert.equal(polled.json.status, 'approved');
      assert.equal(polled.json.resolution.approved.amount_micros, 20_000_000);
      assert.equal(polled.json.resolution.note, 'ok for release week');
      assert.equal(polled.json.resolution.effective_until, '2026-12-01T00:00:00.000Z');
      const bandAfter = (await api(h, 'GET', '/v1/me/bands')).json.bands.find(
        (b: { id: string }) => b.id === 'b_review',
      );
      assert.equal(bandAfter.allocated.amount_micros, bandBefore.allocated.amount_micros + 20_000_000);
      assert.equal(bandAfter.remaining.amount_micros, bandBefore.remaining.amount_micros + 20_000_000);
      assert.equal(bandAfter.temporary_increase.request_id, id);
      assert.equal(bandAfter.status, 'ok', '34 of 60 is below 80 %');
    });

    it('cancels a pending request idempotently and refuses to cancel a resolved one (409)', async () => {
      const created = await create(increase());
      const id = created.json.id as string;
      const cancelled = await api(h, 'POST', `/v1/me/requests/${id}/cancel`);
      assert.equal(cancelled.status, 200);
      assert.equal(cancelled.json.status, 'cancelled');
      assert.equal((await api(h, 'POST', `/v1/me/requests/${id}/cancel`)).json.status, 'cancelled');
      const other = await create(increase());
      await admin(h.dbPath, ['request', 'deny', other.json.id]);
      assertProblem(await api(h, 'POST', `/v1/me/requests/${other.json.id}/cancel`), 409, 'conflict');
    });

    it('answers 404 for an unknown request', async () => {
      assertProblem(await api(h, 'GET', '/v1/me/requests/req_doesnotexist'), 404, 'not_found');
      assertProblem(await api(h, 'POST', '/v1/me/requests/req_doesnotexist/cancel'), 404, 'not_found');
    });
  });

  describe('errors everywhere', () => {
    it('answers 401 without a token or with an unknown one, with WWW-Authenticate', async () => {
      const none = await api(h, 'GET', '/v1/me/bands', { token: null });
      assertProblem(none, 401, 'authentication');
      assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
      assertProblem(await api(h, 'GET', '/v1/me/bands', { token: 'sbt_wrong' }), 401, 'authentication');
    });

    it('answers 404 problem+json for unknown paths and 200 on /healthz', async () => {
      assertProblem(await api(h, 'GET', '/v1/me/nothing'), 404, 'not_found');
      assertProblem(await api(h, 'GET', '/index.html', { token: null }), 404, 'not_found');
      assert.equal((await api(h, 'GET', '/healthz', { token: null })).status, 200);
    });

    it('shrugs off a client that hangs up mid-body: no error logged, the key is free again', async () => {
      const k = key();
      const url = new URL(`${h.url}/v1/me/session-tags`);
      await new Promise<void>((resolve) => {
        const req = httpRequest({
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { authorization: `Bearer ${h.token}`, 'idempotency-key': k, 'content-length': '1000' },
        });
        req.on('error', () => resolve());
        req.write('{"items": [');
        setTimeout(() => req.destroy(), 100);
      });
      await new Promise((r) => setTimeout(r, 100));
      const retry = await api(h, 'POST', '/v1/me/session-tags', { body: { items: [tag()] }, idempotencyKey: k });
      assert.equal(retry.status, 200);
      assert.deepEqual(h.logs, []);
    });

    it('turns an internal failure into a 500 without internals, and logs it', async () => {
      await h.query('DROP TABLE usage_events');
      const r = await api(h, 'GET', '/v1/me/usage?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z');
      assertProblem(r, 500, 'api_error');
      assert.doesNotMatch(r.text, /usage_events|sqlite|SqliteError|relation|postgres/i);
      assert.ok(
        h.logs.some((l) => l.includes(r.json.request_id) && /usage_events/.test(l)),
        'the log has the cause',
      );
    });
  });
});
