// What every route handler gets and returns. Handlers return a Reply (never write the response
// themselves), so the app adds the request id, problem formatting and headers in one place.
import type { IncomingMessage } from 'node:http';
import type { IdempotencyStore } from './idempotency';
import { ProblemError } from './problem';
import type { RateLimiters } from './rateLimit';
import type { Principal, ServerCache } from './serverCache';
import type { StorageEngine } from './storage/sqlDb';

export interface ServerContext {
  db: StorageEngine;
  cache: ServerCache;
  idempotency: IdempotencyStore;
  /** per-token limits (server/rateLimit.ts); undefined when turned off */
  rateLimits?: RateLimiters | undefined;
  now(): Date;
  /** one line to the server's log (stderr); never given a token */
  log(line: string): void;
}

export interface Call {
  ctx: ServerContext;
  req: IncomingMessage;
  principal: Principal;
  /** SHA-256 of the bearer token (the rate-limit key; never the token) */
  tokenHash: string;
  /** path parameters, e.g. the request id */
  params: readonly string[];
  query: URLSearchParams;
  now: Date;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** JSON text (or empty for 304) */
  body?: string;
  /** a binary answer instead of `body` (an OTLP protobuf response), with its content-type header */
  bytes?: Uint8Array;
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers, body: JSON.stringify(value) };
}

/** Body caps: a 500-item session-tag batch with labels fits in 2 MiB; other bodies are small. */
export const TAG_BODY_CAP_BYTES = 2 * 1024 * 1024;
export const SMALL_BODY_CAP_BYTES = 64 * 1024;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `limit` query parameter: 1–500, default 100. */
export function limitParam(query: URLSearchParams): number {
  const text = query.get('limit');
  if (text === null) return 100;
  const n = Number(text);
  if (!/^\d{1,3}$/.test(text) || n < 1 || n > 500) {
    throw new ProblemError(400, 'invalid_request', 'limit must be an integer from 1 to 500.', [
      { parameter: 'limit', detail: 'an integer from 1 to 500' },
    ]);
  }
  return n;
}

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(text: string, check: (value: unknown) => value is T): T {
  try {
    if (text.length > 500) throw new Error('too long');
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (check(value)) return value;
  } catch {
    // fall through to the problem below
  }
  throw new ProblemError(
    400,
    'invalid_request',
    'The cursor is not one this server gave out for this query; start again without a cursor.',
    [{ parameter: 'cursor', detail: 'an opaque next_cursor value from a previous page of the same query' }],
  );
}
