// For the `spend-band preflight` / `run` tests: the CLI bundled from today's sources and run as a real
// child process (never a TTY, so no prompt waits), a local config in a temp dir, the reference server
// in this process on 127.0.0.1:0, and its admin commands run in-process on the same database file.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../../src/cli/args';
import { runAdminCommand } from '../../../src/cli/adminCommand';
import { CliError } from '../../../src/cli/cliError';
import * as serverModule from '../../../src/server/main';
import { startServer, type RunningServer } from '../../../src/server/main';

import { buildCli } from '../api/apiTestKit';

/** The CLI bundled from today's sources (one build shared with the api tests' kit). */
export { buildCli };

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Spawned {
  child: ChildProcess;
  stderrSoFar(): string;
  done: Promise<CliRun>;
}

export async function spawnCli(
  args: readonly string[],
  env: Record<string, string>,
  killAfterMs = 90_000,
): Promise<Spawned> {
  const cli = await buildCli();
  const child = spawn(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: env.HOME ?? tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const done = new Promise<CliRun>((ok, fail) => {
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(killer);
      ok({ code, stdout, stderr });
    });
  });
  return { child, stderrSoFar: () => stderr, done };
}

export async function runCli(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  return (await spawnCli(args, env)).done;
}

/** A temp dir with a config file; `cleanup()` removes it. */
export function tempDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeJson(path: string, value: unknown): string {
  writeFileSync(path, JSON.stringify(value, null, 2));
  return path;
}

/** `node -e SCRIPT` that writes `marker` and exits with `code`: proof that the command ran, and its code. */
export function markerCommand(marker: string, code: number): string[] {
  return [
    process.execPath,
    '-e',
    `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); process.exit(${code})`,
  ];
}

export interface TestServer {
  server: RunningServer;
  dbPath: string;
  admin(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export async function startTestServer(dir: string): Promise<TestServer> {
  const dbPath = join(dir, 'server.db');
  const logs: string[] = [];
  const server = await startServer({ dbPath, port: 0, demo: true, log: (line) => logs.push(line) });
  return {
    server,
    dbPath,
    async admin(argv) {
      let stdout = '';
      let stderr = '';
      const ctx = {
        args: parseArgs([...argv, '--db', dbPath]),
        env: { USER: 'lead' } as NodeJS.ProcessEnv,
        stdout: { write: (t: string) => (stdout += t) },
        stderr: { write: (t: string) => (stderr += t) },
        now: () => new Date(),
        signal: new AbortController().signal,
      };
      try {
        return { code: await runAdminCommand(ctx, serverModule), stdout, stderr };
      } catch (error) {
        if (error instanceof CliError) return { code: error.exitCode, stdout, stderr: `${stderr}${error.message}\n` };
        throw error;
      }
    },
    close: () => server.close(),
  };
}

export async function waitUntil(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What a suite against the reference server uses: its temp dir, the server, and the CLI's environment. */
export interface ServerSuite {
  readonly dir: string;
  readonly server: TestServer;
  /** HOME in the temp dir, the endpoint and demo token, a cache folder, no config file, no agent logs */
  readonly env: Record<string, string>;
}

/**
 * The reference server with demo data for one describe block: started in `before` (temp dir named
 * `prefix…`), closed and removed in `after`. Read its fields inside hooks and tests, not at describe time.
 */
export function referenceServerSuite(prefix: string): ServerSuite {
  let tmp: { dir: string; cleanup(): void } | undefined;
  let server: TestServer | undefined;
  let env: Record<string, string> | undefined;
  before(async () => {
    tmp = tempDir(prefix);
    server = await startTestServer(tmp.dir);
    env = {
      HOME: tmp.dir,
      SPEND_BAND_ENDPOINT: server.server.url,
      SPEND_BAND_TOKEN: server.server.demoToken!,
      SPEND_BAND_CACHE: join(tmp.dir, 'cache'),
      SPEND_BAND_CONFIG: join(tmp.dir, 'absent.json'),
      CLAUDE_CONFIG_DIR: join(tmp.dir, 'no-claude'),
      CODEX_HOME: join(tmp.dir, 'no-codex'),
    };
  });
  after(async () => {
    await server?.close();
    tmp?.cleanup();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the reference server suite is read before its before() hook ran');
    return value;
  };
  return {
    get dir() {
      return started(tmp).dir;
    },
    get server() {
      return started(server);
    },
    get env() {
      return started(env);
    },
  };
}
