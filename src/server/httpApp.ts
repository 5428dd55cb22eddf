// The request listener: routing, bearer authentication, scopes, problem+json errors with a request id,
// and the hot path (GET /v1/me/bands), which answers from memory when nothing changed.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { etagMatches, jsonAt } from './serverCache';
import { postPreflight, postReleaseReservation } from './preflightRoute';
import { problemBody, ProblemError } from './problem';
import { getRequest, listRequests, postCancel, postRequest } from './requestsRoute';
import { enforceRateLimit } from './rateLimit';
import type { Call, Reply, ServerContext } from './routeContext';
import { postOtlpLogs, postOtlpMetrics } from './otlpRoute';
import { postSessionTags } from './sessionTagsRoute';
import { getTeamReview, getTeamReviewHtml } from './teamReviewRoute';
import { bearerToken, hashToken, type Scope } from './tokens';
import { getUsage } from './usageRoute';

type Handler = (call: Call, requestId: string) => Reply | Promise<Reply>;

interface Route {
  method: string;
  pattern: RegExp;
  /** any one of these scopes admits the call */
  scopes: readonly Scope[];
  handler: Handler;
}

const ID = '([A-Za-z0-9_-]{1,100})';
const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: /^\/v1\/me\/usage$/, scopes: ['usage:read'], handler: getUsage },
  { method: 'POST', pattern: /^\/v1\/me\/session-tags$/, scopes: ['tags:write'], handler: postSessionTags },
  { method: 'POST', pattern: /^\/v1\/me\/preflight$/, scopes: ['preflight:write'], handler: postPreflight },
  {
    method: 'POST',
    pattern: new RegExp(`^/v1/me/reservations/${ID}/release$`),
    scopes: ['preflight:write'],
    handler: postReleaseReservation,
  },
  { method: 'POST', pattern: /^\/v1\/me\/requests$/, scopes: ['requests:write'], handler: postRequest },
  { method: 'GET', pattern: /^\/v1\/me\/requests$/, scopes: ['requests:write', 'bands:read'], handler: listRequests },
  {
    method: 'GET',
    pattern: new RegExp(`^/v1/me/requests/${ID}$`),
    scopes: ['requests:write', 'bands:read', 'preflight:write'],
    handler: getRequest,
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/v1/me/requests/${ID}/cancel$`),
    scopes: ['requests:write', 'preflight:write'],
    handler: postCancel,
  },
  // OTLP/HTTP receivers (an extension to the contract, see README): the agents' own telemetry.
  { method: 'GET', pattern: /^\/v1\/team\/review$/, scopes: ['team:review'], handler: getTeamReview },
  { method: 'GET', pattern: /^\/v1\/team\/review\.html$/, scopes: ['team:review'], handler: getTeamReviewHtml },
  { method: 'POST', pattern: /^\/v1\/otlp\/v1\/logs$/, scopes: ['usage:write', 'tags:write'], handler: postOtlpLogs },
  {
    method: 'POST',
    pattern: /^\/v1\/otlp\/v1\/metrics$/,
    scopes: ['usage:write', 'tags:write'],
    handler: postOtlpMetrics,
  },
];

const BANDS_PATH = '/v1/me/bands';
const BANDS_CACHE_CONTROL = 'private, max-age=60';
const JSON_TYPE = 'application/json; charset=utf-8';
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

export function createRequestListener(ctx: ServerContext): RequestListener {
  // Request ids: a per-process prefix plus a counter (cheap on the hot path, unique across restarts).
  const prefix = randomBytes(4).toString('hex');
  let counter = 0;
  return (req, res) => {
    const requestId = `${prefix}-${(++counter).toString(36)}`;
    void handle(ctx, req, res, requestId);
  };
}

async function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  try {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (path === '/healthz') {
      send(res, { status: 200, headers: { 'cache-control': 'no-store' }, body: '{"ok":true}' }, requestId);
      return;
    }
    if (!path.startsWith('/v1/'))
      throw new ProblemError(
        404,
        'not_found',
        `There is no ${path.slice(0, 100)} here; Bands API v1 lives under /v1/me/.`,
      );
    await ctx.cache.sync();
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) {
      throw new ProblemError(
        401,
        'authentication',
        'Send your Spend Band token as "Authorization: Bearer <token>". Ask your admin for one (spend-band admin token issue).',
        undefined,
        {
          'www-authenticate': 'Bearer realm="spend-band"',
        },
      );
    }
    const tokenHash = hashToken(token);
    const principal = await ctx.cache.principal(tokenHash);
    if (!principal) {
      throw new ProblemError(
        401,
        'authentication',
        'This token is unknown or revoked. Ask your admin for a new one (spend-band admin token issue).',
        undefined,
        {
          'www-authenticate': 'Bearer realm="spend-band", error="invalid_token"',
        },
      );
    }
    const now = ctx.now();
    if (principal.expiresMs !== null && now.getTime() >= principal.expiresMs) {
      throw new ProblemError(
        401,
        'authentication',
        `This token expired at ${new Date(principal.expiresMs).toISOString()}. Ask your admin for a new one (spend-band admin token rotate).`,
        undefined,
        {
          'www-authenticate': 'Bearer realm="spend-band", error="invalid_token"',
        },
      );
    }
    const isRead = req.method === 'GET' || req.method === 'HEAD';
    enforceRateLimit(isRead ? ctx.rateLimits?.read : ctx.rateLimits?.write, tokenHash, now.getTime());

    if (path === BANDS_PATH) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed('GET');
      requireScope(principal.scopes, ['bands:read']);
      const entry = await ctx.cache.document(principal.developerId, now);
      if (!entry)
        throw new ProblemError(
          401,
          'authentication',
          'The developer of this token no longer exists. Ask your admin for a new token.',
        );
      if (etagMatches(req.headers['if-none-match'], entry.etag)) {
        send(res, { status: 304, headers: { etag: entry.etag, 'cache-control': BANDS_CACHE_CONTROL } }, requestId);
        return;
      }
      const body = req.method === 'HEAD' ? '' : jsonAt(entry, now);
      send(res, { status: 200, headers: { etag: entry.etag, 'cache-control': BANDS_CACHE_CONTROL }, body }, requestId);
      return;
    }
    if (path.startsWith('/v1/admin')) {
      throw new ProblemError(
        403,
        'permission',
        'Admin actions are not available over HTTP. Run "spend-band admin … --db FILE" on the server host.',
      );
    }
    let allowed: string | undefined;
    for (const route of ROUTES) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      if (route.method !== req.method) {
        allowed = allowed ? `${allowed}, ${route.method}` : route.method;
        continue;
      }
      requireScope(principal.scopes, route.scopes);
      const call: Call = {
        ctx,
        req,
        principal,
        tokenHash,
        params: match.slice(1),
        query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
        now,
      };
      const reply = await route.handler(call, requestId);
      send(res, { ...reply, headers: { 'cache-control': 'no-store', ...reply.headers } }, requestId);
      return;
    }
    if (allowed) throw methodNotAllowed(allowed);
    throw new ProblemError(
      404,
      'not_found',
      `There is no ${path.slice(0, 100)} in Bands API v1. See the contract for the /v1/me/ routes.`,
    );
  } catch (error) {
    // A client that hung up mid-request has nobody left to answer, and it is not a server fault.
    if (res.destroyed || req.socket.destroyed) return;
    sendProblem(ctx, res, error, requestId);
  }
}

function requireScope(granted: ReadonlySet<string>, needed: readonly Scope[]): void {
  if (needed.some((s) => granted.has(s))) return;
  throw new ProblemError(
    403,
    'permission',
    `This token lacks the scope ${needed.join(' or ')}. Ask your admin for a token with it.`,
  );
}

function methodNotAllowed(allow: string): ProblemError {
  return new ProblemError(405, 'method_not_allowed', `Use ${allow} on this path.`, undefined, { allow });
}

function send(res: ServerResponse, reply: Reply, requestId: string): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { 'x-request-id': requestId, ...reply.headers };
  if (reply.status !== 304 && reply.body !== undefined) {
    headers['content-type'] ??= JSON_TYPE;
    if (headers['content-type'] === 'application/json') headers['content-type'] = JSON_TYPE;
  }
  res.writeHead(reply.status, headers);
  res.end(reply.status === 304 ? undefined : (reply.bytes ?? reply.body));
}

function sendProblem(ctx: ServerContext, res: ServerResponse, error: unknown, requestId: string): void {
  let problem: ProblemError;
  if (error instanceof ProblemError) problem = error;
  else if (ctx.db.isBusy(error)) {
    problem = new ProblemError(
      503,
      'unavailable',
      'The budget database is busy (an admin command holds it). Retry in a second.',
      undefined,
      { 'retry-after': '1' },
    );
  } else {
    // The detail stays generic: internal messages and stacks go to the server log only.
    ctx.log(`error ${requestId}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    problem = new ProblemError(
      500,
      'api_error',
      `The server failed on this request; retry later, or report request id ${requestId} to your admin.`,
    );
  }
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(problemBody(problem.status, problem.code, problem.detail, requestId, problem.errors));
  send(
    res,
    {
      status: problem.status,
      headers: { 'content-type': PROBLEM_TYPE, 'cache-control': 'no-store', ...problem.headers },
      body,
    },
    requestId,
  );
}
