// The embedded engine: one SQLite file, WAL, synchronous=FULL (an acknowledged write is on disk
// before the HTTP answer leaves), foreign keys on. One connection per process; a transaction holds
// an async lock so the statements of concurrent requests never run inside another's transaction.
import { AsyncLocalStorage } from 'node:async_hooks';
import { openPrivately } from '../privateFiles';
import { AsyncMutex } from './asyncMutex';
import { migrationsFor } from './migrations';
import type { RunResult, SqlValue, StorageEngine } from './sqlDb';

/** What the engine needs of a SQLite binding (better-sqlite3 and node:sqlite both have it). */
export interface SqliteStatement {
  all(...params: SqlValue[]): unknown[];
  get(...params: SqlValue[]): unknown;
  run(...params: SqlValue[]): { changes: number | bigint };
}

export interface SqliteConnection {
  readonly driver: string;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  close(): void;
}

export type SqliteOpener = (path: string) => SqliteConnection;

/** The name of the error thrown when this Node can use neither binding; its message says what to do. */
export const SQLITE_UNAVAILABLE = 'SqliteUnavailableError';

const NODE_SQLITE_SINCE = '22.13';

function sqliteUnavailable(why: string, remedy: string): Error {
  const error = new Error(`the reference server needs SQLite: ${why}. ${remedy}`);
  error.name = SQLITE_UNAVAILABLE;
  return error;
}

function builtinText(): string {
  return loadNodeSqlite()
    ? `SPEND_BAND_SQLITE=better-sqlite3 asks for better-sqlite3 (Node ${process.version} has node:sqlite: unset SPEND_BAND_SQLITE to use it)`
    : `Node ${process.version} has no built-in node:sqlite (Node ${NODE_SQLITE_SINCE} and later have it)`;
}

function isModuleNotFound(error: unknown, name: string): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${name}'`);
}

/** better-sqlite3 is installed but its native module is missing or built for another Node. */
function isUnbuilt(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return (
    e?.code === 'ERR_DLOPEN_FAILED' ||
    (typeof e?.message === 'string' && e.message.startsWith('Could not locate the bindings file'))
  );
}

export function openBetterSqlite(path: string): SqliteConnection {
  // Loaded lazily: where node:sqlite serves, the native module need not exist at all.
  let Database: typeof import('better-sqlite3');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Database = require('better-sqlite3') as typeof import('better-sqlite3');
  } catch (error) {
    if (!isModuleNotFound(error, 'better-sqlite3')) throw error;
    throw sqliteUnavailable(
      `${builtinText()}, and the fallback module better-sqlite3 is not installed beside this copy of spend-band (the copy inside the VS Code extension does not carry it)`,
      `Run spend-band with Node ${NODE_SQLITE_SINCE} or later, or use the npm-installed CLI or a clone (README: "Install from a clone").`,
    );
  }
  let db: import('better-sqlite3').Database;
  try {
    db = new Database(path);
  } catch (error) {
    if (!isUnbuilt(error)) throw error;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const dir = require('node:path').dirname(require.resolve('better-sqlite3/package.json')) as string;
    throw sqliteUnavailable(
      `${builtinText()}, and better-sqlite3 in ${dir} has no native module built for this Node (npm runs its install script only where allowed)`,
      `Run spend-band with Node ${NODE_SQLITE_SINCE} or later, or build it once (a download, or 1-2 minutes of compiling): cd ${dir} && npm run install`,
    );
  }
  return {
    driver: 'better-sqlite3',
    prepare: (sql) => db.prepare(sql) as unknown as SqliteStatement,
    exec: (sql) => void db.exec(sql),
    close: () => void db.close(),
  };
}

/** The part of node:sqlite (Node ≥ 22.5, unflagged from 22.13) the engine uses; @types/node 20 has no types for it. */
interface NodeSqlite {
  DatabaseSync: new (path: string) => {
    prepare(sql: string): {
      all(...p: SqlValue[]): object[];
      get(...p: SqlValue[]): object | undefined;
      run(...p: SqlValue[]): { changes: number | bigint };
    };
    exec(sql: string): void;
    close(): void;
  };
}

/** node:sqlite when this Node has it (without flags), else undefined. */
export function loadNodeSqlite(): NodeSqlite | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('node:sqlite') as NodeSqlite;
  } catch {
    return undefined;
  }
}

export function openNodeSqlite(path: string): SqliteConnection {
  const sqlite = loadNodeSqlite();
  if (!sqlite)
    throw sqliteUnavailable(
      `SPEND_BAND_SQLITE=node asks for node:sqlite, which Node ${process.version} does not have (${NODE_SQLITE_SINCE} and later have it)`,
      `Run spend-band with Node ${NODE_SQLITE_SINCE} or later, or unset SPEND_BAND_SQLITE to use better-sqlite3.`,
    );
  const db = new sqlite.DatabaseSync(path);
  return {
    driver: 'node:sqlite',
    prepare: (sql) => {
      const statement = db.prepare(sql);
      // node:sqlite rows have a null prototype; the rest of the server (and deepEqual in tests) expects plain objects.
      return {
        all: (...p) => statement.all(...p).map((row) => ({ ...row })),
        get: (...p) => {
          const row = statement.get(...p);
          return row === undefined ? undefined : { ...row };
        },
        run: (...p) => statement.run(...p),
      };
    },
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
  };
}

