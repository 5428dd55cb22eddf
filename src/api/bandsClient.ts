// The Bands API v1 client (docs/contract/bands-api-v1.md): one method per route, every answer
// validated with the zod schemas of src/domain/schemas.ts, failures as classified ApiErrors.
import { z } from 'zod';
import {
  BandsDocumentSchema,
  IncreaseRequestCreateSchema,
  MoneySchema,
  PreflightDecisionSchema,
  PreflightRequestSchema,
  RequestListSchema,
  RequestSchema,
  SessionTagBatchResultSchema,
  SessionTagBatchSchema,
  UsagePageSchema,
  describeZodError,
  type BandsDocument,
  type IncreaseRequestCreate,
  type PreflightDecision,
  type PreflightRequest,
  type Request,
  type RequestList,
  type RequestStatus,
  type SessionTagBatch,
  type SessionTagBatchResult,
  type UsagePage,
} from '../domain/schemas';
import { HttpTransport, type TransportOptions } from './httpTransport';

export type { ProxyOptions } from './proxySettings';
export type { Timeouts, RetryPolicy } from './httpTransport';

export type BandsClientOptions = TransportOptions;

export interface CallOptions {
  signal?: AbortSignal | undefined;
}

export type NotModified = { notModified: true };

/** The answer to a reservation release (a reference-server extension, see the README). */
const ReservationReleasedSchema = z.object({
  id: z.string(),
  amount: MoneySchema,
  expires_at: z.string(),
  released: z.literal(true),
});
export type ReservationReleased = z.infer<typeof ReservationReleasedSchema>;

export interface UsageQuery {
  /** ISO date-time, inclusive */
  from: string;
  /** ISO date-time, exclusive */
  to: string;
  granularity?: 'PT1H' | 'P1D' | 'P1W' | 'P1M';
  groupBy?: readonly ('workflow' | 'provider' | 'model' | 'band')[];
  cursor?: string;
  limit?: number;
}

export interface CreatedRequest {
  request: Request;
  /** the Location header, resolved against the base URL */
  location?: string;
  etag?: string;
}

const IdempotencyKeySchema = z.string().min(16).max(255);

