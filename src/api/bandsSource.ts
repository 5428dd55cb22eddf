// The one entry point the CLI and the extension use to get bands: from a Bands API v1 endpoint, a
// LiteLLM proxy, OpenRouter, or the local config. Remote answers are cached; when a source fails and a
// last good document exists it comes back marked stale with the error, otherwise the error is thrown.
import { localBandsDocument, type LocalConfig, type LocalUsage } from '../domain/localConfig';
import type { BandsDocument } from '../domain/schemas';
import { ApiError, redact } from './apiError';
import { BandsCache, type CachedBands } from './bandsCache';
import { BandsClient } from './bandsClient';
import { HttpTransport, type RetryPolicy, type Timeouts, type TransportOptions } from './httpTransport';
import { fetchLitellmBands } from './litellmAdapter';
import { OPENROUTER_BASE_URL, fetchOpenrouterBands } from './openrouterAdapter';
import type { Environment, ProxyOptions } from './proxySettings';
import type { UnbudgetedSpend } from './unbudgetedSpend';

export type SourceKind = 'endpoint' | 'litellm' | 'openrouter' | 'local';

/** How remote sources are reached; the same for every remote kind. */
export interface HttpSourceSettings {
  token?: string | undefined;
  proxy?: ProxyOptions;
  allowInsecureHttp?: boolean;
  timeouts?: Partial<Timeouts>;
  retry?: Partial<RetryPolicy>;
  userAgent?: string;
  /** where HTTPS_PROXY / HTTP_PROXY / NO_PROXY come from; default process.env */
  env?: Environment;
}

export type SourceConfig =
  | ({ kind: 'endpoint'; baseUrl: string } & HttpSourceSettings)
  | ({ kind: 'litellm'; baseUrl: string; lookupUser?: boolean; lookupTeam?: boolean } & HttpSourceSettings)
  | ({ kind: 'openrouter'; baseUrl?: string } & HttpSourceSettings)
  | { kind: 'local'; config: LocalConfig };

export interface LoadBandsOptions {
  now: Date;
  signal?: AbortSignal | undefined;
  /** where last good documents are kept; without it nothing is cached */
  cacheDir?: string | undefined;
  /** metered local usage for the local source; zero usage until metering lands */
  localUsage?: (() => Promise<LocalUsage>) | undefined;
  /** answer from the cache only, without touching the network */
  offline?: boolean;
}

export interface BandsResult {
  document: BandsDocument;
  source: SourceKind;
  /** true when the document is the cached last good one rather than a fresh answer */
  stale: boolean;
  /** when the document was fetched (or last re-validated with a 304) */
  fetchedAt: string;
  etag?: string;
  /** why the source could not answer, when `stale` because of a failure */
  error?: ApiError;
  /** spend on layers without a limit (LiteLLM max_budget null, OpenRouter limit null) */
  unbudgeted: UnbudgetedSpend[];
}

/** Identifies a source in the cache: kind + URL (+ lookups); never the token. */
export function sourceKey(source: SourceConfig): string {
  switch (source.kind) {
    case 'endpoint':
      return `endpoint ${normalizeUrl(source.baseUrl)}`;
    case 'litellm':
      return `litellm ${normalizeUrl(source.baseUrl)} user=${source.lookupUser !== false} team=${source.lookupTeam !== false}`;
    case 'openrouter':
      return `openrouter ${normalizeUrl(source.baseUrl ?? OPENROUTER_BASE_URL)}`;
    case 'local':
      return 'local';
  }
}

function normalizeUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

export async function loadBands(source: SourceConfig, options: LoadBandsOptions): Promise<BandsResult> {
  const now = options.now;
  if (source.kind === 'local') {
    const usage = options.localUsage ? await options.localUsage() : undefined;
    return {
      document: localBandsDocument(source.config, now, usage),
      source: 'local',
      stale: false,
      fetchedAt: now.toISOString(),
      unbudgeted: [],
    };
  }
  const key = sourceKey(source);
  const cache = options.cacheDir ? new BandsCache(options.cacheDir) : undefined;
  const cached = await cache?.read(key);
  if (options.offline) {
    if (cached) return fromCache(source.kind, cached, undefined);
    throw new ApiError(
      'offline',
      `nothing is cached yet for ${normalizeUrl(source.baseUrl ?? OPENROUTER_BASE_URL)}, and offline mode does not ask the source; run once without --offline`,
    );
  }
  try {
    const fresh = await fetchFresh(source, cached, options);
    const entry: CachedBands = {
      source: source.kind,
      document: fresh.document,
      fetchedAt: fresh.fetchedAt,
      ...(fresh.etag !== undefined ? { etag: fresh.etag } : {}),
      unbudgeted: fresh.unbudgeted,
    };
    // a full disk must not hide good, fresh bands: the cache is a convenience
    await cache?.write(key, entry).catch(() => undefined);
    return fresh;
  } catch (caught) {
    if (!(caught instanceof ApiError)) throw caught;
    const error = scrubError(caught, source.token);
    if (error.kind === 'aborted') throw error;
    if (cached) return fromCache(source.kind, cached, error);
    throw error;
  }
}