/**
 * The SQLite binding: SPEND_BAND_SQLITE=node or =better-sqlite3 picks one; by default node:sqlite
 * where this Node has it (no native module to compile), else better-sqlite3.
 */
export function defaultSqliteOpener(env: Readonly<Record<string, string | undefined>> = process.env): SqliteOpener {
  const wanted = env.SPEND_BAND_SQLITE;
  if (wanted === 'better-sqlite3') return openBetterSqlite;
  if (wanted === 'node' || wanted === 'node:sqlite') return openNodeSqlite;
  return loadNodeSqlite() ? openNodeSqlite : openBetterSqlite;
}

export class SqliteEngine implements StorageEngine {
  readonly dialect = 'sqlite' as const;
  readonly driver: string;
  private readonly statements = new Map<string, SqliteStatement>();
  private readonly lock = new AsyncMutex();
  private readonly inTransaction = new AsyncLocalStorage<true>();
  private closed = false;

  private constructor(
    private readonly connection: SqliteConnection,
    readonly location: string,
  ) {
    this.driver = connection.driver;
  }

  /** Open (creating the folder and file if needed) and migrate. */
  static open(path: string, opener: SqliteOpener = defaultSqliteOpener()): SqliteEngine {
    let connection: SqliteConnection;
    try {
      // 0700 folder, 0600 files (#20 finding 9); WAL mode creates -wal/-shm inside, with the file's mode.
      connection = openPrivately(path, () => {
        const opened = opener(path);
        try {
          opened.exec('PRAGMA journal_mode = WAL');
        } catch (error) {
          opened.close();
          throw error;
        }
        return opened;
      });
    } catch (error) {
      if ((error as Error | null)?.name === SQLITE_UNAVAILABLE) throw error;
      throw new Error(
        `cannot open the server database ${path}: ${(error as Error).message}. Check the path and its permissions.`,
      );
    }
    try {
      connection.exec('PRAGMA synchronous = FULL');
      connection.exec('PRAGMA foreign_keys = ON');
      // The admin CLI and the server are separate processes on one file: wait for the other's write.
      connection.exec('PRAGMA busy_timeout = 5000');
      const engine = new SqliteEngine(connection, path);
      engine.migrate();
      return engine;
    } catch (error) {
      connection.close();
      throw error;
    }
  }

  private statement(sql: string): SqliteStatement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.connection.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Statements outside a transaction wait while another request's transaction holds the connection. */
  private async turn<T>(work: () => T): Promise<T> {
    if (this.inTransaction.getStore() || !this.lock.locked) return work();
    const release = await this.lock.acquire();
    try {
      return work();
    } finally {
      release();
    }
  }

  all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.turn(() => this.statement(sql).all(...params) as T[]);
  }

  get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.turn(() => (this.statement(sql).get(...params) ?? undefined) as T | undefined);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return this.turn(() => ({ changes: Number(this.statement(sql).run(...params).changes) }));
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction.getStore()) return fn();
    const release = await this.lock.acquire();
    try {
      // IMMEDIATE: take the write lock now, so a read-then-write cannot be overtaken by another process.
      this.connection.exec('BEGIN IMMEDIATE');
      try {
        const result = await this.inTransaction.run(true, fn);
        this.connection.exec('COMMIT');
        return result;
      } catch (error) {
        this.connection.exec('ROLLBACK');
        throw error;
      }
    } finally {
      release();
    }
  }

  changeToken(): Promise<string> {
    const row = this.statement('PRAGMA data_version').get() as { data_version: number };
    return Promise.resolve(String(row.data_version));
  }

  isBusy(error: unknown): boolean {
    const e = error as { code?: unknown; errcode?: unknown } | null;
    // better-sqlite3 names the code; node:sqlite gives SQLite's number (5 busy, 6 locked).
    return e?.code === 'SQLITE_BUSY' || e?.code === 'SQLITE_LOCKED' || e?.errcode === 5 || e?.errcode === 6;
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.statements.clear();
      this.connection.close();
    }
    return Promise.resolve();
  }

  private migrate(): void {
    const migrations = migrationsFor('sqlite');
    this.connection.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    // IMMEDIATE: two processes opening a fresh file at once must not both run migration 1.
    this.connection.exec('BEGIN IMMEDIATE');
    try {
      const row = this.connection.prepare('SELECT version FROM schema_version').get() as
        { version: number } | undefined;
      const current = row?.version ?? 0;
      if (current > migrations.length) {
        throw new Error(
          `the server database has schema version ${current}, newer than this build knows (${migrations.length}). Use a newer spend-band or another --db file.`,
        );
      }
      for (let version = current; version < migrations.length; version++) this.connection.exec(migrations[version]!);
      if (row === undefined)
        this.connection.prepare('INSERT INTO schema_version (version) VALUES (?)').run(migrations.length);
      else if (current !== migrations.length)
        this.connection.prepare('UPDATE schema_version SET version = ?').run(migrations.length);
      this.connection.exec('COMMIT');
    } catch (error) {
      this.connection.exec('ROLLBACK');
      throw error;
    }
  }
}
