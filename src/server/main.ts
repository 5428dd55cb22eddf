// The reference Bands API v1 server (bundled to dist/server.js). `startServer` is the programmatic entry
// (tests import it); `runServer` and `openAdmin` are what the CLI loads at run time for `spend-band server`
// and `spend-band admin` (the contract: domain/serverAdmin.ts); `node dist/server.js [flags]` runs the
// server directly, parsing its own few flags.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT } from '../domain/exitCodes';
import type { ServerIo, ServerModule, ServerRunOptions } from '../domain/serverAdmin';
import { openAdmin } from './adminApi';
import { DEMO_DEVELOPER, seedDemo } from './demoSeed';
import { seedDemoTeam } from './demoTeam';
import { createRequestListener } from './httpApp';
import { IdempotencyStore } from './idempotency';
import { purgeOtlpPoints } from './otlpStore';
import { createRateLimiters, DEFAULT_RATE_LIMITS, parseRateLimit, type RateLimitConfig } from './rateLimit';
import { ServerCache } from './serverCache';
import { openStorage } from './storage/openStorage';
import { serverDbPath } from './serverPaths';
import { KNOWN_SCOPES } from './tokens';

export { openAdmin };
export const tokenScopes: readonly string[] = KNOWN_SCOPES;

export interface StartServerOptions {
  dbPath: string;
  /** default 127.0.0.1 */
  host?: string;
  /** default 8787; 0 picks a free port */
  port?: number;
  /** seed the demo team (once per database) and issue a fresh token for developer `demo` */
  demo?: boolean;
  /** with `demo`: also the 12-developer team for the review (demoTeam.ts); the CLI's --demo sets it, tests need not */
  demoTeam?: boolean;
  now?: () => Date;
  /** server log lines (errors); default stderr */
  log?: (line: string) => void;
  /** per-token rate limits; default DEFAULT_RATE_LIMITS, false turns them off (benchmarks) */
  rateLimit?: RateLimitConfig | false;
}

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  dbPath: string;
  /** the store as it may be shown: the file path, or the Postgres URL without its password */
  dbLocation: string;
  /** with `demo`: the developer id (`demo`) and a token for it */
  demoDeveloper?: string;
  demoToken?: string;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8787;
