// One HTTP exchange with a budget source, done carefully: bearer token only to the configured origin,
// plain http:// refused beyond loopback, redirects followed by hand (same origin only, at most 3),
// connect / headers / body / total timeouts, a size cap, retries with backoff and jitter on network
// errors, 5xx and 429 (Retry-After honoured), and every failure turned into a classified ApiError whose
// text never contains the token.
import type { z } from 'zod';
import { ProblemSchema, describeZodError, type Problem } from '../domain/schemas';
import { ApiError, redact, type ApiErrorKind } from './apiError';
import { createDefaultSender } from './defaultSender';
import type { HttpSender, SenderFactory } from './httpSender';
import { resolveProxy, type Environment, type ProxyOptions } from './proxySettings';

export interface Timeouts {
  /** TCP + TLS connect (to the endpoint or the proxy) */
  connectMs: number;
  /** from sending the request to the response headers */
  headersMs: number;
  /** reading the whole body, from the headers on: a trickling body ends here */
  bodyMs: number;
  /** the whole call, retries and their waits included */
  totalMs: number;
}

export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = {
  connectMs: 10_000,
  headersMs: 15_000,
  bodyMs: 15_000,
  totalMs: 45_000,
};

export interface RetryPolicy {
  /** attempts in all, the first included */
  tries: number;
  /** first backoff; doubles each retry, with full jitter */
  baseDelayMs: number;
  maxDelayMs: number;
  /** a Retry-After longer than this is not waited for: the error is returned with retryAfterMs */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: Readonly<RetryPolicy> = {
  tries: 3,
  baseDelayMs: 300,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
};

/** Largest successful body read (1 MiB); a bands document is a few KiB. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Error bodies are only read for their problem details. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const MAX_REDIRECTS = 3;

export interface TransportOptions {
  baseUrl: string;
  token?: string;
  proxy?: ProxyOptions;
  allowInsecureHttp?: boolean;
  timeouts?: Partial<Timeouts>;
  retry?: Partial<RetryPolicy>;
  userAgent?: string;
  /** where HTTPS_PROXY / HTTP_PROXY / NO_PROXY are read; default process.env */
  env?: Environment;
  maxBodyBytes?: number;
  /** what puts a request on the wire; default undici in plain Node, the global fetch in the extension (see defaultSender.ts) */
  sender?: SenderFactory;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  /** relative to the base URL, e.g. `v1/me/bands` */
  path: string;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  json?: unknown;
  signal?: AbortSignal | undefined;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: Buffer;
  url: URL;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

/** Parse and check a base URL; throws ApiError invalidUrl / insecure. The result ends with `/`. */
export function checkBaseUrl(baseUrl: string, allowInsecureHttp = false): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ApiError('invalidUrl', `"${baseUrl}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ApiError(
      'invalidUrl',
      `"${url.protocol}" URLs are not supported, only https:// (and http:// to loopback)`,
    );
  if (url.username || url.password)
    throw new ApiError(
      'invalidUrl',
      'the endpoint URL must not contain a user name or password; give the token through SPEND_BAND_TOKEN or the secret store',
    );
  if (url.protocol === 'http:' && !allowInsecureHttp && !isLoopbackHost(url.hostname)) {
    throw new ApiError('insecure', `refusing to send the token over plain http:// to ${url.host}`);
  }
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

const RETRIABLE: ReadonlySet<ApiErrorKind> = new Set(['offline', 'server', 'rateLimited']);

export class HttpTransport {
  readonly baseUrl: URL;
  readonly origin: string;
  private readonly token: string | undefined;
  private readonly timeouts: Timeouts;
  private readonly retry: RetryPolicy;
  private readonly userAgent: string;
  private readonly maxBodyBytes: number;
  private readonly sender: HttpSender;
  private readonly viaProxy: string | undefined;

  constructor(options: TransportOptions) {
    this.baseUrl = checkBaseUrl(options.baseUrl, options.allowInsecureHttp);
    this.origin = this.baseUrl.origin;
    this.token = options.token && options.token.length > 0 ? options.token : undefined;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.userAgent = options.userAgent ?? 'spend-band/0.1';
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    const env = options.env ?? process.env;
    this.sender = (options.sender ?? createDefaultSender)({
      ...(options.proxy ? { proxy: options.proxy } : {}),
      env,
      connectTimeoutMs: this.timeouts.connectMs,
    });
    const resolved = resolveProxy(options.proxy, env);
    const proxyUrl = this.baseUrl.protocol === 'https:' ? resolved.httpsProxy : resolved.httpProxy;
    this.viaProxy = proxyUrl ? safeOrigin(proxyUrl) : undefined;
  }

