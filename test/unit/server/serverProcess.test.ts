// The server as a real child process (dist/server.js and `node dist/cli.js server`; build first with
// `node esbuild.mjs`): kill -9 in the middle of a stream of session-tag posts loses no acknowledged
// tag (on SQLite and on Postgres); the CLI prints its one JSON line, seeds the demo once, and stops
// cleanly on SIGTERM/SIGINT.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describeEngines, freshLocation } from './postgresKit';
import { queryStore } from './serverHarness';

const ROOT = resolve(__dirname, '../../../..');
const SERVER_JS = join(ROOT, 'dist', 'server.js');
const CLI_JS = join(ROOT, 'dist', 'cli.js');

interface Started {
  child: ChildProcess;
  first: string;
  stdout: string[];
  stderr: string[];
}

function start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Started> {
  for (const file of [SERVER_JS, CLI_JS]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run "node esbuild.mjs" before these tests.`);
  }
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stderr!.on('data', (c: Buffer) => stderr.push(c.toString()));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output within 15 s; stderr: ${stderr.join('')}`)), 15_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      stdout.push(line);
      if (stdout.length === 1) {
        clearTimeout(timer);
        resolvePromise({ child, first: line, stdout, stderr });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before printing; stderr: ${stderr.join('')}`));
    });
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
}

function processSuite(): { dir(): string; children: ChildProcess[] } {
  let dir = '';
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'spend-band-proc-'));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited(child);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir: () => dir, children };
}

describeEngines('reference server: as a process', function (engine) {
  this.timeout(90_000);
  const suite = processSuite();
  const children = suite.children;

  it('loses no acknowledged session tag when killed with SIGKILL mid-stream', async () => {
    const db = await freshLocation(engine, suite.dir());
    // Rate limits off: this test measures durability under a stream, not the limiter.
    const server = await start([SERVER_JS, '--db', db, '--port', '0', '--demo', '--json'], {
      SPEND_BAND_RATE_LIMIT: 'off',
    });
    children.push(server.child);
    const { url, token } = JSON.parse(server.first) as { url: string; token: string };
    const acknowledged: string[] = [];
    let stop = false;
    let failures = 0;
    const worker = async () => {
      while (!stop) {
        const items = Array.from({ length: 5 }, (_, i) => ({
          id: randomUUID(),
          workflow: 'deep_coding',
          started_at: new Date(Date.now() - 60_000 * (i + 1)).toISOString(),
          ended_at: null,
        }));
        try {
          const r = await fetch(`${url}/v1/me/session-tags`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'idempotency-key': randomUUID(),
              'content-type': 'application/json',
            },
            body: JSON.stringify({ items }),
          });
          if (r.status !== 200) throw new Error(`status ${r.status}`);
          const body = (await r.json()) as { accepted: string[] };
          acknowledged.push(...body.accepted);
        } catch {
          failures++;
          return;
        }
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    await new Promise((r) => setTimeout(r, 2500));
    server.child.kill('SIGKILL');
    const how = await exited(server.child);
    stop = true;
    await Promise.all(workers);
    assert.equal(how.signal, 'SIGKILL');
    assert.ok(acknowledged.length >= 20, `only ${acknowledged.length} tags were acknowledged before the kill`);
    assert.ok(failures > 0, 'the kill interrupted requests in flight');

    // Restart on the same file: it recovers, and serves with the token it issued before.
    const again = await start([SERVER_JS, '--db', db, '--port', '0', '--json']);
    children.push(again.child);
    const url2 = (JSON.parse(again.first) as { url: string }).url;
    assert.equal((await fetch(`${url2}/v1/me/bands`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const stored = new Set(
      (await queryStore<{ id: string }>(db, "SELECT id FROM session_tags WHERE developer_id = 'demo'")).map(
        (r) => r.id,
      ),
    );
    const lost = acknowledged.filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged tags were lost`);
  });
});

describe('reference server: as a process (file database)', function () {
  this.timeout(90_000);
  const suite = processSuite();
  const children = suite.children;
  const dirOf = () => suite.dir();

  it('spend-band server --json prints one JSON line, serves, and exits 0 on SIGTERM; --demo again does not duplicate', async () => {
    const dir = dirOf();
    const db = join(dir, 'data', 'server.db');
    const first = await start([CLI_JS, 'server', '--port', '0', '--demo', '--json'], { SPEND_BAND_DB: db });
    children.push(first.child);
    const line = JSON.parse(first.first) as Record<string, string>;
    assert.deepEqual(Object.keys(line).sort(), ['db', 'developer', 'token', 'url']);
    assert.equal(line.db, db);
    assert.equal(line.developer, 'demo');
    assert.match(line.url!, /^http:\/\/127\.0\.0\.1:\d+$/);
    const bands = await fetch(`${line.url}/v1/me/bands`, { headers: { authorization: `Bearer ${line.token}` } });
    assert.equal(bands.status, 200);
    first.child.kill('SIGTERM');
    assert.deepEqual(await exited(first.child), { code: 0, signal: null });
    assert.deepEqual(first.stdout, [first.first], 'exactly one line on stdout');

    const count = async () =>
      (
        await queryStore(
          db,
          'SELECT (SELECT count(*) FROM developers) AS d, (SELECT count(*) FROM usage_events) AS u, (SELECT count(*) FROM requests) AS r',
        )
      )[0];
    const before = await count();
    const second = await start([CLI_JS, 'server', '--db', db, '--port', '0', '--demo']);
    children.push(second.child);
    await new Promise((r) => setTimeout(r, 300));
    const text = second.stdout.join('\n');
    const url = /listening on (http:\/\/\S+)/.exec(text)?.[1];
    const token = /demo token[^:]*: (sbt_\S+)/.exec(text)?.[1];
    assert.ok(url && token, text);
    assert.notEqual(token, line.token);
    assert.equal((await fetch(`${url}/v1/me/bands`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    assert.equal(
      (await fetch(`${url}/v1/me/bands`, { headers: { authorization: `Bearer ${line.token}` } })).status,
      401,
      'the earlier demo token was revoked (#20 finding 10)',
    );
    assert.deepEqual(await count(), before, 'no duplicated developers, usage or requests');
    second.child.kill('SIGINT');
    assert.deepEqual(await exited(second.child), { code: 0, signal: null });
  });

  it('says what to do when the port is taken or a flag is wrong (exit 2)', async () => {
    const dir = dirOf();
    const db = join(dir, 'server.db');
    const first = await start([CLI_JS, 'server', '--db', db, '--port', '0', '--json']);
    children.push(first.child);
    const port = new URL((JSON.parse(first.first) as { url: string }).url).port;
    const clash = spawn(process.execPath, [CLI_JS, 'server', '--db', db, '--port', port], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(clash);
    let err = '';
    clash.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    assert.equal((await exited(clash)).code, 2);
    assert.match(err, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use; pick another --port, or --port 0`));
    const bad = spawn(process.execPath, [CLI_JS, 'server', '--db', db, '--port', 'eighty'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(bad);
    let badErr = '';
    bad.stderr!.on('data', (c: Buffer) => (badErr += c.toString()));
    assert.equal((await exited(bad)).code, 2);
    assert.match(badErr, /--port eighty: expected 0 to 65535/);
  });
});
