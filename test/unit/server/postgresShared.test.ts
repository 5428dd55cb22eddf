// Several server processes against one PostgreSQL serve the same data: two dist/server.js processes
// on one database, no balancer, each request of the test going to the other instance than the one
// before. What one instance writes (a reservation, a request, an idempotent answer, a cancellation, an
// admin's revocation) the other serves on the very next request.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { freshPostgresDatabase, postgresSkipped } from './postgresKit';
import { admin, api, usd, type ApiOptions, type ApiResponse } from './serverHarness';

const ROOT = resolve(__dirname, '../../../..');
const SERVER_JS = join(ROOT, 'dist', 'server.js');

function startProcess(args: string[]): Promise<{ child: ChildProcess; line: Record<string, string> }> {
  if (!existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run "node esbuild.mjs" before these tests.`);
  const child = spawn(process.execPath, [SERVER_JS, ...args], {
    cwd: ROOT,
    env: { ...process.env, SPEND_BAND_RATE_LIMIT: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output within 30 s; stderr: ${stderr}`)), 30_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolvePromise({ child, line: JSON.parse(line) as Record<string, string> });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}; stderr: ${stderr}`));
    });
  });
}

describe('reference server: two processes on one PostgreSQL', function () {
  this.timeout(120_000);
  const children: ChildProcess[] = [];
  let database: string;
  let token: string;
  let urls: string[];
  let turn = 0;

  /** The next request goes to the other instance. */
  const call = (
    method: string,
    path: string,
    options: ApiOptions = {},
  ): Promise<ApiResponse & { instance: number }> => {
    const instance = turn++ % 2;
    return api({ url: urls[instance]!, token }, method, path, options).then((r) => ({ ...r, instance }));
  };

  before(async function () {
    if (postgresSkipped()) this.skip();
    database = await freshPostgresDatabase();
    const a = await startProcess(['--database', database, '--port', '0', '--demo', '--json']);
    children.push(a.child);
    const b = await startProcess(['--database', database, '--port', '0', '--json']);
    children.push(b.child);
    token = a.line.token!;
    urls = [a.line.url!, b.line.url!];
    assert.notEqual(urls[0], urls[1]);
    assert.doesNotMatch(a.line.db!, /:[^:@/]*@.*:[^@]*@/, 'no password printed');
  });
  after(() => {
    for (const child of children) child.kill('SIGTERM');
  });

  it('serves one document: the ETag from one instance is a 304 on the other, and a reservation made on one shows on the other', async () => {
    const first = await call('GET', '/v1/me/bands');
    assert.equal(first.status, 200);
    const etag = first.headers.get('etag')!;
    const same = await call('GET', '/v1/me/bands', { headers: { 'if-none-match': etag } });
    assert.equal(same.status, 304, 'the other instance has the same document');
    const reservedBefore = (first.json.bands as Array<{ id: string; reserved: { amount_micros: number } }>).find(
      (b) => b.id === 'b_deep_coding',
    )!.reserved.amount_micros;

    const asked = await call('POST', '/v1/me/preflight', {
      body: { client_run_id: randomUUID(), workflow: 'deep_coding', estimate: { cost: usd(3) } },
    });
    assert.equal(asked.status, 200);
    assert.equal(asked.json.decision, 'allow');
    const after = await call('GET', '/v1/me/bands', { headers: { 'if-none-match': etag } });
    assert.equal(after.instance, 1 - asked.instance);
    assert.equal(after.status, 200, 'the reservation changed the document on the other instance too');
    const reserved = (after.json.bands as Array<{ id: string; reserved: { amount_micros: number } }>).find(
      (b) => b.id === 'b_deep_coding',
    )!.reserved.amount_micros;
    assert.equal(reserved, reservedBefore + 3_000_000);
  });

  it('keeps one idempotency record: the same Idempotency-Key replays on the other instance', async () => {
    const k = randomUUID();
    const body = {
      band_id: 'b_research',
      requested: { delta: usd(20) },
      scope: 'current_period',
      justification: 'Evaluating two vendors for the search rewrite this month.',
      outcome: { kind: 'decision', metric: 'vendor chosen', target: 1 },
    };
    const created = await call('POST', '/v1/me/requests', { body, idempotencyKey: k });
    assert.equal(created.status, 201, created.text);
    const replayed = await call('POST', '/v1/me/requests', { body, idempotencyKey: k });
    assert.equal(replayed.instance, 1 - created.instance);
    assert.equal(replayed.status, 201);
    assert.equal(replayed.headers.get('idempotent-replayed'), 'true');
    assert.equal(replayed.json.id, created.json.id);
    const list = await call('GET', '/v1/me/requests?status=pending');
    assert.equal(
      (list.json.data as Array<{ id: string }>).filter((r) => r.id === created.json.id).length,
      1,
      'filed once',
    );

    const polled = await call('GET', `/v1/me/requests/${created.json.id}`);
    const cancelled = await call('POST', `/v1/me/requests/${created.json.id}/cancel`);
    assert.equal(cancelled.status, 200);
    const after = await call('GET', `/v1/me/requests/${created.json.id}`, {
      headers: { 'if-none-match': polled.headers.get('etag')! },
    });
    assert.equal(after.instance, 1 - cancelled.instance);
    assert.equal(after.status, 200, 'the ETag moved on the other instance');
    assert.equal(after.json.status, 'cancelled');
  });

  it('stores session tags sent alternately to both, each once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = randomUUID();
      ids.push(id);
      const r = await call('POST', '/v1/me/session-tags', {
        body: {
          items: [
            {
              id,
              workflow: 'review',
              started_at: new Date(Date.now() - (i + 1) * 60_000).toISOString(),
              ended_at: null,
            },
          ],
        },
        idempotencyKey: randomUUID(),
      });
      assert.equal(r.status, 200);
    }
    const listed = await admin(database, ['tag', 'list', '--developer', 'demo', '--json']);
    const stored = new Set((JSON.parse(listed.stdout) as Array<{ id: string }>).map((t) => t.id));
    assert.deepEqual(
      ids.filter((id) => !stored.has(id)),
      [],
    );
  });

  it('refuses a token revoked by the admin CLI on both instances at once', async () => {
    const issued = (await admin(database, ['token', 'issue', '--developer', 'sam'])).stdout.trim();
    for (const url of urls) assert.equal((await api({ url, token: issued }, 'GET', '/v1/me/bands')).status, 200);
    assert.equal((await admin(database, ['token', 'revoke', '--developer', 'sam'])).code, 0);
    for (const url of urls) assert.equal((await api({ url, token: issued }, 'GET', '/v1/me/bands')).status, 401, url);
  });
});
