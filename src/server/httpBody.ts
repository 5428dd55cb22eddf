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

/**
 * Deepest nesting of objects and arrays a body may have. The contract's bodies are 4 levels deep at
 * most; anything deeper is refused before JSON.parse and before canonicalJson (which recurses), so
 * 12,000 nested arrays in an unknown field are a 400, not a stack overflow (issue #20 finding 8).
 */
export const MAX_JSON_DEPTH = 32;

/** Depth of `[`/`{` nesting in JSON text, counted without recursion (strings skipped); stops past `limit`. */
export function jsonDepth(body: Buffer, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** Parse JSON text; a syntax error is a 400 that says where, and so is nesting past MAX_JSON_DEPTH. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0)
    throw new ProblemError(400, 'malformed_json', 'The request body is empty; send a JSON object.');
  if (jsonDepth(body) > MAX_JSON_DEPTH) {
    throw new ProblemError(
      400,
      'malformed_json',
      `The request body nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep; no Bands API v1 body does. Send the fields the contract lists.`,
    );
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ProblemError(
      400,
      'malformed_json',
      `The request body is not valid JSON (${(error as Error).message}). Send a JSON object.`,
    );
  }
}

/** JSON with object keys sorted, so that the same document written differently hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}
