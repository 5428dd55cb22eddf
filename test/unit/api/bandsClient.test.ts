// BandsClient against a real server on 127.0.0.1 that speaks Bands API v1 as the contract writes it.
import assert from 'node:assert/strict';
import { ApiError } from '../../../src/api/apiError';
import { BandsClient } from '../../../src/api/bandsClient';
import { createFetchSender } from '../../../src/api/fetchSender';
import type { SenderFactory } from '../../../src/api/httpSender';
import { createUndiciSender } from '../../../src/api/undiciSender';
import { fixture, makeToken, sendJson, sendProblem, startServer, type TestServer } from './apiTestKit';

const REQUEST = {
  id: 'req_1',
  kind: 'band_increase',
  status: 'pending',
  created_at: '2026-11-28T10:00:00Z',
  updated_at: '2026-11-28T10:00:00Z',
  band_id: 'b_deep_2026_11',
  requested: { delta: { currency: 'USD', amount_micros: 50000000 } },
};

// The same contract over the CLI's transport (undici's agent) and the extension's (the global fetch,
// which VS Code routes through its proxy settings and the system's certificates).
const SENDERS: [string, SenderFactory][] = [
  ['undici', createUndiciSender],
  ['fetch', createFetchSender],
];

for (const [senderName, sender] of SENDERS)
  describe(`api/bandsClient over ${senderName}`, () => {
    let server: TestServer;
    let client: BandsClient;
    const token = makeToken();

    beforeEach(async () => {
      server = await startServer((_req, res) => sendJson(res, 500, {}));
      client = new BandsClient({ baseUrl: server.url, token, retry: { tries: 1 }, env: {}, sender });
    });
    afterEach(async () => {
      await client.close();
      await server.close();
    });

    it('gets the bands with the bearer token, returns the ETag, and a 304 as notModified', async () => {
      server.handle((req, res) => {
        if (req.headers['if-none-match'] === '"v1"') {
          res.writeHead(304, { etag: '"v1"' });
          res.end();
          return;
        }
        sendJson(res, 200, fixture('bandsDocument.json'), { etag: '"v1"', 'cache-control': 'private, max-age=60' });
      });
      const first = await client.getBands();
      assert.ok(!('notModified' in first));
      assert.equal(first.etag, '"v1"');
      assert.equal(first.document.bands[0]!.allocated.amount_micros, 150_000_000);
      assert.equal(server.requests[0]!.url, '/v1/me/bands');
      assert.equal(server.requests[0]!.headers.authorization, `Bearer ${token}`);
      const second = await client.getBands({ etag: first.etag });
      assert.deepEqual(second, { notModified: true });
      assert.equal(server.requests[1]!.headers['if-none-match'], '"v1"');
    });

    it('keeps a base path and sends usage queries as the contract names them', async () => {
      await client.close();
      client = new BandsClient({ baseUrl: `${server.url}/budget/`, token, env: {}, sender });
      server.handle((_req, res) =>
        sendJson(res, 200, {
          data: [
            {
              start: '2026-11-01T00:00:00Z',
              end: '2026-11-02T00:00:00Z',
              results: [{ workflow: 'review', cost: { currency: 'USD', amount_micros: 1 } }],
            },
          ],
          next_cursor: null,
        }),
      );
      const page = await client.getUsage({
        from: '2026-11-01T00:00:00Z',
        to: '2026-12-01T00:00:00Z',
        granularity: 'P1D',
        groupBy: ['workflow', 'model'],
        limit: 10,
      });
      assert.equal(page.data[0]!.results[0]!.workflow, 'review');
      const url = new URL(server.requests[0]!.url, server.url);
      assert.equal(url.pathname, '/budget/v1/me/usage');
      assert.equal(url.searchParams.get('group_by'), 'workflow,model');
      assert.equal(url.searchParams.get('granularity'), 'P1D');
      assert.equal(url.searchParams.get('limit'), '10');
    });

    it('posts session tags with the Idempotency-Key and returns per-item results', async () => {
      server.handle((_req, res, body) => {
        const batch = JSON.parse(body) as { items: { id: string }[] };
        sendJson(res, 200, { accepted: batch.items.map((i) => i.id), rejected: [] });
      });
      const id = '0193b2c4-7d2e-7a1b-9c3d-4e5f6a7b8c9d';
      const result = await client.postSessionTags(
        { items: [{ id, workflow: 'deep_coding', started_at: '2026-11-28T09:00:00Z', ended_at: null }] },
        'key-0123456789abcdef',
      );
      assert.deepEqual(result.accepted, [id]);
      assert.equal(server.requests[0]!.method, 'POST');
      assert.equal(server.requests[0]!.headers['idempotency-key'], 'key-0123456789abcdef');
      assert.equal(server.requests[0]!.headers['content-type'], 'application/json');
    });

    it('refuses to send an invalid batch or a short Idempotency-Key, before any network traffic', async () => {
      await assert.rejects(client.postSessionTags({ items: [] }, 'key-0123456789abcdef'), /items: /);
      await assert.rejects(
        client.postSessionTags(
          {
            items: [
              { id: '0193b2c4-7d2e-7a1b-9c3d-4e5f6a7b8c9d', workflow: 'review', started_at: '2026-11-28T09:00:00Z' },
            ],
          },
          'short',
        ),
        /Idempotency-Key/,
      );
      assert.equal(server.requests.length, 0);
    });

    it('asks pre-flight and reads an unknown reason code as it is', async () => {
      server.handle((_req, res) =>
        sendJson(res, 200, {
          decision: 'warn',
          reason_code: 'team_quiet_hours',
          reason: 'Quiet hours',
          valid_until: '2026-11-28T10:05:00Z',
          approval: null,
        }),
      );
      const decision = await client.preflight({
        client_run_id: '0193b2c4-7d2e-7a1b-9c3d-4e5f6a7b8c9d',
        workflow: 'background_automation',
        estimate: { cost: { currency: 'USD', amount_micros: 4_000_000 } },
      });
      assert.equal(decision.reason_code, 'team_quiet_hours');
      assert.equal(server.requests[0]!.headers['idempotency-key'], undefined);
    });

    it('creates a request (201 + Location + ETag), lists, polls with If-None-Match, and cancels', async () => {
      server.handle((req, res) => {
        if (req.method === 'POST' && req.url === '/v1/me/requests')
          return sendJson(res, 201, REQUEST, { location: '/v1/me/requests/req_1', etag: '"r1"' });
        if (req.url === '/v1/me/requests?status=pending')
          return sendJson(res, 200, { data: [REQUEST], next_cursor: null });
        if (req.url === '/v1/me/requests/req_1' && req.headers['if-none-match'] === '"r1"') {
          res.writeHead(304);
          return res.end();
        }
        if (req.url === '/v1/me/requests/req_1/cancel') return sendJson(res, 200, { ...REQUEST, status: 'cancelled' });
        return sendProblem(res, 404, 'Not found', 'no such route');
      });
      const created = await client.createRequest(
        {
          band_id: 'b_deep_2026_11',
          requested: { delta: { currency: 'USD', amount_micros: 50_000_000 } },
          scope: 'current_period',
          justification: 'Migrating the billing service needs two more deep sessions.',
          outcome: { kind: 'shorter_lead_time' },
        },
        'create-0123456789abcdef',
      );
      assert.equal(created.request.id, 'req_1');
      assert.equal(created.location, `${server.url}/v1/me/requests/req_1`);
      assert.equal(created.etag, '"r1"');
      const list = await client.listRequests({ status: 'pending' });
      assert.equal(list.data.length, 1);
      assert.deepEqual(await client.getRequest('req_1', { etag: '"r1"' }), { notModified: true });
      const cancelled = await client.cancelRequest('req_1');
      assert.equal(cancelled.status, 'cancelled');
    });

    it('turns a 409 problem into a conflict error that carries the problem', async () => {
      server.handle((_req, res) =>
        sendProblem(res, 409, 'Conflict', 'Request req_1 is already approved and cannot be cancelled.'),
      );
      const error = await client.cancelRequest('req_1').then(
        () => assert.fail('expected a conflict'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ApiError);
      assert.equal(error.kind, 'conflict');
      assert.equal(error.status, 409);
      assert.equal(error.problem?.title, 'Conflict');
      assert.match(error.message, /already approved/);
    });

    it('follows a same-origin redirect with the token, at most 3 times', async () => {
      server.handle((req, res) => {
        const hop = Number(/hop=(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
        if (req.url?.startsWith('/v1/me/bands') && hop < 2) {
          res.writeHead(302, { location: `/v1/me/bands?hop=${hop + 1}` });
          return res.end();
        }
        return sendJson(res, 200, fixture('bandsDocument.json'));
      });
      const answer = await client.getBands();
      assert.ok('document' in answer);
      assert.equal(server.requests.length, 3);
      assert.ok(server.requests.every((r) => r.headers.authorization === `Bearer ${token}`));

      server.requests.length = 0;
      server.handle((_req, res) => {
        res.writeHead(302, { location: '/v1/me/bands' });
        res.end();
      });
      await assert.rejects(
        client.getBands(),
        (e: unknown) =>
          e instanceof ApiError && e.kind === 'invalidPayload' && /redirected more than 3 times/.test(e.message),
      );
      assert.equal(server.requests.length, 4);
    });

    it('never follows a redirect to another origin, so the token is not sent there', async () => {
      const other = await startServer((_req, res) => sendJson(res, 200, fixture('bandsDocument.json')));
      try {
        // another port on the same host is another origin
        server.handle((_req, res) => {
          res.writeHead(301, { location: `${other.url}/v1/me/bands` });
          res.end();
        });
        await assert.rejects(
          client.getBands(),
          (e: unknown) => e instanceof ApiError && e.kind === 'insecure' && e.message.includes(other.url),
        );
        assert.equal(other.requests.length, 0);
      } finally {
        await other.close();
      }
    });

    it('refuses plain http:// beyond loopback unless allowed, and bad URLs, before connecting', () => {
      assert.throws(
        () => new BandsClient({ baseUrl: 'http://budget.example.com', token }),
        (e: unknown) => e instanceof ApiError && e.kind === 'insecure' && !e.message.includes(token),
      );
      assert.throws(
        () => new BandsClient({ baseUrl: 'http://10.1.2.3:8080', token }),
        (e: unknown) => e instanceof ApiError && e.kind === 'insecure',
      );
      assert.throws(
        () => new BandsClient({ baseUrl: 'budget.example.com', token }),
        (e: unknown) => e instanceof ApiError && e.kind === 'invalidUrl',
      );
      assert.throws(
        () => new BandsClient({ baseUrl: 'ftp://budget.example.com', token }),
        (e: unknown) => e instanceof ApiError && e.kind === 'invalidUrl',
      );
      assert.throws(
        () => new BandsClient({ baseUrl: 'https://ada:pw@budget.example.com', token }),
        (e: unknown) => e instanceof ApiError && e.kind === 'invalidUrl',
      );
      for (const ok of ['http://127.0.0.1:1', 'http://localhost:1', 'http://[::1]:1', 'https://budget.example.com']) {
        void new BandsClient({ baseUrl: ok, token }).close();
      }
      void new BandsClient({ baseUrl: 'http://budget.example.com', token, allowInsecureHttp: true }).close();
    });

    it('cancels a call through its AbortSignal as aborted, without waiting for the server', async () => {
      server.handle(() => {
        // never answers
      });
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(
        client.getBands({ signal: controller.signal }),
        (e: unknown) => e instanceof ApiError && e.kind === 'aborted',
      );
      assert.ok(Date.now() - started < 5_000);
    });

    it('rejects a 304 nobody asked for (no ETag was sent)', async () => {
      server.handle((_req, res) => {
        res.writeHead(304);
        res.end();
      });
      await assert.rejects(client.getBands(), (e: unknown) => e instanceof ApiError && e.kind === 'invalidPayload');
    });
  });

describe('api/fetchSender: a server that never sends its headers', () => {
  it('ends with a timeout that says so, like undici', async () => {
    const server = await startServer(() => undefined); // holds every request open
    const client = new BandsClient({
      baseUrl: server.url,
      token: makeToken(),
      retry: { tries: 1 },
      timeouts: { headersMs: 500, totalMs: 5_000 },
      env: {},
      sender: createFetchSender,
    });
    try {
      const started = Date.now();
      await assert.rejects(
        client.getBands(),
        (e: unknown) =>
          e instanceof ApiError && e.kind === 'timeout' && /did not start answering within 0\.5 s/.test(e.message),
      );
      assert.ok(Date.now() - started < 3_000);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