/** Transport errors are already clean; this catches any other text that picked the token up. */
function scrubError(error: ApiError, token: string | undefined): ApiError {
  const secrets = [token];
  if (
    redact(error.message, secrets) === error.message &&
    redact(JSON.stringify(error.problem ?? null), secrets) === JSON.stringify(error.problem ?? null)
  )
    return error;
  const problem = error.problem ? JSON.parse(redact(JSON.stringify(error.problem), secrets)) : undefined;
  return new ApiError(error.kind, redact(error.detail, secrets), {
    ...(error.status !== undefined ? { status: error.status } : {}),
    ...(problem ? { problem } : {}),
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
  });
}

function fromCache(kind: SourceKind, cached: CachedBands, error: ApiError | undefined): BandsResult {
  return {
    document: cached.document,
    source: kind,
    stale: true,
    fetchedAt: cached.fetchedAt,
    ...(cached.etag !== undefined ? { etag: cached.etag } : {}),
    ...(error ? { error } : {}),
    unbudgeted: cached.unbudgeted ?? [],
  };
}

/** How a remote source is reached: the same transport settings for every client of it. */
export function transportOptionsFor(source: Exclude<SourceConfig, { kind: 'local' }>): TransportOptions {
  return {
    baseUrl: source.kind === 'openrouter' ? (source.baseUrl ?? OPENROUTER_BASE_URL) : source.baseUrl,
    ...(source.token ? { token: source.token } : {}),
    ...(source.proxy ? { proxy: source.proxy } : {}),
    ...(source.allowInsecureHttp ? { allowInsecureHttp: true } : {}),
    ...(source.timeouts ? { timeouts: source.timeouts } : {}),
    ...(source.retry ? { retry: source.retry } : {}),
    ...(source.userAgent ? { userAgent: source.userAgent } : {}),
    ...(source.env ? { env: source.env } : {}),
  };
}

/** A client for a Bands API v1 endpoint source (pre-flight, requests, session tags). */
export function clientForSource(source: Extract<SourceConfig, { kind: 'endpoint' }>): BandsClient {
  return new BandsClient(transportOptionsFor(source));
}

async function fetchFresh(
  source: Exclude<SourceConfig, { kind: 'local' }>,
  cached: CachedBands | undefined,
  options: LoadBandsOptions,
): Promise<BandsResult> {
  const fetchedAt = options.now.toISOString();
  const transportOptions = transportOptionsFor(source);
  const scrub = (text: string) => redact(text, [source.token]);
  if (source.kind === 'endpoint') {
    const client = clientForSource(source);
    try {
      const answer = await client.getBands({ etag: cached?.etag, signal: options.signal });
      if ('notModified' in answer) {
        // cached is defined: an ETag is only sent when there is a cached document
        return {
          document: cached!.document,
          source: 'endpoint',
          stale: false,
          fetchedAt,
          ...(cached!.etag ? { etag: cached!.etag } : {}),
          unbudgeted: [],
        };
      }
      return {
        document: scrubDocument(answer.document, scrub),
        source: 'endpoint',
        stale: false,
        fetchedAt,
        ...(answer.etag ? { etag: answer.etag } : {}),
        unbudgeted: [],
      };
    } finally {
      await client.close();
    }
  }
  const http = new HttpTransport(transportOptions);
  try {
    const adapted =
      source.kind === 'litellm'
        ? await fetchLitellmBands(http, {
            now: options.now,
            signal: options.signal,
            redactText: scrub,
            ...(source.lookupUser !== undefined ? { lookupUser: source.lookupUser } : {}),
            ...(source.lookupTeam !== undefined ? { lookupTeam: source.lookupTeam } : {}),
          })
        : await fetchOpenrouterBands(http, { now: options.now, signal: options.signal, redactText: scrub });
    return {
      document: scrubDocument(adapted.document, scrub),
      source: source.kind,
      stale: false,
      fetchedAt,
      unbudgeted: adapted.unbudgeted,
    };
  } finally {
    await http.close();
  }
}

/** A server that echoes the token into a label must not get it into the cache or onto a screen. */
function scrubDocument(document: BandsDocument, scrub: (text: string) => string): BandsDocument {
  const text = JSON.stringify(document);
  const clean = scrub(text);
  return clean === text ? document : (JSON.parse(clean) as BandsDocument);
}
