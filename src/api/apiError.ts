// Every way a budget source can fail, classified once so the CLI (exit codes), the extension (status
// bar, notifications) and the cache fallback all decide the same way. Each kind carries a sentence a
// person can act on; the instance message adds the cause (the host, the HTTP status, the JSON path).
import type { Problem } from '../domain/schemas';
import { EXIT, type ExitCode } from '../domain/exitCodes';

export type ApiErrorKind =
  | 'offline'
  | 'timeout'
  | 'unauthorized'
  | 'forbidden'
  | 'notFound'
  | 'rateLimited'
  | 'server'
  | 'invalidPayload'
  | 'tooLarge'
  | 'aborted'
  | 'conflict'
  | 'insecure'
  | 'invalidUrl';

/** What to do next, per kind: appended to the cause so every message ends in an action. */
export const API_ERROR_ADVICE: Readonly<Record<ApiErrorKind, string>> = {
  offline: 'Check your network, VPN or proxy settings (HTTPS_PROXY, NO_PROXY), then retry.',
  timeout: 'Try again later; if the endpoint is always this slow, raise the timeout.',
  unauthorized:
    'Set a valid, unexpired token (SPEND_BAND_TOKEN for the CLI, "Spend Band: Connect Endpoint…" in VS Code) and retry.',
  forbidden:
    'The token is valid but lacks the permission needed: ask the endpoint admin for the bands:read scope, or for credit on the key.',
  notFound: 'Check the endpoint URL: it should be the base URL of the budget server, without /v1/me/bands.',
  rateLimited: 'Wait a little and retry; the last good data stays on screen meanwhile.',
  server:
    'The endpoint or a gateway in front of it is failing: try again later, or tell the endpoint admin if it persists.',
  invalidPayload:
    'Check that the URL points at the right kind of source (--source), or tell the endpoint admin; Spend Band will not guess at a malformed answer.',
  tooLarge: 'Check that the URL points at a budget endpoint, or tell its admin: Spend Band reads at most 1 MiB.',
  aborted: 'Nothing to do: the request was cancelled on purpose.',
  conflict:
    'Check the values you sent and the current state (for example the request may already be resolved), then try again.',
  insecure:
    'Use an https:// URL, or allow plain HTTP explicitly (--allow-insecure-http) if you accept that the token can be read on the network.',
  invalidUrl: 'Set the endpoint to a full URL such as https://budget.example.com (--endpoint or SPEND_BAND_ENDPOINT).',
};

export interface ApiErrorInit {
  status?: number;
  problem?: Problem;
  retryAfterMs?: number;
  cause?: unknown;
}

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status?: number;
  readonly problem?: Problem;
  readonly retryAfterMs?: number;
  /** The cause alone, without the advice (for a short status bar tooltip). */
  readonly detail: string;

  constructor(kind: ApiErrorKind, detail: string, init: ApiErrorInit = {}) {
    const sentence = /[.!?]$/.test(detail) ? detail : `${detail}.`;
    super(`${sentence} ${API_ERROR_ADVICE[kind]}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ApiError';
    this.kind = kind;
    this.detail = detail;
    if (init.status !== undefined) this.status = init.status;
    if (init.problem !== undefined) this.problem = init.problem;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

/** Exit code of `spend-band` for a failed source (docs/contract/cli.md). */
export function exitCodeFor(error: ApiError | ApiErrorKind): ExitCode {
  const kind = typeof error === 'string' ? error : error.kind;
  switch (kind) {
    case 'offline':
    case 'timeout':
    case 'rateLimited':
    case 'server':
      return EXIT.unreachable;
    case 'invalidPayload':
    case 'tooLarge':
      return EXIT.invalid;
    case 'unauthorized':
    case 'forbidden':
      return EXIT.unauthorized;
    case 'insecure':
    case 'invalidUrl':
    case 'notFound':
    case 'conflict':
      return EXIT.usage;
    case 'aborted':
      return EXIT.cancelled;
  }
}

/** Remove every occurrence of each secret from a text a server or a library produced. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}