const HOUR_MS = 3_600_000;

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? ((line: string) => process.stderr.write(`spend-band server: ${line}\n`));
  const host = options.host ?? '127.0.0.1';
  const db = await openStorage(options.dbPath);
  let server: Server | undefined;
  try {
    const demo = options.demo ? await seedDemo(db, now()) : undefined;
    if (options.demo && options.demoTeam) await seedDemoTeam(db, now());
    const cache = new ServerCache(db);
    const idempotency = new IdempotencyStore(db);
    await idempotency.purge(now().getTime());
    await purgeOtlpPoints(db, now().getTime());
    server = createServer(
      { requestTimeout: 30_000, headersTimeout: 15_000, keepAliveTimeout: 5_000 },
      createRequestListener({
        db,
        cache,
        idempotency,
        rateLimits: createRateLimiters(options.rateLimit ?? DEFAULT_RATE_LIMITS),
        now,
        log,
      }),
    );
    await listen(server, options.port ?? DEFAULT_PORT, host);
    const port = (server.address() as AddressInfo).port;
    const purge = setInterval(() => {
      idempotency.purge(now().getTime()).catch((error: unknown) => {
        log(`idempotency purge failed (will retry in an hour): ${(error as Error).message}`);
      });
      purgeOtlpPoints(db, now().getTime()).catch((error: unknown) => {
        log(`OTLP point purge failed (will retry in an hour): ${(error as Error).message}`);
      });
    }, HOUR_MS);
    purge.unref();
    const running = server;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      port,
      host,
      dbPath: options.dbPath,
      dbLocation: db.location,
      ...(demo ? { demoDeveloper: DEMO_DEVELOPER, demoToken: demo.token } : {}),
      close: () => {
        closing ??= (async () => {
          clearInterval(purge);
          await closeServer(running);
          await db.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    if (server?.listening) await closeServer(server);
    await db.close();
    throw error;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE')
        reject(new Error(`port ${port} on ${host} is in use; pick another --port, or --port 0 for a free one.`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
        reject(new Error(`cannot listen on host ${host}; use an address of this machine such as 127.0.0.1.`));
      else if (error.code === 'EACCES')
        reject(new Error(`not allowed to listen on port ${port}; use a port above 1023.`));
      else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Stop accepting, let requests in progress finish (2 s at most), then drop what is left. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), 2_000);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Runs the server until `io.signal` fires (SIGINT/SIGTERM), then closes cleanly; returns the exit code. */
export async function runServer(options: ServerRunOptions, io: ServerIo): Promise<number> {
  const fail = (message: string) => {
    io.stderr.write(`spend-band server: ${message}\n`);
    return EXIT.usage;
  };
  const portText = options.port ?? io.env.SPEND_BAND_PORT ?? String(DEFAULT_PORT);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535)
    return fail(`--port ${portText}: expected 0 to 65535 (0 picks a free port).`);
  const host = options.host ?? '127.0.0.1';
  const dbPath = serverDbPath(options.db, io.env);
  let rateLimit: RateLimitConfig | false;
  try {
    rateLimit = parseRateLimit(io.env.SPEND_BAND_RATE_LIMIT);
  } catch (error) {
    return fail((error as Error).message);
  }
  let running: RunningServer;
  try {
    running = await startServer({
      dbPath,
      host,
      port: Number(portText),
      demo: options.demo,
      demoTeam: options.demo,
      rateLimit,
      now: () => io.now(),
      log: (line) => io.stderr.write(`spend-band server: ${line}\n`),
    });
  } catch (error) {
    return fail((error as Error).message);
  }
  if (!isLoopback(host)) {
    io.stderr.write(
      `spend-band server: listening on ${host} without TLS; tokens cross the network in clear. Put a TLS proxy in front of it.\n`,
    );
  }
  if (options.json) {
    io.stdout.write(
      `${JSON.stringify({ url: running.url, db: running.dbLocation, ...(running.demoToken ? { developer: running.demoDeveloper, token: running.demoToken } : {}) })}\n`,
    );
  } else {
    const lines = [
      `Spend Band reference server (Bands API v1) listening on ${running.url}`,
      `database: ${running.dbLocation}`,
    ];
    if (running.demoToken) {
      lines.push(
        `demo developer: ${running.demoDeveloper}`,
        `demo token (new for this run; keep it private): ${running.demoToken}`,
        `try: SPEND_BAND_TOKEN=<the token> spend-band status --endpoint ${running.url}`,
      );
    }
    lines.push('Stop with Ctrl+C.');
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await running.close();
  if (!options.json) io.stdout.write('server stopped.\n');
  return EXIT.ok;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

// Checked here so that the CLI's view of this bundle (domain/serverAdmin.ts) cannot drift from it.
({ runServer, openAdmin, tokenScopes }) satisfies ServerModule;

const USAGE = `node dist/server.js [--db FILE | --database postgres://USER[:PASS]@HOST[:PORT]/DB] [--host 127.0.0.1] [--port N] [--demo] [--json] [--version]
  the reference Bands API v1 server (the same as: spend-band server). --db defaults to SPEND_BAND_DB, else
  $XDG_DATA_HOME/spend-band/server.db (SQLite); a postgres:// URL there or in --database uses PostgreSQL,
  which several server processes can share. --port defaults to SPEND_BAND_PORT, else 8787 (0 picks a free port).
  The database file is created 0600 in a 0700 folder. --demo prints a new demo token (30 days) and revokes
  the earlier ones. SPEND_BAND_RATE_LIMIT=READS,WRITES sets per-token calls a minute (default 600,120), or off.
`;

const ARGS: ParseArgsConfig['options'] = {
  db: { type: 'string' },
  database: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  demo: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean' },
  version: { type: 'boolean' },
};

/** The package version (dist/server.js sits in dist/, beside ../package.json). */
function packageVersion(): string {
  try {
    return (
      (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version?: string }).version ??
      'unknown'
    );
  } catch {
    return 'unknown';
  }
}

if (require.main === module) {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: process.argv.slice(2), options: ARGS, strict: true, allowPositionals: false })
      .values as typeof values;
  } catch (error) {
    process.stderr.write(`spend-band server: ${(error as Error).message}. Run node dist/server.js --help for usage.\n`);
    process.exit(EXIT.usage);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(EXIT.ok);
  }
  // Like --help: print and exit before any database is opened (issue #20 finding 11).
  if (values.version) {
    process.stdout.write(`spend-band server ${packageVersion()} (Bands API v1)\n`);
    process.exit(EXIT.ok);
  }
  const text = (name: string) => values[name] as string | undefined;
  runServer(
    {
      db: text('db') ?? text('database'),
      host: text('host'),
      port: text('port'),
      demo: values.demo === true,
      json: values.json === true,
    },
    {
      env: process.env,
      stdout: process.stdout,
      stderr: process.stderr,
      now: () => new Date(),
      signal: controller.signal,
    },
  ).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `spend-band server: internal error (a bug; please report it with this line): ${String(error)}\n`,
      );
      process.exitCode = EXIT.internal;
    },
  );
}
