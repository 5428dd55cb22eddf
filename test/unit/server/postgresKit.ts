// A real PostgreSQL for the server tests: Debian's binaries (apt `postgresql`), a throwaway cluster in
// a temp dir on a free 127.0.0.1 port, one per test process (shared through globalThis, since each test
// file is its own bundle), a fresh database per caller. As root the cluster runs as the `postgres`
// user (Postgres refuses to run as root). SPEND_BAND_TEST_POSTGRES=skip leaves the Postgres runs out
// (they are reported as pending); a missing binary is a failure that says how to install it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export type EngineName = 'sqlite' | 'postgres';

/** The engines every engine-parametrised suite runs on. */
export const ENGINES: readonly EngineName[] = ['sqlite', 'postgres'];

export function postgresSkipped(): boolean {
  return process.env.SPEND_BAND_TEST_POSTGRES === 'skip';
}

interface Cluster {
  port: number;
  dir: string;
  child: ChildProcess;
}

const KEY = Symbol.for('spend-band.test.postgres');
type Holder = { [KEY]?: Promise<Cluster> };

function binDir(): string {
  const explicit = process.env.SPEND_BAND_PG_BIN;
  if (explicit) return explicit;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'postgres'))) return join(root, v, 'bin');
  throw new Error(
    'PostgreSQL binaries not found (looked in /usr/lib/postgresql/*/bin). Install them with "apt-get install postgresql", set SPEND_BAND_PG_BIN, or set SPEND_BAND_TEST_POSTGRES=skip.',
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startCluster(): Promise<Cluster> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'spend-band-pg-'));
  // As root, run as the postgres user directly (uid/gid), not through runuser: a wrapper would not
  // pass the stop signal on.
  let user: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    user = {
      uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
      gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
    };
    chownSync(dir, user.uid, user.gid);
    chmodSync(dir, 0o700);
  }
  const data = join(dir, 'data');
  execFileSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale', 'C'],
    { stdio: 'pipe', cwd: dir, ...user },
  );
  const port = await freePort();
  // fsync off: these clusters live for one test run; a killed *server process* (what the tests do) is
  // unaffected by it, since Postgres acknowledges a commit only once its WAL record is written.
  const args = [
    '-D',
    data,
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'fsync=off',
    '-c',
    'max_connections=200',
    '-c',
    'shared_buffers=64MB',
  ];
  const child = spawn(join(bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir, ...user });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  // The cluster must not keep the test process alive; it is stopped when the process exits.
  child.unref();
  (child.stderr as unknown as { unref?: () => void }).unref?.();
  process.once('exit', () => {
    // Immediate shutdown; the cluster is throwaway.
    child.kill('SIGQUIT');
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // a leftover temp dir is harmless
    }
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = require('pg') as typeof import('pg');
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}): ${stderr}`);
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    try {
      await client.connect();
      await client.end();
      break;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 60 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { port, dir, child };
}

function cluster(): Promise<Cluster> {
  const holder = globalThis as Holder;
  holder[KEY] ??= startCluster();
  return holder[KEY];
}

/** A new, empty database on the test cluster; returns its URL. */
export async function freshPostgresDatabase(): Promise<string> {
  const { port } = await cluster();
  const name = `t_${randomBytes(6).toString('hex')}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = require('pg') as typeof import('pg');
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return `postgres://postgres@127.0.0.1:${port}/${name}`;
}

/** The --db value for a new, empty store of the engine: a file in `dir` for SQLite, a fresh database for Postgres. */
export async function freshLocation(engine: EngineName, dir: string, file = 'server.db'): Promise<string> {
  return engine === 'postgres' ? freshPostgresDatabase() : join(dir, file);
}

/** `describe` once per engine ("title [sqlite]", "title [postgres]"); the body gets the engine to start the harness with. */
export function describeEngines(title: string, body: (this: Mocha.Suite, engine: EngineName) => void): void {
  for (const engine of ENGINES) {
    describe(`${title} [${engine}]`, function () {
      this.timeout(60_000);
      if (engine === 'postgres') {
        before(async function () {
          if (postgresSkipped()) this.skip();
          // initdb and the first start take seconds on a loaded machine.
          this.timeout(120_000);
          await cluster();
        });
      }
      body.call(this, engine);
    });
  }
}