  /** Releases sockets; the transport cannot be used afterwards. */
  async close(): Promise<void> {
    await this.sender.close().catch(() => undefined);
  }

  /** Send with retries; 2xx and 304 are returned, anything else is thrown as an ApiError. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const deadline = Date.now() + this.timeouts.totalMs;
    const url = this.urlFor(req.path, req.query);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.followRedirects(url, req, deadline);
      } catch (error) {
        const apiError = this.classify(error, req.signal);
        if (!RETRIABLE.has(apiError.kind) || attempt >= this.retry.tries) throw apiError;
        const delay = apiError.retryAfterMs ?? this.backoff(attempt);
        if (apiError.retryAfterMs !== undefined && apiError.retryAfterMs > this.retry.maxRetryAfterMs) throw apiError;
        if (Date.now() + delay >= deadline) throw apiError;
        await sleep(delay, req.signal).catch(() => {
          throw new ApiError('aborted', `the request to ${this.origin} was cancelled`);
        });
      }
    }
  }

  /** Send, parse the body as JSON and validate it; `what` names the call in messages. */
  async sendJson<S extends z.ZodType>(
    req: HttpRequest,
    schema: S,
    what = `${req.method} /${req.path}`,
  ): Promise<{ value: z.infer<S>; response: HttpResponse }> {
    const response = await this.send(req);
    return { value: this.parseJson(response, schema, what), response };
  }

