// The reference server's storage seam: every store and route talks to the database through SqlDb,
// so the embedded SQLite file and a shared PostgreSQL serve the same code. SQL is written once, with
// `?` placeholders, in the common subset of both dialects (ON CONFLICT upserts, no INSERT OR …,
// no rowid except the `rowid` column the Postgres schema declares for the tables ordered by it).
//
// Transactions are serializable on both engines (SQLite: BEGIN IMMEDIATE; Postgres: SERIALIZABLE,
// retried on a serialization failure), so a read-then-write inside one behaves as it did when the
// server ran on one synchronous connection. Inside `transaction(fn)` every query made through the
// engine — by fn itself or anything it calls — runs in that transaction (an AsyncLocalStorage
// scope), and a nested `transaction` joins the outer one.

export type SqlValue = string | number | null;

export interface RunResult {
  /** rows inserted, updated or deleted */
  changes: number;
}

export interface SqlDb {
  readonly dialect: 'sqlite' | 'postgres';
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
  /** Run fn in one serializable transaction (committed when it resolves, rolled back when it throws). It may run fn again after a serialization failure, so fn must not have effects outside the database before it returns. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}

export interface StorageEngine extends SqlDb {
  /** where the data lives, for logs and `--json` output (a Postgres URL without its password) */
  readonly location: string;
  /** which driver serves it, e.g. better-sqlite3, node:sqlite, pg */
  readonly driver: string;
  /**
   * A value that changes when another connection (another server process, the admin CLI) commits;
   * the server drops its in-memory caches when it changes. Cheap: no disk read on SQLite.
   */
  changeToken(): Promise<string>;
  /** the error means "busy, retry in a moment" (a lock held by another process, too many connections) */
  isBusy(error: unknown): boolean;
  close(): Promise<void>;
}
