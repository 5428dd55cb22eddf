// Shared pieces of the api tests: real HTTP servers on 127.0.0.1 (port 0) whose behaviour a test swaps
// mid-way, temp dirs, fixtures, and the real CLI bundle run as a child process.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface TestServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** swap what the server does */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export async function startServer(initial: Handler): Promise<TestServer> {
  let handler = initial;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      try {
        handler(req, res, body);
      } catch (error) {
        res.statusCode = 599;
        res.end(String(error));
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    handle(next) {
      handler = next;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((done) => server.close(() => done()));
    },
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendProblem(
  res: ServerResponse,
  status: number,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({
    type: `https://budget.example.com/problems/${status}`,
    title,
    status,
    detail,
    code: 'test',
  });
  res.writeHead(status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'src'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root from ' + __dirname);
    dir = up;
  }
  return dir;
}

export function fixtureText(relative: string): string {
  return readFileSync(join(repoRoot(), 'test', 'fixtures', 'api', relative), 'utf8');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a fixture is whatever JSON the test reads it as
export function fixture<T = any>(relative: string): T {
  return JSON.parse(fixtureText(relative)) as T;
}

export function tempDir(prefix = 'spend-band-api-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A token that looks real and is easy to grep for. */
export function makeToken(): string {
  return `sbt_live_${randomBytes(18).toString('hex')}`;
}

let cliPath: string | undefined;

/** Bundle src/cli/main.ts the way esbuild.mjs bundles dist/cli.js, so the child runs today's code. */
export async function buildCli(): Promise<string> {
  if (cliPath) return cliPath;
  const root = repoRoot();
  const esbuild = await import('esbuild');
  const outfile = join(root, 'out', 'test', 'api-cli', `cli-${process.pid}.js`);
  await esbuild.build({
    entryPoints: [join(root, 'src', 'cli', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'better-sqlite3', './server.js'],
    loader: { '.wasm': 'binary' },
    logLevel: 'silent',
  });
  cliPath = outfile;
  process.once('exit', () => rmSync(outfile, { force: true }));
  return outfile;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run `node cli.js ARGS` with a clean environment (plus `env`); killed if it outlives `killAfterMs`. */
export async function runCli(
  args: readonly string[],
  env: Record<string, string>,
  killAfterMs = 60_000,
): Promise<CliRun> {
  const cli = await buildCli();
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: env.HOME ?? tmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(killer);
      done({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export function resolveFromRoot(...parts: string[]): string {
  return resolve(repoRoot(), ...parts);
}
