// Per-token rate limits (issue #20): a token bucket per token hash and per kind of call, so one
// leaked or runaway token (an agent in a loop, a script filing pre-flights) cannot grow the database
// or starve the others. A refused call gets 429 with Retry-After (whole seconds) and an RFC 9457
// body; the API client already waits for Retry-After and retries (api/httpTransport.ts).
//
// Buckets hold at most `burst` calls and refill at `perMinute` a minute. A bucket that has refilled
// to full is the same as no bucket, so the map only keeps tokens that called recently: memory is
// bounded by the number of tokens active within burst/perMinute minutes, capped at MAX_KEYS.
import { ProblemError } from './problem';

export interface RateLimitRule {
  /** sustained calls a minute */
  perMinute: number;
  /** calls allowed at once, after a quiet spell */
  burst: number;
}

/** Reads (GET/HEAD) and writes (everything else) are counted apart: polling must not starve a write. */
export interface RateLimitConfig {
  read: RateLimitRule;
  write: RateLimitRule;
}

/**
 * Defaults: a client polls bands every minute or so and a request every few seconds while it waits;
 * 600 reads a minute is two orders of magnitude above that. Writes (pre-flights, requests, session
 * tags, OTLP batches) at 120 a minute with bursts of 60 cover a busy agent team behind one token.
 */
export const DEFAULT_RATE_LIMITS: Readonly<RateLimitConfig> = {
  read: { perMinute: 600, burst: 120 },
  write: { perMinute: 120, burst: 60 },
};

const MAX_KEYS = 50_000;

interface Bucket {
  tokens: number;
  atMs: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(readonly rule: RateLimitRule) {
    if (!(rule.perMinute > 0) || !(rule.burst >= 1))
      throw new RangeError('a rate limit needs perMinute > 0 and burst >= 1');
    this.perMs = rule.perMinute / 60_000;
  }

  /** Take one call for `key`: 0 when admitted, else the milliseconds until one would be. */
  take(key: string, nowMs: number): number {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= MAX_KEYS) this.sweep(nowMs);
      bucket = { tokens: this.rule.burst, atMs: nowMs };
      this.buckets.set(key, bucket);
    } else {
      // A clock that steps back (NTP, a test clock) refills nothing rather than draining.
      const elapsed = Math.max(0, nowMs - bucket.atMs);
      bucket.tokens = Math.min(this.rule.burst, bucket.tokens + elapsed * this.perMs);
      bucket.atMs = Math.max(bucket.atMs, nowMs);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.perMs);
  }

  /** Drop buckets that have refilled (they mean "no recent calls"); if none has, start over. */
  private sweep(nowMs: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (nowMs - bucket.atMs) * this.perMs >= this.rule.burst) this.buckets.delete(key);
    }
    if (this.buckets.size >= MAX_KEYS) this.buckets.clear();
  }
}

export interface RateLimiters {
  read: RateLimiter;
  write: RateLimiter;
}

export function createRateLimiters(config: RateLimitConfig | false): RateLimiters | undefined {
  return config === false ? undefined : { read: new RateLimiter(config.read), write: new RateLimiter(config.write) };
}

/** Throw the 429 problem when `key` is over its limit (no-op when limits are off). */
export function enforceRateLimit(limiter: RateLimiter | undefined, key: string, nowMs: number): void {
  if (!limiter) return;
  const waitMs = limiter.take(key, nowMs);
  if (waitMs === 0) return;
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  throw new ProblemError(
    429,
    'rate_limit',
    `Too many calls with this token (at most ${limiter.rule.perMinute} a minute, ${limiter.rule.burst} at once). Retry after ${seconds} s; if this is a loop, stop it.`,
    undefined,
    { 'retry-after': String(seconds) },
  );
}

/**
 * `SPEND_BAND_RATE_LIMIT`: `off`, or `READS[,WRITES]` calls a minute per token (bursts are a fifth of
 * a minute's allowance, at least 1). Unset → DEFAULT_RATE_LIMITS.
 */
export function parseRateLimit(text: string | undefined): RateLimitConfig | false {
  if (text === undefined || text.trim() === '') return DEFAULT_RATE_LIMITS;
  const value = text.trim().toLowerCase();
  if (value === 'off' || value === '0') return false;
  const match = /^(\d{1,7})(?:,(\d{1,7}))?$/.exec(value);
  const reads = Number(match?.[1]);
  const writes = match?.[2] === undefined ? reads : Number(match[2]);
  if (!match || reads < 1 || writes < 1) {
    throw new RangeError(
      `SPEND_BAND_RATE_LIMIT="${text}": expected off, or calls a minute per token as READS or READS,WRITES (for example 600,120)`,
    );
  }
  const rule = (perMinute: number): RateLimitRule => ({ perMinute, burst: Math.max(1, Math.floor(perMinute / 5)) });
  return { read: rule(reads), write: rule(writes) };
}
