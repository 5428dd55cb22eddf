// Requests the developer submitted, kept on disk with their Idempotency-Key before the first send: a
// request that cannot be sent now is sent later, and a retry after a dropped response or a window reload
// replays the same key, so the server creates one request. Also the local ledger of self-set increases
// (local mode, no endpoint). No `vscode` import: plain files, atomic writes.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { IncreaseRequestCreate, Request } from '../../domain/schemas';

export interface OutboxEntry {
  key: string;
  body: IncreaseRequestCreate;
  createdAt: string;
  attempts: number;
  lastError?: string;
}

async function readJson<T>(path: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return fallback;
  }
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, JSON.stringify(value, null, 1));
  await rename(temp, path);
}

/** One file, serialized writes within this process. */
class JsonList<T> {
  private queue: Promise<unknown> = Promise.resolve();
  constructor(readonly path: string) {}

  read(): Promise<T[]> {
    return readJson<T[]>(this.path, []).then((v) => (Array.isArray(v) ? v : []));
  }

  update(change: (items: T[]) => T[]): Promise<T[]> {
    const next = this.queue.then(async () => {
      const items = change(await this.read());
      await writeJsonAtomic(this.path, items);
      return items;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}

export class RequestOutbox {
  private readonly list: JsonList<OutboxEntry>;
  constructor(path: string) {
    this.list = new JsonList(path);
  }

  entries(): Promise<OutboxEntry[]> {
    return this.list.read();
  }

  async add(entry: OutboxEntry): Promise<void> {
    await this.list.update((items) => [...items.filter((e) => e.key !== entry.key), entry]);
  }

  async remove(key: string): Promise<void> {
    await this.list.update((items) => items.filter((e) => e.key !== key));
  }

  async failed(key: string, error: string): Promise<void> {
    await this.list.update((items) =>
      items.map((e) => (e.key === key ? { ...e, attempts: e.attempts + 1, lastError: error } : e)),
    );
  }
}

/** A self-set increase in local mode: a Request record with `self_set`, and when it applies. */
export type LedgerEntry = Request & { self_set: true; effective_from: string; workflow: string; delta_micros: number };

export class LocalLedger {
  private readonly list: JsonList<LedgerEntry>;
  constructor(path: string) {
    this.list = new JsonList(path);
  }

  entries(): Promise<LedgerEntry[]> {
    return this.list.read();
  }

  async add(entry: LedgerEntry): Promise<void> {
    await this.list.update((items) => [...items, entry]);
  }
}