/** Refuse to send what the contract forbids: a caller bug, reported before any network traffic. */
function checkOutgoing<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new TypeError(`${what} is not valid Bands API v1: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

export class BandsClient {
  private readonly http: HttpTransport;

  /** Throws ApiError (invalidUrl, insecure) synchronously for a base URL that must not be used. */
  constructor(options: BandsClientOptions) {
    this.http = new HttpTransport(options);
  }

  get origin(): string {
    return this.http.origin;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** `GET /v1/me/bands`; with `etag`, a 304 comes back as `{ notModified: true }`. */
  async getBands(
    options: CallOptions & { etag?: string | undefined } = {},
  ): Promise<{ document: BandsDocument; etag?: string } | NotModified> {
    const response = await this.http.send({
      method: 'GET',
      path: 'v1/me/bands',
      headers: options.etag ? { 'if-none-match': options.etag } : {},
      signal: options.signal,
    });
    if (response.status === 304) return this.notModified(response.status, options.etag, 'GET /v1/me/bands');
    const document = this.http.parseJson(response, BandsDocumentSchema, 'GET /v1/me/bands');
    const etag = response.headers.etag;
    return etag ? { document, etag } : { document };
  }

  async getUsage(query: UsageQuery, options: CallOptions = {}): Promise<UsagePage> {
    const { value } = await this.http.sendJson(
      {
        method: 'GET',
        path: 'v1/me/usage',
        query: {
          from: query.from,
          to: query.to,
          granularity: query.granularity,
          group_by: query.groupBy && query.groupBy.length > 0 ? query.groupBy.join(',') : undefined,
          cursor: query.cursor,
          limit: query.limit,
        },
        signal: options.signal,
      },
      UsagePageSchema,
    );
    return value;
  }

  async postSessionTags(
    batch: SessionTagBatch,
    idempotencyKey: string,
    options: CallOptions = {},
  ): Promise<SessionTagBatchResult> {
    const body = checkOutgoing(SessionTagBatchSchema, batch, 'the session-tag batch');
    const { value } = await this.http.sendJson(
      {
        method: 'POST',
        path: 'v1/me/session-tags',
        headers: this.idempotency(idempotencyKey),
        json: body,
        signal: options.signal,
      },
      SessionTagBatchResultSchema,
    );
    return value;
  }

  /** Same `client_run_id` ⇒ same decision, so a retry is safe even without an Idempotency-Key. */
  /** `dryRun`: only for an endpoint whose capabilities say `preflight_dry_run` (it then reserves nothing). */
  async preflight(
    preflightRequest: PreflightRequest,
    idempotencyKey?: string,
    options: CallOptions & { dryRun?: boolean } = {},
  ): Promise<PreflightDecision> {
    const body = checkOutgoing(PreflightRequestSchema, preflightRequest, 'the pre-flight request');
    const { value } = await this.http.sendJson(
      {
        method: 'POST',
        path: 'v1/me/preflight',
        ...(options.dryRun ? { query: { dry_run: 'true' } } : {}),
        headers: idempotencyKey ? this.idempotency(idempotencyKey) : {},
        json: body,
        signal: options.signal,
      },
      PreflightDecisionSchema,
    );
    return value;
  }

  async createRequest(
    create: IncreaseRequestCreate,
    idempotencyKey: string,
    options: CallOptions = {},
  ): Promise<CreatedRequest> {
    const body = checkOutgoing(IncreaseRequestCreateSchema, create, 'the increase request');
    const { value, response } = await this.http.sendJson(
      {
        method: 'POST',
        path: 'v1/me/requests',
        headers: this.idempotency(idempotencyKey),
        json: body,
        signal: options.signal,
      },
      RequestSchema,
    );
    const location = response.headers.location;
    return {
      request: value,
      ...(location ? { location: new URL(location, response.url).toString() } : {}),
      ...(response.headers.etag ? { etag: response.headers.etag } : {}),
    };
  }

  async listRequests(
    query: { status?: RequestStatus; cursor?: string; limit?: number } = {},
    options: CallOptions = {},
  ): Promise<RequestList> {
    const { value } = await this.http.sendJson(
      {
        method: 'GET',
        path: 'v1/me/requests',
        query: { status: query.status, cursor: query.cursor, limit: query.limit },
        signal: options.signal,
      },
      RequestListSchema,
    );
    return value;
  }

  /** `GET /v1/me/requests/{id}`; poll with the last `etag`: a 304 is `{ notModified: true }`. */
  async getRequest(
    id: string,
    options: CallOptions & { etag?: string | undefined } = {},
  ): Promise<{ request: Request; etag?: string } | NotModified> {
    const what = `GET /v1/me/requests/${id}`;
    const response = await this.http.send({
      method: 'GET',
      path: `v1/me/requests/${encodeURIComponent(id)}`,
      headers: options.etag ? { 'if-none-match': options.etag } : {},
      signal: options.signal,
    });
    if (response.status === 304) return this.notModified(response.status, options.etag, what);
    const request = this.http.parseJson(response, RequestSchema, what);
    return response.headers.etag ? { request, etag: response.headers.etag } : { request };
  }

  /** Idempotent; cancelling a resolved request is a `conflict` ApiError (409). */
  async cancelRequest(id: string, options: CallOptions = {}): Promise<Request> {
    const { value } = await this.http.sendJson(
      { method: 'POST', path: `v1/me/requests/${encodeURIComponent(id)}/cancel`, signal: options.signal },
      RequestSchema,
      `POST /v1/me/requests/${id}/cancel`,
    );
    return value;
  }

  /** Gives back what a pre-flight reserved (endpoints with capabilities.reservation_release). */
  async releaseReservation(id: string, options: CallOptions = {}): Promise<ReservationReleased> {
    const { value } = await this.http.sendJson(
      { method: 'POST', path: `v1/me/reservations/${encodeURIComponent(id)}/release`, signal: options.signal },
      ReservationReleasedSchema,
      `POST /v1/me/reservations/${id}/release`,
    );
    return value;
  }

  private idempotency(key: string): Record<string, string> {
    checkOutgoing(IdempotencyKeySchema, key, 'the Idempotency-Key');
    return { 'idempotency-key': key };
  }

  private notModified(status: number, etag: string | undefined, what: string): NotModified {
    // a 304 to a request that carried no validator cannot refer to anything we hold
    if (!etag)
      throw this.http.error(
        'invalidPayload',
        `${this.origin} answered ${what} with HTTP ${status} although nothing was cached`,
        { status },
      );
    return { notModified: true };
  }
}
