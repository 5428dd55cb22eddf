// The pre-flight conversation with a source, shared by `spend-band preflight`/`run` and the extension's
// guarded task (it imports no 'vscode'): ask the endpoint when it has the `preflight` capability, else
// decide locally with the same pure verdict; and, for needs_approval, poll the run_approval request
// (with its ETag) until someone decides, then ask again with the same client_run_id.
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../api/apiError';
import type { BandsClient } from '../../api/bandsClient';
import { localDecision } from '../../domain/runDecision';
import type { BandsDocument, Estimate, PreflightDecision, PreflightRequest, Request } from '../../domain/schemas';
import { isNoEstimate, noEstimateDecision } from './noEstimate';

export interface AskOptions {
  document: BandsDocument;
  /** a client for the endpoint the document came from; undefined for local / LiteLLM / OpenRouter */
  client: BandsClient | undefined;
  workflow: string;
  estimate: Estimate;
  /** the same id for a repeated question about the same run (the server answers it the same way) */
  clientRunId: string;
  run?: PreflightRequest['run'];
  now: Date;
  signal?: AbortSignal | undefined;
}

export interface Asked {
  decision: PreflightDecision;
  /** who decided: the endpoint, or this machine over the document's rules */
  decidedBy: 'endpoint' | 'local';
  request: PreflightRequest;
}

export function newRunId(): string {
  return randomUUID();
}

export function preflightRequestOf(
  options: Pick<AskOptions, 'workflow' | 'estimate' | 'clientRunId' | 'run'>,
): PreflightRequest {
  return {
    client_run_id: options.clientRunId,
    workflow: options.workflow,
    estimate: options.estimate,
    ...(options.run ? { run: options.run } : {}),
  };
}

export async function askPreflight(options: AskOptions): Promise<Asked> {
  const request = preflightRequestOf(options);
  if (isNoEstimate(options.estimate)) return askWithoutEstimate(options, request);
  if (options.client && options.document.capabilities.preflight === true) {
    const decision = await options.client.preflight(request, undefined, { signal: options.signal });
    return { decision, decidedBy: 'endpoint', request };
  }
  const decision = localDecision({
    document: options.document,
    workflow: options.workflow,
    estimate: options.estimate,
    now: options.now,
  });
  return { decision, decidedBy: 'local', request };
}

/**
 * No estimate: the endpoint is asked a dry run where it offers one (capability `preflight_dry_run`),
 * so a zero is never reserved and no request is filed for a run of unknown size; otherwise this
 * machine decides from the endpoint's bands and rules, which reserves nothing either.
 */
async function askWithoutEstimate(options: AskOptions, request: PreflightRequest): Promise<Asked> {
  const caps = options.document.capabilities;
  if (options.client && caps.preflight === true && caps.preflight_dry_run === true) {
    const decision = await options.client.preflight(request, undefined, { signal: options.signal, dryRun: true });
    return { decision: noEstimateDecision(decision), decidedBy: 'endpoint', request };
  }
  const decision = localDecision({
    document: options.document,
    workflow: options.workflow,
    estimate: options.estimate,
    now: options.now,
  });
  return { decision: noEstimateDecision(decision), decidedBy: 'local', request };
}

export interface WaitOptions {
  signal?: AbortSignal | undefined;
  /** delay before poll number `attempt` (0-based); default 2 s growing to 10 s */
  intervalMs?: (attempt: number) => number;
  /** called with every fresh copy of the request (not on 304) */
  onUpdate?: (request: Request) => void;
  /** called when a poll failed but waiting goes on (offline, timeout, 5xx, 429) */
  onTransientError?: (error: ApiError) => void;
}

const TRANSIENT = new Set(['offline', 'timeout', 'server', 'rateLimited']);

export function defaultPollInterval(attempt: number): number {
  return Math.min(10_000, 2_000 + attempt * 1_000);
}

/**
 * Polls `GET /v1/me/requests/{id}` with If-None-Match until the request is no longer pending and
 * returns it. Network trouble does not end the wait (it is reported and retried, honouring
 * Retry-After); a 401/403/404 does. Aborting rejects with an `aborted` ApiError.
 */
export async function waitForDecision(
  client: BandsClient,
  requestId: string,
  options: WaitOptions = {},
): Promise<Request> {
  const interval = options.intervalMs ?? defaultPollInterval;
  let etag: string | undefined;
  let last: Request | undefined;
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw new ApiError('aborted', 'waiting for the approval was cancelled');
    let delay = interval(attempt);
    try {
      const answer = await client.getRequest(requestId, { etag, signal: options.signal });
      if (!('notModified' in answer)) {
        last = answer.request;
        etag = answer.etag;
        options.onUpdate?.(last);
      }
      if (last && last.status !== 'pending') return last;
    } catch (error) {
      if (!(error instanceof ApiError) || !TRANSIENT.has(error.kind)) throw error;
      options.onTransientError?.(error);
      if (error.retryAfterMs !== undefined) delay = Math.max(delay, error.retryAfterMs);
    }
    await sleep(delay, options.signal);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ApiError('aborted', 'waiting was cancelled'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ApiError('aborted', 'waiting was cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
