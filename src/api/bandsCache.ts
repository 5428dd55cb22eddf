// The last good bands document per source, on disk, so a failing source still shows the last known
// numbers (marked stale). One file per source key; the file holds the document, its ETag and when it
// was fetched, never the token. Writes go to a temp file that is fsynced and renamed over the old one,
// so a crash leaves either the old or the new file, never a torn one.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { BandsDocumentSchema, type BandsDocument } from '../domain/schemas';
import { UnbudgetedSpendSchema, type UnbudgetedSpend } from './unbudgetedSpend';

export const CACHE_FORMAT_VERSION = 1;

const CacheFileSchema = z.object({
  version: z.literal(CACHE_FORMAT_VERSION),
  source_key: z.string(),
  source: z.string(),
  fetched_at: z.iso.datetime({ offset: true }),
  etag: z.string().optional(),
  document: BandsDocumentSchema,
  unbudgeted: z.array(UnbudgetedSpendSchema).optional(),
});

export interface CachedBands {
  source: string;
  document: BandsDocument;
  etag?: string;
  /** ISO date-time of the fetch that produced (or last re-validated) the document */
  fetchedAt: string;
  unbudgeted?: UnbudgetedSpend[];
}

export class BandsCache {
  constructor(readonly dir: string) {}

  /** The source key is kind + URL (+ lookups): no token, so nothing derived from it lands on disk. */
  fileFor(sourceKey: string): string {
    const digest = createHash('sha256').update(sourceKey).digest('hex').slice(0, 24);
    return join(this.dir, `bands-${digest}.json`);
  }

  /** The cached entry, or undefined when there is none or it cannot be trusted (then it is ignored). */
  async read(sourceKey: string): Promise<CachedBands | undefined> {
    let text: string;
    try {
      text = await readFile(this.fileFor(sourceKey), 'utf8');
    } catch {
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return undefined;
    }
    const parsed = CacheFileSchema.safeParse(json);
    // a hash collision or a hand-edited file must not show another source's bands
    if (!parsed.success || parsed.data.source_key !== sourceKey) return undefined;
    const data = parsed.data;
    return {
      source: data.source,
      document: data.document,
      fetchedAt: data.fetched_at,
      ...(data.etag !== undefined ? { etag: data.etag } : {}),
      ...(data.unbudgeted !== undefined ? { unbudgeted: data.unbudgeted } : {}),
    };
  }

  async write(sourceKey: string, entry: CachedBands): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const target = this.fileFor(sourceKey);
    const body = {
      version: CACHE_FORMAT_VERSION,
      source_key: sourceKey,
      source: entry.source,
      fetched_at: entry.fetchedAt,
      ...(entry.etag !== undefined ? { etag: entry.etag } : {}),
      document: entry.document,
      ...(entry.unbudgeted !== undefined ? { unbudgeted: entry.unbudgeted } : {}),
    };
    const temp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(body)}\n`, 'utf8');
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await handle.close();
    try {
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await syncDir(this.dir);
  }
}

/** Make the rename itself durable; not every platform can open a directory, and that is fine. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot fsync a directory; the rename is still atomic there
  }
}
