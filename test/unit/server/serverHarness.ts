// Test harness: a real reference server on 127.0.0.1 (port 0) over a database in a temp dir (SQLite)
// or a fresh database on the test PostgreSQL (postgresKit.ts), a controllable clock, an HTTP helper,
// and the admin CLI run in-process on the same store (its own connection, as a separate admin process
// would have).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from '../../../src/cli/args';
import { runAdminCommand } from '../../../src/cli/adminCommand';
import { CliError } from '../../../src/cli/cliError';
import * as serverModule from '../../../src/server/main';
import { startServer, type RunningServer } from '../../../src/server/main';
import type { RateLimitConfig } from '../../../src/server/rateLimit';
import { openStorage } from '../../../src/server/storage/openStorage';
import type { SqlValue } from '../../../src/server/storage/sqlDb';
import { freshLocation, type EngineName } from './postgresKit';

export interface Clock {
  ms: number;
  advance(ms: number): void;
}

export interface Harness {
  dir: string;
  engine: EngineName;
  /** the --db value: a file path (SQLite) or a postgres:// URL */
  dbPath: string;
  url: string;
  token: string;
  server: RunningServer;
  clock: Clock;
  logs: string[];
  /** rows of a query on the store, through a connection of its own (as another process would read) */
  query<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  close(): Promise<void>;
}

/** Rows of one query on the store at `location`, through a connection of its own. */
export async function queryStore<T = Record<string, unknown>>(
  location: string,
  sql: string,
  params: readonly SqlValue[] = [],
): Promise<T[]> {
  const db = await openStorage(location);
  try {
    if (!/^\s*(select|with)\b/i.test(sql)) {
      await db.run(sql, params);
      return [];
    }
    return await db.all<T>(sql, params);
  } finally {
    await db.close();
  }
}

/** A mid-month Wednesday, so monthly and weekly periods both have days behind and ahead. */
export const DEFAULT_NOW = Date.parse('2026-11-18T10:00:00Z');

export async function startHarness(
  options: {
    demo?: boolean;
    demoTeam?: boolean;
    nowMs?: number;
    dir?: string;
    rateLimit?: RateLimitConfig | false;
    engine?: EngineName;
  } = {},
): Promise<Harness> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'spend-band-server-'));
  const engine = options.engine ?? 'sqlite';
  const dbPath = await freshLocation(engine, dir);
  const clock: Clock = {
    ms: options.nowMs ?? DEFAULT_NOW,
    advance(ms: number) {
      this.ms += ms;
    },
  };
  const logs: string[] = [];
  const server = await startServer({
    dbPath,
    port: 0,
    demo: options.demo ?? true,
    demoTeam: options.demoTeam ?? false,
    now: () => new Date(clock.ms),
    log: (line) => logs.push(line),
    ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
  });
  return {
    dir,
    engine,
    dbPath,
    url: server.url,
    token: server.demoToken ?? '',
    server,
    clock,
    logs,
    query: (sql, params) => queryStore(dbPath, sql, params),
    async close() {
      await server.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface ApiOptions {
  token?: string | null;
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  idempotencyKey?: string;
}

export async function api(
  h: Pick<Harness, 'url' | 'token'>,
  method: string,
  path: string,
  options: ApiOptions = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? h.token : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let body: string | Buffer | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${h.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export interface AdminRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `spend-band admin …` in-process against the database file. */
export async function admin(dbPath: string, argv: string[], nowMs = DEFAULT_NOW): Promise<AdminRun> {
  let stdout = '';
  let stderr = '';
  const ctx = {
    args: parseArgs([...argv, '--db', dbPath]),
    env: { USER: 'lead' } as NodeJS.ProcessEnv,
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    now: () => new Date(nowMs),
    signal: new AbortController().signal,
  };
  try {
    const code = await runAdminCommand(ctx, serverModule);
    return { code, stdout, stderr };
  } catch (error) {
    if (error instanceof CliError) return { code: error.exitCode, stdout, stderr: `${stderr}${error.message}\n` };
    throw error;
  } finally {
    // A running server notices another connection's commit within 1 ms (serverCache.ts SYNC_INTERVAL_MS).
    await new Promise((r) => setTimeout(r, 3));
  }
}

export function key(): string {
  return randomUUID();
}

export function tag(overrides: Record<string, unknown> = {}, nowMs = DEFAULT_NOW): Record<string, unknown> {
  return {
    id: randomUUID(),
    workflow: 'deep_coding',
    started_at: new Date(nowMs - 3_600_000).toISOString(),
    ended_at: null,
    tool: { name: 'claude_code', version: '1.0' },
    ...overrides,
  };
}

export function usd(amount: number): { currency: string; amount_micros: number } {
  return { currency: 'USD', amount_micros: Math.round(amount * 1_000_000) };
}

/** The problem+json every error must be: content type, status, stable code, request id, no stack. */
export function assertProblem(response: ApiResponse, status: number, code: string): void {
  const where = `${response.status} ${response.text.slice(0, 300)}`;
  if (response.status !== status) throw new Error(`expected ${status}, got ${where}`);
  if (!response.headers.get('content-type')?.startsWith('application/problem+json'))
    throw new Error(`not problem+json: ${where}`);
  const p = response.json;
  if (p?.code !== code) throw new Error(`expected code ${code}, got ${where}`);
  if (p.status !== status || typeof p.title !== 'string' || typeof p.type !== 'string')
    throw new Error(`incomplete problem: ${where}`);
  if (typeof p.request_id !== 'string' || p.request_id !== response.headers.get('x-request-id'))
    throw new Error(`request_id missing: ${where}`);
  if (/\bat .+\.(js|ts):\d+/.test(response.text)) throw new Error(`stack trace in response: ${where}`);
}