  parseJson<S extends z.ZodType>(response: HttpResponse, schema: S, what: string): z.infer<S> {
    let json: unknown;
    // scrub before anything is cut or quoted, so no fragment of the token survives a clip
    const text = this.scrub(response.body.toString('utf8'));
    try {
      json = JSON.parse(text);
    } catch {
      throw this.error(
        'invalidPayload',
        `${this.origin} answered ${what} with ${describeNonJson(text, response.headers['content-type'])}`,
        { status: response.status },
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw this.error(
        'invalidPayload',
        `${this.origin} answered ${what} with JSON of the wrong shape: ${describeZodError(parsed.error)}`,
        { status: response.status },
      );
    }
    return parsed.data;
  }

  private scrub(text: string): string {
    return redact(text, [this.token]);
  }

  /** An ApiError whose text and problem are scrubbed of the token. */
  error(kind: ApiErrorKind, detail: string, init: ConstructorParameters<typeof ApiError>[2] = {}): ApiError {
    const secrets = [this.token];
    const problem = init.problem ? (JSON.parse(redact(JSON.stringify(init.problem), secrets)) as Problem) : undefined;
    return new ApiError(kind, redact(detail, secrets), { ...init, ...(problem ? { problem } : {}) });
  }

  private urlFor(path: string, query: HttpRequest['query']): URL {
    const url = new URL(path.replace(/^\/+/, ''), this.baseUrl);
    for (const [name, value] of Object.entries(query ?? {}))
      if (value !== undefined) url.searchParams.set(name, String(value));
    return url;
  }

  private backoff(attempt: number): number {
    const cap = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    // full jitter: many clients retrying after one outage do not arrive together
    return Math.round(cap / 2 + Math.random() * (cap / 2));
  }

  private async followRedirects(first: URL, req: HttpRequest, deadline: number): Promise<HttpResponse> {
    let url = first;
    for (let hop = 0; ; hop++) {
      const response = await this.attempt(url, req, deadline);
      const location = response.headers.location;
      if (response.status < 300 || response.status >= 400 || response.status === 304 || location === undefined) {
        if (response.status >= 200 && response.status < 300) return response;
        if (response.status === 304) return response;
        throw this.httpError(response);
      }
      const next = new URL(location, url);
      const sameMethodRedirect = response.status === 307 || response.status === 308;
      if (next.origin !== this.origin) {
        throw this.error(
          'insecure',
          `${this.origin} redirected to another origin (${next.origin}); Spend Band does not send the token there. If that is the real endpoint, configure its URL directly`,
          { status: response.status },
        );
      }
      if (req.method !== 'GET' && !sameMethodRedirect) {
        throw this.error(
          'invalidPayload',
          `${this.origin} answered ${req.method} /${req.path} with a redirect (HTTP ${response.status}) instead of a result`,
          { status: response.status },
        );
      }
      if (hop + 1 > MAX_REDIRECTS)
        throw this.error('invalidPayload', `${this.origin} redirected more than ${MAX_REDIRECTS} times`, {
          status: response.status,
        });
      url = next;
    }
  }

  private async attempt(url: URL, req: HttpRequest, deadline: number): Promise<HttpResponse> {
    if (req.signal?.aborted) throw this.error('aborted', `the request to ${this.origin} was cancelled`);
    const controller = new AbortController();
    let timedOut: 'total' | 'body' | undefined;
    const onAbort = () => controller.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    const totalTimer = setTimeout(
      () => {
        timedOut = 'total';
        controller.abort();
      },
      Math.max(0, deadline - Date.now()),
    );
    let bodyTimer: NodeJS.Timeout | undefined;
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      'user-agent': this.userAgent,
      ...req.headers,
    };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = 'application/json';
    }
    try {
      const response = await this.sender.send(url, {
        method: req.method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: controller.signal,
        headersTimeoutMs: this.timeouts.headersMs,
        bodyTimeoutMs: this.timeouts.bodyMs,
      });
      const responseHeaders = response.headers;
      const success = response.status >= 200 && response.status < 300;
      const limit = success ? this.maxBodyBytes : MAX_ERROR_BODY_BYTES;
      const declared = Number(responseHeaders['content-length']);
      if (success && Number.isFinite(declared) && declared > limit) {
        response.discard();
        throw this.tooLarge(`${declared} bytes declared`);
      }
      bodyTimer = setTimeout(() => {
        timedOut = 'body';
        controller.abort();
      }, this.timeouts.bodyMs);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const piece of response.body) {
        const chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        size += chunk.length;
        if (size > limit) {
          response.discard();
          if (success) throw this.tooLarge(`more than ${limit} bytes`);
          // an error page is only read for its problem details: keep the head, drop the rest
          chunks.push(chunk.subarray(0, Math.max(0, chunk.length - (size - limit))));
          break;
        }
        chunks.push(chunk);
      }
      return { status: response.status, headers: responseHeaders, body: Buffer.concat(chunks), url };
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (timedOut === 'body')
        throw this.error(
          'timeout',
          `${this.origin} did not finish sending its answer within ${seconds(this.timeouts.bodyMs)}`,
          { cause: error },
        );
      if (timedOut === 'total')
        throw this.error('timeout', `${this.origin} did not answer within ${seconds(this.timeouts.totalMs)} in all`, {
          cause: error,
        });
      if (req.signal?.aborted) throw this.error('aborted', `the request to ${this.origin} was cancelled`);
      throw this.networkError(error);
    } finally {
      clearTimeout(totalTimer);
      if (bodyTimer) clearTimeout(bodyTimer);
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  private tooLarge(what: string): ApiError {
    return this.error(
      'tooLarge',
      `${this.origin} sent an answer larger than ${Math.round(this.maxBodyBytes / 1024)} KiB (${what}); reading stopped`,
    );
  }

  private classify(error: unknown, signal: AbortSignal | undefined): ApiError {
    if (error instanceof ApiError) return error;
    if (signal?.aborted) return this.error('aborted', `the request to ${this.origin} was cancelled`);
    return this.networkError(error);
  }

  private networkError(error: unknown): ApiError {
    const code = errorCode(error);
    const where = this.viaProxy ? `${this.origin} (through the proxy ${this.viaProxy})` : this.origin;
    const message = error instanceof Error ? error.message : String(error);
    let kind: ApiErrorKind = 'offline';
    let detail: string;
    switch (code) {
      case 'ECONNREFUSED':
        detail = `cannot reach ${where}: the connection was refused (nothing is listening there)`;
        break;
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        detail = `cannot reach ${where}: the host name could not be resolved`;
        break;
      case 'ECONNRESET':
      case 'EPIPE':
      case 'UND_ERR_SOCKET':
      case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
        detail = `the connection to ${where} was closed before the answer was complete`;
        break;
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
      case 'ENETDOWN':
        detail = `cannot reach ${where}: no route to the host`;
        break;
      case 'UND_ERR_CONNECT_TIMEOUT':
        kind = 'timeout';
        detail = `could not connect to ${where} within ${seconds(this.timeouts.connectMs)}`;
        break;
      case 'UND_ERR_HEADERS_TIMEOUT':
        kind = 'timeout';
        detail = `${where} did not start answering within ${seconds(this.timeouts.headersMs)}`;
        break;
      case 'UND_ERR_BODY_TIMEOUT':
        kind = 'timeout';
        detail = `${where} stopped sending its answer for ${seconds(this.timeouts.bodyMs)}`;
        break;
      case 'ERR_SSL_WRONG_VERSION_NUMBER':
      case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
        // The usual cause: https:// to a server that speaks plain HTTP (OpenSSL's own text says nothing useful).
        kind = 'invalidPayload';
        detail = `${where} did not answer in TLS (${code}): it probably speaks plain HTTP; if so, use ${this.origin.replace(/^https:/, 'http:')} instead`;
        break;
      default:
        if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
          detail = `the TLS certificate of ${where} is not trusted (${code}); install your organization's CA, or turn off strict SSL for the proxy only if you trust the network`;
        } else if (/Proxy response \((\d+)\)/.test(message)) {
          detail = `the proxy ${this.viaProxy ?? ''} refused to connect to ${this.origin} (${/Proxy response \((\d+)\)/.exec(message)![0]})`;
        } else {
          detail = `cannot reach ${where}: ${code ? `${code} ` : ''}${message}`;
        }
    }
    return this.error(kind, detail, { cause: error });
  }

