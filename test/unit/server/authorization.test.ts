// Authorization: a token sees only its own developer; another developer's request is indistinguishable
// from a missing one; revocation by the admin CLI (another connection) takes effect on the next
// request; scopes are enforced; admin actions are not reachable with a developer token; the
// token never reaches the log.
import assert from 'node:assert/strict';
import { admin, api, assertProblem, key, startHarness, tag, usd, type Harness } from './serverHarness';
import { describeEngines } from './postgresKit';

describeEngines('reference server: authorization', function (engine) {
  this.timeout(60_000);
  let h: Harness;
  let samToken: string;

  beforeEach(async () => {
    h = await startHarness({ engine });
    const issued = await admin(h.dbPath, ['token', 'issue', '--developer', 'sam']);
    assert.equal(issued.code, 0, issued.stderr);
    samToken = issued.stdout.trim();
    assert.match(samToken, /^sbt_[A-Za-z0-9_-]{43}$/);
  });
  afterEach(async () => {
    await h.close();
  });

  const asSam = () => ({ url: h.url, token: samToken });
  const increase = {
    band_id: 'b_review',
    requested: { delta: usd(10) },
    scope: 'current_period',
    justification: 'A long enough reason for the test request.',
    outcome: { kind: 'faster_review' },
  };

  it("gives each token its own developer's document", async () => {
    const demo = (await api(h, 'GET', '/v1/me/bands')).json;
    const sam = (await api(asSam(), 'GET', '/v1/me/bands')).json;
    assert.equal(demo.developer.id, 'demo');
    assert.equal(sam.developer.id, 'sam');
    const demoReview = demo.bands.find((b: { id: string }) => b.id === 'b_review');
    const samReview = sam.bands.find((b: { id: string }) => b.id === 'b_review');
    assert.notEqual(samReview.used.amount_micros, demoReview.used.amount_micros);
  });

  it("does not let B read, cancel or learn of A's request (404 exactly like an unknown id)", async () => {
    const mine = await api(h, 'POST', '/v1/me/requests', { body: increase, idempotencyKey: key() });
    assert.equal(mine.status, 201);
    const id = mine.json.id as string;
    const read = await api(asSam(), 'GET', `/v1/me/requests/${id}`);
    const unknown = await api(asSam(), 'GET', '/v1/me/requests/req_AAAAAAAAAAAAAAAA');
    assertProblem(read, 404, 'not_found');
    assertProblem(unknown, 404, 'not_found');
    assert.equal(
      read.json.detail.replace(id, 'ID'),
      unknown.json.detail.replace('req_AAAAAAAAAAAAAAAA', 'ID'),
      'same answer either way',
    );
    assertProblem(await api(asSam(), 'POST', `/v1/me/requests/${id}/cancel`), 404, 'not_found');
    assert.equal((await api(h, 'GET', `/v1/me/requests/${id}`)).json.status, 'pending', 'still pending for its owner');
    const samList = (await api(asSam(), 'GET', '/v1/me/requests')).json.data as Array<{ id: string }>;
    assert.ok(!samList.some((r) => r.id === id));
  });

  it('keeps tags apart even when two developers send the same tag id', async () => {
    const shared = tag({ workflow: 'research', started_at: '2026-11-17T20:00:00Z', ended_at: '2026-11-17T21:00:00Z' });
    assert.equal(
      (await api(h, 'POST', '/v1/me/session-tags', { body: { items: [shared] }, idempotencyKey: key() })).status,
      200,
    );
    const samVersion = { ...shared, workflow: 'light_assist', ended_at: '2026-11-17T20:01:00Z' };
    // The same Idempotency-Key too: keys are per developer.
    const k = key();
    assert.equal(
      (await api(asSam(), 'POST', '/v1/me/session-tags', { body: { items: [samVersion] }, idempotencyKey: k })).status,
      200,
    );
    assert.equal(
      (await api(h, 'POST', '/v1/me/session-tags', { body: { items: [shared] }, idempotencyKey: k })).status,
      200,
      'not a reuse across developers',
    );
    const rows = await h.query(
      'SELECT developer_id, workflow, ended_ms FROM session_tags WHERE id = ? ORDER BY developer_id',
      [shared.id as string],
    );
    assert.deepEqual(rows, [
      { developer_id: 'demo', workflow: 'research', ended_ms: Date.parse('2026-11-17T21:00:00Z') },
      { developer_id: 'sam', workflow: 'light_assist', ended_ms: Date.parse('2026-11-17T20:01:00Z') },
    ]);
  });

  it('refuses a token revoked by the admin CLI on the very next request', async () => {
    const before = await api(asSam(), 'GET', '/v1/me/bands');
    assert.equal(before.status, 200);
    // Once more, so the cache surely holds the token.
    assert.equal(
      (await api(asSam(), 'GET', '/v1/me/bands', { headers: { 'if-none-match': before.headers.get('etag')! } })).status,
      304,
    );
    const revoked = await admin(h.dbPath, ['token', 'revoke', '--developer', 'sam']);
    assert.equal(revoked.code, 0);
    assert.match(revoked.stdout, /revoked 1 token/);
    assertProblem(
      await api(asSam(), 'GET', '/v1/me/bands', { headers: { 'if-none-match': before.headers.get('etag')! } }),
      401,
      'authentication',
    );
    assert.equal((await api(h, 'GET', '/v1/me/bands')).status, 200, 'the other developer is unaffected');
  });

  it('accepts a token issued by the admin CLI while the server runs', async () => {
    await admin(h.dbPath, ['developer', 'add', '--id', 'kim', '--name', 'Kim', '--role', 'backend_engineer']);
    const token = (await admin(h.dbPath, ['token', 'issue', '--developer', 'kim'])).stdout.trim();
    const r = await api({ url: h.url, token }, 'GET', '/v1/me/bands');
    assert.equal(r.status, 200);
    assert.equal(r.json.developer.id, 'kim');
  });

  it('enforces scopes (403)', async () => {
    const readOnly = (
      await admin(h.dbPath, ['token', 'issue', '--developer', 'sam', '--scopes', 'bands:read'])
    ).stdout.trim();
    const ro = { url: h.url, token: readOnly };
    assert.equal((await api(ro, 'GET', '/v1/me/bands')).status, 200);
    assertProblem(
      await api(ro, 'POST', '/v1/me/session-tags', { body: { items: [tag()] }, idempotencyKey: key() }),
      403,
      'permission',
    );
    assertProblem(await api(ro, 'POST', '/v1/me/preflight', { body: {} }), 403, 'permission');
    assertProblem(
      await api(ro, 'GET', '/v1/me/usage?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z'),
      403,
      'permission',
    );
  });

  it('refuses admin actions with a developer token and changes nothing', async () => {
    for (const [method, path] of [
      ['POST', '/v1/admin/requests/x/approve'],
      ['POST', '/v1/admin/tokens'],
      ['GET', '/v1/admin/developers'],
    ] as const) {
      assertProblem(await api(h, method, path, method === 'GET' ? {} : { body: {} }), 403, 'permission');
    }
    assertProblem(await api(h, 'POST', '/v1/admin/tokens', { token: null, body: {} }), 401, 'authentication');
    const pending = (await api(h, 'GET', '/v1/me/requests?status=pending')).json.data as Array<{ id: string }>;
    assertProblem(await api(h, 'POST', `/v1/me/requests/${pending[0]!.id}/approve`, { body: {} }), 404, 'not_found');
    assert.equal((await api(h, 'GET', `/v1/me/requests/${pending[0]!.id}`)).json.status, 'pending');
  });

  it('never writes a token to the log', async () => {
    await h.query('DROP TABLE usage_events');
    await api(h, 'GET', '/v1/me/usage?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z');
    await api({ url: h.url, token: 'sbt_wrong_token_value' }, 'GET', '/v1/me/bands');
    assert.ok(h.logs.length > 0);
    for (const line of h.logs) {
      assert.ok(!line.includes(h.token) && !line.includes(samToken) && !line.includes('sbt_wrong_token_value'), line);
    }
    const hashes = (await h.query<{ hash: string }>('SELECT hash FROM tokens')).map((r) => r.hash);
    assert.ok(
      hashes.every((x) => /^[0-9a-f]{64}$/.test(x) && x !== h.token),
      'only hashes are stored',
    );
  });
});
