// RFC 9457 problem details with a stable `code`. Every failure a handler raises is a ProblemError;
// anything else becomes a 500 `api_error` whose detail never carries the internal message or stack.
import type { Problem } from '../domain/schemas';

/** The stable codes this server answers with (clients may switch on them). */
export type ProblemCode =
  | 'invalid_request'
  | 'malformed_json'
  | 'idempotency_key_required'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'idempotency_key_in_flight'
  | 'payload_too_large'
  | 'batch_too_large'
  | 'validation_failed'
  | 'idempotency_key_reused'
  | 'rate_limit'
  | 'api_error'
  | 'unavailable';

const TITLES: Record<ProblemCode, string> = {
  invalid_request: 'Invalid request',
  malformed_json: 'Malformed JSON',
  idempotency_key_required: 'Idempotency-Key required',
  authentication: 'Authentication required',
  permission: 'Permission denied',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  idempotency_key_in_flight: 'Idempotency key in flight',
  payload_too_large: 'Payload too large',
  batch_too_large: 'Batch too large',
  validation_failed: 'Validation failed',
  idempotency_key_reused: 'Idempotency key reused',
  rate_limit: 'Too many requests',
  api_error: 'Internal server error',
  unavailable: 'Service unavailable',
};

export interface ProblemFieldError {
  pointer?: string;
  parameter?: string;
  detail: string;
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly detail: string,
    readonly errors?: readonly ProblemFieldError[],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
  }
}

export function problemBody(
  status: number,
  code: ProblemCode,
  detail: string,
  requestId: string,
  errors?: readonly ProblemFieldError[],
): Problem {
  return {
    type: `/problems/${code.replaceAll('_', '-')}`,
    title: TITLES[code],
    status,
    detail,
    code,
    request_id: requestId,
    ...(errors && errors.length > 0 ? { errors: errors.map((e) => ({ ...e })) } : {}),
  };
}

/** A zod issue path as an RFC 6901 JSON Pointer, e.g. ['items', 3, 'started_at'] → /items/3/started_at. */
export function jsonPointer(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  return prefix + path.map((part) => `/${String(part).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

interface IssueLike {
  path: ReadonlyArray<PropertyKey>;
  message: string;
}

export function fieldErrors(issues: readonly IssueLike[], prefix = ''): ProblemFieldError[] {
  return issues
    .slice(0, 20)
    .map((issue) => ({ pointer: jsonPointer(issue.path, prefix) || '/', detail: issue.message }));
}

/** A 422 naming every failing path, with a sentence on what to fix. */
export function validationProblem(what: string, issues: readonly IssueLike[], prefix = ''): ProblemError {
  const errors = fieldErrors(issues, prefix);
  const first = errors[0];
  const detail = `${what} does not match Bands API v1: ${first ? `${first.pointer}: ${first.detail}` : 'wrong shape'}${
    errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''
  }. Fix the fields listed in errors[] and send it again.`;
  return new ProblemError(422, 'validation_failed', detail, errors);
}