  private httpError(response: HttpResponse): ApiError {
    const status = response.status;
    const text = this.scrub(response.body.toString('utf8'));
    let problem: Problem | undefined;
    if (/json/i.test(response.headers['content-type'] ?? '') || text.trimStart().startsWith('{')) {
      try {
        const parsed = ProblemSchema.safeParse(JSON.parse(text));
        if (parsed.success) problem = parsed.data;
      } catch {
        // not JSON after all: described below
      }
    }
    const said = problem
      ? `: ${clip(problem.detail ?? problem.title)}`
      : text.trim() === ''
        ? ''
        : ` with ${describeNonJson(text, response.headers['content-type'])}`;
    const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    const init = { status, ...(problem ? { problem } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    const answered = `${this.origin} answered HTTP ${status}${said}`;
    if (status === 401)
      return this.error(
        'unauthorized',
        `${answered} (${this.token ? 'the token was rejected' : 'no token was sent: none is set'})`,
        init,
      );
    if (status === 402 || status === 403)
      return this.error('forbidden', `${answered} (not permitted for this token)`, init);
    if (status === 404 || status === 405 || status === 410)
      return this.error('notFound', `${answered} (no such resource at ${response.url.pathname})`, init);
    if (status === 408) return this.error('timeout', answered, init);
    if (status === 413) return this.error('tooLarge', `${answered} (the request was too large)`, init);
    if (status === 429)
      return this.error(
        'rateLimited',
        `${answered} (rate limited${retryAfterMs !== undefined ? `; retry after ${seconds(retryAfterMs)}` : ''})`,
        init,
      );
    if (status >= 500) return this.error('server', answered, init);
    if (status >= 300 && status < 400)
      return this.error('invalidPayload', `${answered} (a redirect without a Location)`, init);
    return this.error('conflict', answered, init);
  }
}

function errorCode(error: unknown): string | undefined {
  // undici and node wrap the system error: look through cause and AggregateError members
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR' && code !== 'UND_ERR_ABORTED') return code;
    queue.push((current as { cause?: unknown }).cause);
    const members = (current as { errors?: unknown }).errors;
    if (Array.isArray(members)) queue.push(...members);
  }
  return undefined;
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the configured proxy';
  }
}

function describeNonJson(text: string, contentType: string | undefined): string {
  const head = text.trimStart().slice(0, 200).toLowerCase();
  if (
    /html/i.test(contentType ?? '') ||
    head.startsWith('<!doctype html') ||
    head.startsWith('<html') ||
    head.startsWith('<')
  )
    return 'an HTML page instead of JSON';
  if (text.trim() === '') return 'an empty body instead of JSON';
  return `text that is not JSON (starting "${clip(text.trimStart(), 40)}")`;
}

function clip(text: string, max = 200): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
