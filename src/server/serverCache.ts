// What the hot path keeps in memory so that `GET /v1/me/bands` with a matching If-None-Match costs no
// disk read: token hash → developer, and per developer the last built document with its ETag.
//
// Invalidation: writes made by this process invalidate the developer they touch. Writes by another
// process (the admin CLI on the same file, another server on the same Postgres: a revoked token, an
// approval, an import) are seen through the engine's change token (SQLite: `PRAGMA data_version`,
// read from the shared-memory WAL index, not from disk; Postgres: the transaction snapshot). Under
// load it still showed as ~15 % of the hot path's CPU on SQLite, so it is read at most once per
// SYNC_INTERVAL_MS (1 ms): a revocation by the admin CLI takes effect within a millisecond of its commit. A change drops both caches. A document also expires by itself at the first instant it
// could change with time alone (a period end, a reservation or temporary increase ending), and after
// MAX_DOCUMENT_AGE_MS at most.
import { createHash, randomBytes } from 'node:crypto';
import type { BandsDocument } from '../domain/schemas';
import { buildBandsDocument } from './bandsBuilder';
import type { StorageEngine } from './storage/sqlDb';
import type { Scope } from './tokens';

export interface Principal {
  developerId: string;
  scopes: ReadonlySet<string>;
  /** the token stops working at this instant; null = never */
  expiresMs: number | null;
}

export interface DocumentEntry {
  document: BandsDocument;
  /** weak ETag of the content, ignoring the as_of / generated_at timestamps */
  etag: string;
  validUntilMs: number;
  /** the JSON body with every timestamp as STAMP (see jsonAt) */
  template: string;
}

/** A per-process placeholder no stored text can contain by accident. */
const STAMP = `"stamp-${randomBytes(12).toString('hex')}"`;

/**
 * The document's JSON with as_of / generated_at set to `now`: the content is unchanged since it was
 * built (the cache guarantees it), so restamping is honest and far cheaper than serialising again.
 */
export function jsonAt(entry: DocumentEntry, now: Date): string {
  return entry.template.replaceAll(STAMP, `"${now.toISOString()}"`);
}

const MAX_DOCUMENT_AGE_MS = 5 * 60_000;
const SYNC_INTERVAL_MS = 1;
/** Unknown tokens are remembered too (so a flood of bad tokens does not hit the disk), up to this many. */
const MAX_TOKEN_ENTRIES = 10_000;

export class ServerCache {
  private lastDataVersion: string | undefined;
  private lastSyncAt = -Infinity;
  private syncing: Promise<void> | undefined;
  private readonly tokens = new Map<string, Principal | null>();
  private readonly documents = new Map<string, DocumentEntry>();
  /** bumped by every invalidation: a document built across one is answered but not kept (it may mix before and after) */
  private epoch = 0;

  constructor(private readonly db: StorageEngine) {}

  /** Drop everything if another process committed since the last look (one look at a time). */
  sync(): Promise<void> | undefined {
    if (this.syncing) return this.syncing;
    const at = performance.now();
    if (at - this.lastSyncAt < SYNC_INTERVAL_MS) return undefined;
    this.lastSyncAt = at;
    this.syncing = this.db.changeToken().then(
      (version) => {
        this.syncing = undefined;
        if (version !== this.lastDataVersion) {
          this.lastDataVersion = version;
          this.epoch++;
          this.tokens.clear();
          this.documents.clear();
        }
      },
      (error: unknown) => {
        this.syncing = undefined;
        this.lastSyncAt = -Infinity;
        throw error;
      },
    );
    return this.syncing;
  }

  /** The developer a token hash belongs to, if the token is live. Call sync() first. */
  async principal(tokenHash: string): Promise<Principal | undefined> {
    let entry = this.tokens.get(tokenHash);
    if (entry === undefined) {
      const row = await this.db.get<{ developer_id: string; scopes: string; expires_ms: number | string | null }>(
        'SELECT developer_id, scopes, expires_ms FROM tokens WHERE hash = ? AND revoked_ms IS NULL',
        [tokenHash],
      );
      entry = row
        ? {
            developerId: row.developer_id,
            scopes: new Set(row.scopes.split(' ') as Scope[]),
            expiresMs: row.expires_ms === null ? null : Number(row.expires_ms),
          }
        : null;
      if (this.tokens.size >= MAX_TOKEN_ENTRIES) this.tokens.clear();
      this.tokens.set(tokenHash, entry);
    }
    return entry ?? undefined;
  }

  /** The developer's document, rebuilt only when something changed. Call sync() first. */
  async document(developerId: string, now: Date): Promise<DocumentEntry | undefined> {
    const nowMs = now.getTime();
    const cached = this.documents.get(developerId);
    if (cached && nowMs < cached.validUntilMs) return cached;
    const epoch = this.epoch;
    const built = await buildBandsDocument(this.db, developerId, now);
    if (!built) {
      this.documents.delete(developerId);
      return undefined;
    }
    const entry: DocumentEntry = {
      document: built.document,
      etag: contentEtag(built.document),
      validUntilMs: Math.min(built.validUntilMs, nowMs + MAX_DOCUMENT_AGE_MS),
      template: JSON.stringify(built.document, (key, value: unknown) =>
        key === 'as_of' || key === 'generated_at' ? STAMP.slice(1, -1) : value,
      ),
    };
    if (epoch === this.epoch) this.documents.set(developerId, entry);
    return entry;
  }

  /** This process changed something the developer's document depends on. */
  invalidate(developerId: string): void {
    this.epoch++;
    this.documents.delete(developerId);
  }

  clear(): void {
    this.lastSyncAt = -Infinity;
    this.lastDataVersion = undefined;
    this.epoch++;
    this.tokens.clear();
    this.documents.clear();
  }
}

function contentEtag(document: BandsDocument): string {
  const text = JSON.stringify(document, (key, value: unknown) =>
    key === 'as_of' || key === 'generated_at' ? undefined : value,
  );
  return `W/"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
}

/** Does an If-None-Match header match the ETag (weak comparison, lists and `*` allowed)? */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  for (const part of ifNoneMatch.split(',')) {
    if (part.trim().replace(/^W\//, '') === opaque) return true;
  }
  return false;
}
