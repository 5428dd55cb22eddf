// `spend-band server` and `admin` where this Node has no SQLite binding: the copy of the CLI inside the
// .vsix (no node_modules at all) and a clone or npm install whose better-sqlite3 was never built (npm ci
// skips its install script). Each must say what is missing and what to do, exit 2 (a configuration
// problem, docs/contract/cli.md), and never "Cannot find module". With node:sqlite (Node >= 22.13, here
// the VS Code host's Node 24) the same .vsix copy runs the server and the admin commands.
// The real built bundles, copied as the .vsix ships them (.vscodeignore's allowlist), run as child processes.
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { resolveFromRoot } from '../api/apiTestKit';

const run = promisify(execFile);

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function cli(node: string, cliJs: string, args: string[], cwd: string): Promise<Exit> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, NO_COLOR: '1' };
  try {
    const { stdout, stderr } = await run(node, [cliJs, ...args], { cwd, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : null, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function nodeHasSqlite(node: string): boolean {
  const probe = `try { require('node:sqlite'); process.exit(0) } catch { process.exit(1) }`;
  return spawnSync(node, ['-e', probe]).status === 0;
}

describe('spend-band server and admin without a SQLite binding', function () {
  this.timeout(240_000);
  const root = resolveFromRoot('.');
  let dir: string;
  let vsixCli: string;
  /** A Node without node:sqlite (this one on Node 20), or undefined. */
  let oldNode: string | undefined;
  /** A Node with node:sqlite: this one, or the VS Code host's Node 24 when ensureHost installed it. */
  let newNode: string | undefined;

  before(async () => {
    await run(process.execPath, ['esbuild.mjs'], { cwd: root, maxBuffer: 16 << 20 });
    dir = mkdtempSync(join(tmpdir(), 'spend-band-nosqlite-'));
    // the .vsix's files: .vscodeignore's allowlist of dist/ bundles, and package.json
    const ext = join(dir, 'extension');
    mkdirSync(join(ext, 'dist'), { recursive: true });
    cpSync(join(root, 'package.json'), join(ext, 'package.json'));
    for (const line of readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n')) {
      const m = /^!(dist\/[\w.-]+\.js)$/.exec(line.trim());
      if (m) cpSync(join(root, m[1]!), join(ext, m[1]!));
    }
    vsixCli = join(ext, 'dist', 'cli.js');
    const hostNode = join(root, '.vscode-test', 'code-server', 'node_modules', '.bin', 'node');
    if (nodeHasSqlite(process.execPath)) newNode = process.execPath;
    else {
      oldNode = process.execPath;
      if (existsSync(hostNode) && nodeHasSqlite(hostNode)) newNode = hostNode;
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the .vsix copy on a Node without node:sqlite: server and admin say what is missing, exit 2', async function () {
    if (!oldNode) this.skip();
    for (const args of [
      ['server', '--port', '0', '--db', join(dir, 'a.db')],
      ['admin', 'developer', 'list', '--db', join(dir, 'a.db')],
    ]) {
      const result = await cli(oldNode, vsixCli, args, dir);
      assert.equal(result.code, 2, `${args[0]}: ${result.stderr}`);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line on stderr: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /Cannot find module|internal error|permissions/);
      assert.match(lines[0]!, /^spend-band( server)?: the reference server needs SQLite/);
      assert.match(lines[0]!, new RegExp(`Node ${process.version.replace(/\./g, '\\.')} has no built-in node:sqlite`));
      assert.match(lines[0]!, /better-sqlite3 is not installed/);
      assert.match(lines[0]!, /Run spend-band with Node 22\.13 or later, or use the npm-installed CLI or a clone/);
      assert.equal(existsSync(join(dir, 'a.db')), false, 'no database file is left behind');
    }
  });

  it('a clone whose better-sqlite3 was never built says how to build it, exit 2', async function () {
    if (!oldNode) this.skip();
    // the layout of a clone after npm ci: dist/ beside node_modules/better-sqlite3 without build/
    const clone = join(dir, 'clone');
    cpSync(join(dir, 'extension'), clone, { recursive: true });
    const modules = join(root, 'node_modules');
    for (const name of ['better-sqlite3', 'bindings', 'file-uri-to-path']) {
      cpSync(join(modules, name), join(clone, 'node_modules', name), {
        recursive: true,
        filter: (source) => !source.startsWith(join(modules, 'better-sqlite3', 'build')),
      });
    }
    const result = await cli(
      oldNode,
      join(clone, 'dist', 'cli.js'),
      ['admin', 'developer', 'list', '--db', join(dir, 'b.db')],
      dir,
    );
    assert.equal(result.code, 2, result.stderr);
    assert.doesNotMatch(result.stderr, /Cannot find module|internal error|bindings file/);
    const dirOfModule = join(clone, 'node_modules', 'better-sqlite3');
    assert.ok(
      result.stderr.includes(`better-sqlite3 in ${dirOfModule} has no native module built for this Node`),
      result.stderr,
    );
    assert.ok(result.stderr.includes(`cd ${dirOfModule} && npm run install`), result.stderr);
    assert.equal(dirname(dirOfModule), join(clone, 'node_modules'));
  });

  it('the .vsix copy on a Node with node:sqlite runs admin and the server', async function () {
    if (!newNode) this.skip();
    const db = join(dir, 'c.db');
    const added = await cli(newNode, vsixCli, ['admin', 'developer', 'add', '--id', 'ana', '--db', db], dir);
    assert.equal(added.code, 0, added.stderr);
    const listed = await cli(newNode, vsixCli, ['admin', 'developer', 'list', '--json', '--db', db], dir);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /"ana"/);

    const server = spawn(newNode, [vsixCli, 'server', '--port', '0', '--json', '--db', db], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        server.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const line = out.split('\n').find((l) => l.startsWith('{'));
          if (line) resolve((JSON.parse(line) as { url: string }).url);
        });
        server.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        server.on('exit', (code) => reject(new Error(`the server exited (${code}): ${err}`)));
      });
      const answer = await fetch(`${url}/v1/me/bands`);
      assert.equal(answer.status, 401, 'the server answers: a token is needed');
    } finally {
      server.kill('SIGTERM');
    }
  });
});
