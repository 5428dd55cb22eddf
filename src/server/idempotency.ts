// Idempotency-Key handling (IETF draft "The Idempotency-Key HTTP Header Field"): a key is scoped to the
// developer and the route. Same key + same body (compared as canonical JSON) → the stored answer
// again; same key + another body → 422; a second request with a key whose first request is still
// being received or processed → 409. Only successful answers are stored, in the same transaction as
// the effect, so a crash can never leave an effect without its stored answer or the reverse.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ProblemError } from './problem';
import type { SqlDb } from './storage/sqlDb';

export const IDEMPOTENCY_RETENTION_MS = 24 * 3_600_000;

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The request's Idempotency-Key: required (400 when absent), 16–255 visible ASCII characters. */
export function requireIdempotencyKey(req: IncomingMessage): string {
  const value = req.headers['idempotency-key'];
  const key = Array.isArray(value) ? value[0] : value;
  if (key === undefined || key === '') {
    throw new ProblemError(
      400,
      'idempotency_key_required',
      'This request needs an Idempotency-Key header (16–255 characters, e.g. a UUID); send one and keep it for retries.',
    );
  }
  if (!/^[\x21-\x7e]{16,255}$/.test(key)) {
    throw new ProblemError(
      400,
      'idempotency_key_required',
      'The Idempotency-Key header must be 16–255 visible ASCII characters (a UUID works); fix it and send again.',
    );
  }
  return key;
}

export function bodyHash(canonicalBody: string): string {
  return createHash('sha256').update(canonicalBody).digest('hex');
}

export class IdempotencyStore {
  private readonly inFlight = new Set<string>();

  constructor(private readonly db: SqlDb) {}

  /** Claim the key for the duration of one request; the returned function releases it. */
  claim(developerId: string, route: string, key: string): () => void {
    const slot = `${developerId}\u0000${route}\u0000${key}`;
    if (this.inFlight.has(slot)) {
      throw new ProblemError(
        409,
        'idempotency_key_in_flight',
        'A request with this Idempotency-Key is still being processed. Wait for its answer, then retry with the same key.',
        undefined,
        { 'retry-after': '1' },
      );
    }
    this.inFlight.add(slot);
    return () => this.inFlight.delete(slot);
  }

  /** The stored answer for this key, or undefined; throws 422 when the key was used with another body. */
  async replay(
    developerId: string,
    route: string,
    key: string,
    hash: string,
    nowMs: number,
  ): Promise<StoredResponse | undefined> {
    const row = await this.db.get<{
      body_hash: string;
      status: number;
      headers: string;
      body: string;
      created_ms: number;
    }>(
      'SELECT body_hash, status, headers, body, created_ms FROM idempotency WHERE developer_id = ? AND route = ? AND key = ?',
      [developerId, route, key],
    );
    if (!row || row.created_ms < nowMs - IDEMPOTENCY_RETENTION_MS) return undefined;
    if (row.body_hash !== hash) {
      throw new ProblemError(
        422,
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request body. Use a new key for a new request.',
      );
    }
    return { status: row.status, headers: JSON.parse(row.headers) as Record<string, string>, body: row.body };
  }

  /** Store a successful answer; call inside the transaction that made the effect. */
  async save(
    developerId: string,
    route: string,
    key: string,
    hash: string,
    response: StoredResponse,
    nowMs: number,
  ): Promise<void> {
    await this.db.run(
      `INSERT INTO idempotency (developer_id, route, key, body_hash, status, headers, body, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (developer_id, route, key) DO UPDATE SET body_hash = excluded.body_hash, status = excluded.status, headers = excluded.headers,
         body = excluded.body, created_ms = excluded.created_ms`,
      [developerId, route, key, hash, response.status, JSON.stringify(response.headers), response.body, nowMs],
    );
  }

  async purge(nowMs: number): Promise<number> {
    return (await this.db.run('DELETE FROM idempotency WHERE created_ms < ?', [nowMs - IDEMPOTENCY_RETENTION_MS]))
      .changes;
  }
}
