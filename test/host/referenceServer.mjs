// Starts the reference Bands API v1 server (issue #10) with demo data, the way a person would:
// `node dist/cli.js server --demo --db FILE --port 0 --json`, which prints one JSON line once listening.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { distCli } from './paths.mjs';
import { startGroup } from './processes.mjs';

/**
 * Starts the server and waits until it listens. Resolves to
 * { url, db, developer, token, pid, stop(), exited }. Rejects when the server does not come up.
 */
export async function startReferenceServer({ db, logFile, host = '127.0.0.1', timeoutMs = 60_000 }) {
  if (!existsSync(distCli)) {
    throw new Error(`${distCli} is missing: run "node esbuild.mjs" first`);
  }
  mkdirSync(dirname(db), { recursive: true });
  let stderrTail = [];
  let resolveReady;
  const ready = new Promise((resolve) => (resolveReady = resolve));
  // System Node 20 on purpose: better-sqlite3 is built for it, not for code-server's Node 24.
  const server = startGroup(
    process.execPath,
    [distCli, 'server', '--demo', '--db', db, '--host', host, '--port', '0', '--json'],
    {
      logFile,
      onLine(line, stream) {
        if (stream === 'stderr') {
          stderrTail = [...stderrTail, line].slice(-20);
          return;
        }
        const trimmed = line.trim();
        if (!trimmed.startsWith('{')) return;
        try {
          const info = JSON.parse(trimmed);
          if (typeof info.url === 'string') resolveReady(info);
        } catch {
          // Not the readiness line; the server may log other JSON later.
        }
      },
    },
  );
  let timer;
  const outcome = await Promise.race([
    ready.then((info) => ({ info })),
    server.exited.then((exit) => ({ exit })),
    new Promise((resolve) => (timer = setTimeout(() => resolve({ timeout: true }), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome.info) {
    const { url, token, developer } = outcome.info;
    if (typeof token !== 'string' || token.length === 0) {
      await server.stop();
      throw new Error(
        'the reference server printed no demo token in its JSON line; check "spend-band server --demo --json" (issue #10)',
      );
    }
    return {
      url,
      db: outcome.info.db ?? db,
      developer: developer ?? 'demo',
      token,
      pid: server.pid,
      stop: server.stop,
      exited: server.exited,
    };
  }
  await server.stop();
  // Let the streams flush the last stderr lines before reading them.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const stderr = stderrTail.join('\n');
  if (outcome.timeout) {
    throw new Error(`the reference server printed no JSON line within ${timeoutMs / 1000} s; see ${logFile}`);
  }
  throw new Error(
    `the reference server exited (${outcome.exit.error?.message ?? `code ${outcome.exit.code}`}) before listening:\n${stderr}\nsee ${logFile}`,
  );
}
