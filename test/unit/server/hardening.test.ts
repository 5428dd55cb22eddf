// Issue #20 findings 9, 10, 11 and 12 (expiry, rotation): the database folder and files are private
// (file modes, with a permissive umask in force), `server --demo` revokes earlier demo tokens,
// `node dist/server.js --help/--version` print and exit without creating a database, and tokens can
// expire and be rotated. Real processes and real HTTP; build first with `node esbuild.mjs`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer } from '../../../src/server/main';
import { admin, api, assertProblem, DEFAULT_NOW, startHarness, type Harness } from './serverHarness';

const ROOT = resolve(__dirname, '../../../..');
const SERVER_JS = join(ROOT, 'dist', 'server.js');

describe('reference server: hardening (#20)', function () {
  this.timeout(60_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'spend-band-harden-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the database folder 0700 and server.db, -wal and -shm 0600 even under umask 022 (finding 9)', async () => {
    const previous = process.umask(0o022);
    try {
      const dbPath = join(dir, 'data', 'nested', 'server.db');
      const server = await startServer({ dbPath, port: 0, demo: true, log: () => undefined });
      try {
        assert.equal(
          (await fetch(`${server.url}/v1/me/bands`, { headers: { authorization: `Bearer ${server.demoToken}` } }))
            .status,
          200,
        );
        assert.equal(statSync(join(dir, 'data', 'nested')).mode & 0o777, 0o700, 'the folder');
        assert.equal(statSync(join(dir, 'data')).mode & 0o777, 0o700, 'the parent it created');
        const files = readdirSync(join(dir, 'data', 'nested'));
        assert.deepEqual(files.sort(), ['server.db', 'server.db-shm', 'server.db-wal']);
        for (const f of files) assert.equal(statSync(join(dir, 'data', 'nested', f)).mode & 0o777, 0o600, f);
      } finally {
        await server.close();
      }
      assert.equal(process.umask(0o022), 0o022, 'the umask is restored after opening');
    } finally {
      process.umask(previous);
    }
  });

  it('tightens a world-readable database an older build left behind', async () => {
    const dbPath = join(dir, 'server.db');
    const first = await startServer({ dbPath, port: 0, log: () => undefined });
    await first.close();
    chmodSync(dbPath, 0o644);
    const again = await startServer({ dbPath, port: 0, log: () => undefined });
    await again.close();
    assert.equal(statSync(dbPath).mode & 0o777, 0o600);
  });

  it('node dist/server.js --help and --version print and exit 0 without creating a database (finding 11)', () => {
    assert.ok(existsSync(SERVER_JS), 'run "node esbuild.mjs" first');
    const xdg = join(dir, 'xdg');
    mkdirSync(xdg);
    for (const [flag, pattern] of [
      ['--help', /--db FILE[\s\S]*--demo/],
      ['--version', /^spend-band server \d+\.\d+\.\d+/],
    ] as const) {
      const run = spawnSync(process.execPath, [SERVER_JS, flag], {
        env: { ...process.env, XDG_DATA_HOME: xdg, SPEND_BAND_DB: '' },
        encoding: 'utf8',
        timeout: 10_000,
      });
      assert.equal(run.status, 0, `${flag}: ${run.stderr}`);
      assert.match(run.stdout, pattern);
      assert.deepEqual(readdirSync(xdg), [], `${flag} created ${readdirSync(xdg).join(', ')}`);
    }
  });

  describe('tokens', () => {
    let h: Harness;
    const after: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const close of after.splice(0)) await close();
      await h.close();
    });

    it('a new --demo start revokes the earlier demo token and the demo token expires after 30 days (finding 10)', async () => {
      h = await startHarness({ dir });
      const earlier = h.token;
      await h.server.close();
      const second = await startServer({
        dbPath: h.dbPath,
        port: 0,
        demo: true,
        now: () => new Date(h.clock.ms),
        log: () => undefined,
      });
      assertProblem(await api({ url: second.url, token: earlier }, 'GET', '/v1/me/bands'), 401, 'authentication');
      assert.equal((await api({ url: second.url, token: second.demoToken! }, 'GET', '/v1/me/bands')).status, 200);
      // An admin-issued token of the demo developer is not a demo token: it stays.
      const issued = await admin(h.dbPath, ['token', 'issue', '--developer', 'demo']);
      await second.close();
      const third = await startServer({
        dbPath: h.dbPath,
        port: 0,
        demo: true,
        now: () => new Date(h.clock.ms),
        log: () => undefined,
      });
      after.push(() => third.close());
      assert.equal((await api({ url: third.url, token: issued.stdout.trim() }, 'GET', '/v1/me/bands')).status, 200);
      h.clock.advance(30 * 86_400_000);
      const expired = await api({ url: third.url, token: third.demoToken! }, 'GET', '/v1/me/bands');
      assertProblem(expired, 401, 'authentication');
      assert.match(expired.json.detail, /expired at 2026-12-18T10:00:00\.000Z.*token rotate/);
    });

    it('admin token issue --expires-in makes a token that stops working at its expires_at (finding 12)', async () => {
      h = await startHarness({ dir });
      const issued = await admin(h.dbPath, ['token', 'issue', '--developer', 'demo', '--expires-in', 'PT2H', '--json']);
      assert.equal(issued.code, 0, issued.stderr);
      const { token, expires_at } = JSON.parse(issued.stdout) as { token: string; expires_at: string };
      assert.equal(expires_at, new Date(DEFAULT_NOW + 2 * 3_600_000).toISOString());
      assert.equal((await api(h, 'GET', '/v1/me/bands', { token })).status, 200);
      h.clock.advance(2 * 3_600_000);
      assertProblem(await api(h, 'GET', '/v1/me/bands', { token }), 401, 'authentication');
      const bad = await admin(h.dbPath, ['token', 'issue', '--developer', 'demo', '--expires-in', 'soon']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /ISO 8601 duration/);
    });

    it('admin token rotate issues a new token and retires the old ones, at once or after --grace (finding 12)', async () => {
      h = await startHarness({ dir });
      const old = h.token;
      const rotated = await admin(h.dbPath, ['token', 'rotate', '--developer', 'demo', '--grace', 'PT1H']);
      assert.equal(rotated.code, 0, rotated.stderr);
      const fresh = rotated.stdout.trim();
      assert.match(fresh, /^sbt_/);
      assert.match(rotated.stderr, /1 earlier token\(s\) stop working at 2026-11-18T11:00:00\.000Z/);
      assert.equal(
        (await api(h, 'GET', '/v1/me/bands', { token: old })).status,
        200,
        'the old token works during the grace period',
      );
      assert.equal((await api(h, 'GET', '/v1/me/bands', { token: fresh })).status, 200);
      h.clock.advance(3_600_000);
      assertProblem(await api(h, 'GET', '/v1/me/bands', { token: old }), 401, 'authentication');
      assert.equal((await api(h, 'GET', '/v1/me/bands', { token: fresh })).status, 200);

      const again = await admin(h.dbPath, ['token', 'rotate', '--developer', 'demo'], DEFAULT_NOW + 3_600_000);
      assert.equal(again.code, 0, again.stderr);
      assertProblem(await api(h, 'GET', '/v1/me/bands', { token: fresh }), 401, 'authentication');
      assert.equal((await api(h, 'GET', '/v1/me/bands', { token: again.stdout.trim() })).status, 200);
    });
  });
});
