// Reading request bodies under a size cap. An oversized body is drained (not buffered) up to a hard
// limit so the client gets its 413 instead of a connection reset while it is still sending.
import type { IncomingMessage } from 'node:http';
import { ProblemError } from './problem';

/** Beyond this we stop draining and drop the connection. */
const DRAIN_LIMIT_BYTES = 32 * 1024 * 1024;

export async function readBody(req: IncomingMessage, capBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > DRAIN_LIMIT_BYTES) {
    req.destroy();
    throw tooLarge(capBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > capBytes) {
      over = true;
      if (size > DRAIN_LIMIT_BYTES) {
        req.destroy();
        break;
      }
      continue;
    }
    chunks.push(chunk);
  }
  if (over) throw tooLarge(capBytes);
  return Buffer.concat(chunks, size);
}

function tooLarge(capBytes: number): ProblemError {
  return new ProblemError(
    413,
    'payload_too_large',
    `The request body is larger than ${Math.round(capBytes / 1024)} KiB. Send fewer items per request.`,
    undefined,
    { connection: 'close' },
  );
}

/** Parse JSON text; a syntax error is a 400 that says where. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw new ProblemError(400, 'malformed_json', 'The request body is empty; send a JSON object.');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ProblemError(400, 'malformed_json', `The request body is not valid JSON (${(error as Error).message}). Send a JSON object.`);
  }
}

/** JSON with object keys sorted, so that the same document written differently hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}
