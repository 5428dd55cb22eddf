import assert from 'node:assert/strict';
import { API_ERROR_ADVICE, ApiError, exitCodeFor, redact, type ApiErrorKind } from '../../../src/api/apiError';
import { parseRetryAfter } from '../../../src/api/httpTransport';

describe('api/apiError', () => {
  it('maps every kind to the exit code of the CLI contract', () => {
    const expected: Record<ApiErrorKind, number> = {
      offline: 3,
      timeout: 3,
      rateLimited: 3,
      server: 3,
      invalidPayload: 4,
      tooLarge: 4,
      unauthorized: 5,
      forbidden: 5,
      insecure: 2,
      invalidUrl: 2,
      notFound: 2,
      conflict: 2,
      aborted: 130,
    };
    assert.deepEqual(Object.keys(API_ERROR_ADVICE).sort(), Object.keys(expected).sort());
    for (const [kind, code] of Object.entries(expected))
      assert.equal(exitCodeFor(new ApiError(kind as ApiErrorKind, 'x')), code, kind);
  });

  it('ends every message with what to do next, after the cause', () => {
    const error = new ApiError('unauthorized', 'budget.example.com answered HTTP 401', { status: 401 });
    assert.equal(error.message, `budget.example.com answered HTTP 401. ${API_ERROR_ADVICE.unauthorized}`);
    assert.equal(error.detail, 'budget.example.com answered HTTP 401');
    assert.equal(error.status, 401);
    for (const advice of Object.values(API_ERROR_ADVICE)) assert.match(advice, /^[A-Z].*\.$/);
  });

  it('redacts every occurrence of a secret, and ignores empty ones', () => {
    assert.equal(redact('a tok123 b tok123', ['tok123']), 'a [redacted] b [redacted]');
    assert.equal(redact('abc', ['', undefined]), 'abc');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter('Sat, 28 Nov 2026 21:00:10 GMT', Date.parse('2026-11-28T21:00:00Z')), 10_000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });
});
