// Issue #20 findings 5, 7 and 8 over real HTTP: a negative estimate is refused and cannot raise a
// band's remaining; an approval request stores only the validated pre-flight fields; deep JSON
// nesting is a 400 problem on every route that reads a body, never a 500.
import assert from 'node:assert/strict';
import { api, assertProblem, key, startHarness, tag, usd, type Harness } from './serverHarness';
import { describeEngines } from './postgresKit';

describeEngines('reference server: input validation (#20)', function (engine) {
  this.timeout(60_000);
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ engine });
  });
  afterEach(async () => {
    await h.close();
  });

  const remaining = async (workflow: string): Promise<number> => {
    const doc = await api(h, 'GET', '/v1/me/bands');
    return doc.json.bands.find((b: { workflow: string }) => b.workflow === workflow).remaining.amount_micros;
  };

  it('refuses a negative estimate with 422 and leaves remaining as it was (finding 5)', async () => {
    const before = await remaining('research');
    const r = await api(h, 'POST', '/v1/me/preflight', {
      body: { client_run_id: key(), workflow: 'research', estimate: { cost: usd(-1000) } },
    });
    assertProblem(r, 422, 'validation_failed');
    assert.equal(r.json.errors[0].pointer, '/estimate/cost/amount_micros');
    assert.equal(await remaining('research'), before, 'remaining did not grow');
    // The research band is exceeded in the demo: a hard band still denies an honest estimate.
    const honest = await api(h, 'POST', '/v1/me/preflight', {
      body: { client_run_id: key(), workflow: 'research', estimate: { cost: usd(1) } },
    });
    assert.notEqual(honest.json.decision, 'allow');
    for (const body of [
      { estimate: { cost: usd(1) }, limits: { max_cost: usd(-5) } },
      { estimate: { cost: usd(1), tokens: { input: -10 } } },
    ]) {
      assertProblem(
        await api(h, 'POST', '/v1/me/preflight', { body: { client_run_id: key(), workflow: 'deep_coding', ...body } }),
        422,
        'validation_failed',
      );
    }
    // Zero stays legal: clients send it when they have no estimate.
    assert.equal(
      (
        await api(h, 'POST', '/v1/me/preflight', {
          body: { client_run_id: key(), workflow: 'deep_coding', estimate: { cost: usd(0) } },
        })
      ).status,
      200,
    );
  });

  it('stores only the validated pre-flight fields in a run approval (finding 7)', async () => {
    const junk = 'x'.repeat(20_000);
    const r = await api(h, 'POST', '/v1/me/preflight', {
      body: {
        client_run_id: key(),
        workflow: 'background_automation',
        estimate: { cost: usd(10), basis: 'user_supplied', extra: junk },
        junk,
        run: { tool: 'claude', junk },
      },
    });
    assert.equal(r.json.decision, 'needs_approval', r.text);
    const request = await api(h, 'GET', `/v1/me/requests/${r.json.approval.request_id}`);
    assert.equal(request.status, 200);
    assert.ok(!request.text.includes('xxxxxxxx'), 'the unknown fields are not served back');
    assert.deepEqual(request.json.preflight.estimate, { cost: usd(10), basis: 'user_supplied' });
    assert.deepEqual(request.json.preflight.run, { tool: 'claude' });
    const [stored] = await h.query<{ n: number }>('SELECT length(body) AS n FROM requests WHERE id = ?', [
      r.json.approval.request_id,
    ]);
    assert.ok(stored!.n < 2_000, `the stored body is ${stored!.n} bytes`);
  });

  it('answers 12,000 levels of nesting with a 400 problem on every body route, not a 500 (finding 8)', async () => {
    const deep = `${'['.repeat(12_000)}${']'.repeat(12_000)}`;
    const valid = { client_run_id: key(), workflow: 'deep_coding', estimate: { cost: usd(1) } };
    const cases: Array<[string, string]> = [
      [
        '/v1/me/preflight',
        `{"client_run_id":"${valid.client_run_id}","workflow":"deep_coding","estimate":{"cost":{"currency":"USD","amount_micros":1}},"junk":${deep}}`,
      ],
      ['/v1/me/requests', `{"band_id":"b_deep_coding","junk":${deep}}`],
      ['/v1/me/session-tags', `{"items":[${JSON.stringify(tag()).slice(0, -1)},"labels":${deep}}]}`],
    ];
    for (const [path, rawBody] of cases) {
      const r = await api(h, 'POST', path, { rawBody, idempotencyKey: key() });
      assertProblem(r, 400, 'malformed_json');
      assert.match(r.json.detail, /more than 32 levels deep/);
    }
    assert.deepEqual(h.logs, [], 'no server error was logged');
    // Brackets inside strings are data, not nesting.
    const inString = await api(h, 'POST', '/v1/me/preflight', {
      body: { ...valid, run: { description: '['.repeat(400) } },
    });
    assert.equal(inString.status, 200, inString.text);
  });

  it('answers client mistakes with RFC 9457 4xx problems', async () => {
    assertProblem(await api(h, 'POST', '/v1/me/preflight', { rawBody: '{"client_run_id":' }), 400, 'malformed_json');
    assertProblem(await api(h, 'POST', '/v1/me/preflight', { rawBody: '' }), 400, 'malformed_json');
    assertProblem(await api(h, 'POST', '/v1/me/preflight', { body: [] }), 422, 'validation_failed');
    assertProblem(await api(h, 'POST', '/v1/me/preflight', { rawBody: 'x'.repeat(70_000) }), 413, 'payload_too_large');
    assertProblem(await api(h, 'GET', '/v1/me/requests?limit=-1'), 400, 'invalid_request');
    assertProblem(await api(h, 'GET', '/v1/me/requests?cursor=%%%'), 400, 'invalid_request');
    assertProblem(await api(h, 'GET', '/v1/me/usage?from=yesterday&to=today'), 400, 'invalid_request');
    assertProblem(
      await api(h, 'POST', '/v1/me/requests', { body: { band_id: 'b_deep_coding' } }),
      400,
      'idempotency_key_required',
    );
  });
});
