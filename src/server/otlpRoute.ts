// POST /v1/otlp/v1/logs and /v1/otlp/v1/metrics: OTLP/HTTP receivers, so an agent's own
// OpenTelemetry exporter can send its usage here (OTEL_EXPORTER_OTLP_ENDPOINT=<server>/v1/otlp and
// OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <the developer's token>"). The token decides whose
// usage it is; nothing in the payload (user.email, user.account_uuid) can name another developer.
//
// The body is bounded before it is read whole: a declared Content-Length over the cap is refused at
// once, a streamed body is dropped as soon as it passes the cap, and a gzip body may not inflate past
// its own cap. Answers follow OTLP/HTTP: 200 with an (empty or partial-success) export response in the
// request's encoding; errors are RFC 9457 problems (400 is not retried by exporters, 429/503 are).
import { gunzipSync } from 'node:zlib';
import type { IncomingMessage } from 'node:http';
import { loadPricing, type Pricing } from '../usage/prices/prices';
import { decodeLogsRequest, decodeMetricsRequest, encodeExportResponse, otlpEncoding } from './otlpDecode';
import { pointsFromMetrics, usageFromLogs } from './otlpIngest';
import { storeLogUsage, storeMetricPoints } from './otlpStore';
import { ProblemError } from './problem';
import type { Call, Reply } from './routeContext';

/** On the wire (compressed or not). A Claude Code export of 512 records is well under 1 MiB. */
export const OTLP_BODY_CAP_BYTES = 4 * 1024 * 1024;
/** After gunzip. */
export const OTLP_INFLATED_CAP_BYTES = 16 * 1024 * 1024;

let pricing: Pricing | undefined;

export async function postOtlpLogs(call: Call): Promise<Reply> {
  const { encoding, body } = await otlpBody(call.req);
  const request = decodeLogsRequest(body, encoding);
  pricing ??= loadPricing();
  const ingest = usageFromLogs(request, call.principal.developerId, pricing, call.now.getTime());
  const stored = await storeLogUsage(call.ctx.db, call.principal.developerId, ingest, call.now.getTime());
  if (stored.changed > 0) call.ctx.cache.invalidate(call.principal.developerId);
  const response = encodeExportResponse('logs', encoding, ingest.rejected, ingest.rejectedWhy.join('; '));
  return exportReply(response);
}

export async function postOtlpMetrics(call: Call): Promise<Reply> {
  const { encoding, body } = await otlpBody(call.req);
  const request = decodeMetricsRequest(body, encoding);
  const { points, rejected } = pointsFromMetrics(request);
  const stored = await storeMetricPoints(call.ctx.db, call.principal.developerId, points);
  if (stored.counted > 0) call.ctx.cache.invalidate(call.principal.developerId);
  const response = encodeExportResponse(
    'metrics',
    encoding,
    rejected,
    rejected > 0 ? 'data points without a value ≥ 0 or a time' : '',
  );
  return exportReply(response);
}

function exportReply(response: { body: string | Uint8Array; contentType: string }): Reply {
  const headers = { 'content-type': response.contentType };
  return typeof response.body === 'string'
    ? { status: 200, headers, body: response.body }
    : { status: 200, headers, bytes: response.body };
}

async function otlpBody(req: IncomingMessage): Promise<{ encoding: ReturnType<typeof otlpEncoding>; body: Buffer }> {
  const encoding = otlpEncoding(req.headers['content-type']);
  const contentEncoding = String(req.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (contentEncoding !== 'identity' && contentEncoding !== 'gzip') {
    throw new ProblemError(
      415,
      'invalid_request',
      `Content-Encoding "${contentEncoding.slice(0, 40)}" is not supported; send gzip or no compression (OTEL_EXPORTER_OTLP_COMPRESSION=gzip).`,
    );
  }
  const raw = await readCapped(req, OTLP_BODY_CAP_BYTES);
  if (contentEncoding === 'identity') return { encoding, body: raw };
  try {
    return { encoding, body: gunzipSync(raw, { maxOutputLength: OTLP_INFLATED_CAP_BYTES }) };
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError)
      throw tooLarge(OTLP_INFLATED_CAP_BYTES, 'once inflated');
    throw new ProblemError(
      400,
      'invalid_request',
      'Malformed OTLP request: the body is not valid gzip. Nothing was stored; send gzip data or drop Content-Encoding.',
    );
  }
}

/** Reads at most `cap` bytes: a larger declared length is refused unread, a larger stream is cut off. */
function readCapped(req: IncomingMessage, cap: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > cap) return Promise.reject(tooLarge(cap, ''));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) {
        req.off('data', onData);
        req.pause();
        reject(tooLarge(cap, ''));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
    req.once('aborted', () => reject(new Error('client aborted the request')));
  });
}

function tooLarge(cap: number, how: string): ProblemError {
  return new ProblemError(
    413,
    'payload_too_large',
    `The OTLP body is larger than ${Math.round(cap / 1024 / 1024)} MiB${how ? ` ${how}` : ''}; nothing was stored. Export smaller batches (OTEL_BLRP_MAX_EXPORT_BATCH_SIZE for logs) or more often.`,
    undefined,
    { connection: 'close' },
  );
}
