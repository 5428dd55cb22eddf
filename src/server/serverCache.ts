// What the hot path keeps in memory so that `GET /v1/me/bands` with a matching If-None-Match costs no
// disk read: token hash → developer, and per developer the last built document with its ETag.
//
// Invalidation: writes made by this process invalidate the developer they touch. Writes by another
// process (the admin CLI on the same file: a revoked token, an approval, an import) are seen through
// `PRAGMA data_version`, which changes when another connection commits; it is read from SQLite's
// shared-memory WAL index, not from disk, but under load it still showed as ~15 % of the hot path's
// CPU, so it is read at most once per SYNC_INTERVAL_MS (1 ms): a revocation by the admin CLI takes
// effect within a millisecond of its commit. A change drops both caches. A document also expires by itself at the first instant it
// could change with time alone (a period end, a reservation or temporary increase ending), and after
// MAX_DOCUMENT_AGE_MS at most.
import { createHash, randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { BandsDocument } from '../domain/schemas';
import { buildBandsDocument } from './bandsBuilder';
import { prepared, type ServerDb } from './serverDatabase';
import type { Scope } from './tokens';

export interface Principal {
  developerId: string;
  scopes: ReadonlySet<string>;
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
  private readonly dataVersion: Statement;
  private lastDataVersion: number;
  private lastSyncAt = -Infinity;
  private readonly tokens = new Map<string, Principal | null>();
  private readonly documents = new Map<string, DocumentEntry>();

  constructor(private readonly db: ServerDb) {
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.lastDataVersion = this.dataVersion.get() as number;
  }

  /** Drop everything if another process committed since the last look. */
  sync(): void {
    const at = performance.now();
    if (at - this.lastSyncAt < SYNC_INTERVAL_MS) return;
    this.lastSyncAt = at;
    const version = this.dataVersion.get() as number;
    if (version !== this.lastDataVersion) {
      this.lastDataVersion = version;
      this.tokens.clear();
      this.documents.clear();
    }
  }

  /** The developer a token hash belongs to, if the token is live. Call sync() first. */
  principal(tokenHash: string): Principal | undefined {
    let entry = this.tokens.get(tokenHash);
    if (entry === undefined) {
      const row = prepared(this.db, 'SELECT developer_id, scopes FROM tokens WHERE hash = ? AND revoked_ms IS NULL').get(tokenHash) as
        | { developer_id: string; scopes: string }
        | undefined;
      entry = row ? { developerId: row.developer_id, scopes: new Set(row.scopes.split(' ') as Scope[]) } : null;
      if (this.tokens.size >= MAX_TOKEN_ENTRIES) this.tokens.clear();
      this.tokens.set(tokenHash, entry);
    }
    return entry ?? undefined;
  }

  /** The developer's document, rebuilt only when something changed. Call sync() first. */
  document(developerId: string, now: Date): DocumentEntry | undefined {
    const nowMs = now.getTime();
    const cached = this.documents.get(developerId);
    if (cached && nowMs < cached.validUntilMs) return cached;
    const built = buildBandsDocument(this.db, developerId, now);
    if (!built) {
      this.documents.delete(developerId);
      return undefined;
    }
    const entry: DocumentEntry = {
      document: built.document,
      etag: contentEtag(built.document),
      validUntilMs: Math.min(built.validUntilMs, nowMs + MAX_DOCUMENT_AGE_MS),
      template: JSON.stringify(built.document, (key, value: unknown) => (key === 'as_of' || key === 'generated_at' ? STAMP.slice(1, -1) : value)),
    };
    this.documents.set(developerId, entry);
    return entry;
  }

  /** This process changed something the developer's document depends on. */
  invalidate(developerId: string): void {
    this.documents.delete(developerId);
  }

  clear(): void {
    this.lastSyncAt = -Infinity;
    this.tokens.clear();
    this.documents.clear();
    this.lastDataVersion = this.dataVersion.get() as number;
  }
}

function contentEtag(document: BandsDocument): string {
  const text = JSON.stringify(document, (key, value: unknown) => (key === 'as_of' || key === 'generated_at' ? undefined : value));
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
