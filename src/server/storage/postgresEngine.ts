// The shared engine: PostgreSQL through node-postgres (pg), for an organisation that runs several
// server processes against one (replicated) database. The schema and SQL are the SQLite engine's
// (migrations.ts has both texts); `?` placeholders become $1, $2… once per statement text.
//
// Transactions are SERIALIZABLE and retried (a few times, with jitter) when Postgres reports a
// serialization failure or deadlock, so a read-then-write behaves as on SQLite's single writer.
// BIGINT (milliseconds, micros) and NUMERIC (SUM of BIGINT) come back as JS numbers: every value the
// server stores is far below 2^53. A commit is acknowledged only after Postgres made it durable
// (synchronous_commit on, its default), so a killed server process loses no acknowledged write.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { migrationsFor } from './migrations';
import type { RunResult, SqlValue, StorageEngine } from './sqlDb';

const RETRYABLE = new Set(['40001', '40P01']);
/** "busy, try again": serialization/deadlock after retries, lock timeout, too many connections, starting up or shutting down */
const BUSY = new Set(['40001', '40P01', '55P03', '53300', '57P03', '57P01']);
const MAX_ATTEMPTS = 6;
/** any fixed number: serializes migrations of every spend-band process on the database */
const MIGRATION_LOCK = 0x5b_0b_a1_d0;
const INT8_OID = 20;
const NUMERIC_OID = 1700;

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The URL without its password, for logs and output. */
export function redactUrl(location: string): string {
  try {
    const url = new URL(location);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

export class PostgresEngine implements StorageEngine {
  readonly dialect = 'postgres' as const;
  readonly driver = 'pg';
  readonly location: string;
  private readonly texts = new Map<string, string>();
  private readonly txClient = new AsyncLocalStorage<PoolClient>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly pool: Pool,
    url: string,
  ) {
    this.location = redactUrl(url);
  }

  static async open(url: string, options: { maxConnections?: number } = {}): Promise<PostgresEngine> {
    // Loaded lazily: only a server on Postgres needs the driver.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pg = require('pg') as typeof import('pg');
    const numeric = (text: string) => Number(text);
    const config: PoolConfig = {
      connectionString: url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      application_name: 'spend-band-server',
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          oid === INT8_OID || oid === NUMERIC_OID
            ? numeric
            : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    };
    const pool = new pg.Pool(config);
    // An idle connection that breaks (Postgres restarted) is dropped by the pool; without a listener the process would crash.
    pool.on('error', () => undefined);
    const engine = new PostgresEngine(pool, url);
    try {
      await engine.migrate();
    } catch (error) {
      await pool.end().catch(() => undefined);
      const e = error as { code?: string; message?: string };
      if (
        e.code === 'ECONNREFUSED' ||
        e.code === 'ENOTFOUND' ||
        e.code === '28P01' ||
        e.code === '3D000' ||
        e.code === '28000'
      ) {
        throw new Error(
          `cannot open the server database ${engine.location}: ${e.message ?? e.code}. Check the URL, that PostgreSQL is running, and the user's password.`,
        );
      }
      throw error;
    }
    return engine;
  }

  private text(sql: string): string {
    let text = this.texts.get(sql);
    if (text === undefined) {
      let n = 0;
      text = sql.replace(/\?/g, () => `$${++n}`);
      this.texts.set(sql, text);
    }
    return text;
  }

  private async query(sql: string, params: readonly SqlValue[]): Promise<{ rows: unknown[]; rowCount: number | null }> {
    const client = this.txClient.getStore();
    return (client ?? this.pool).query(this.text(sql), params as SqlValue[]);
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.txClient.getStore()) return fn();
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
        const result = await this.txClient.run(client, fn);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        const code = (error as { code?: string }).code;
        if (!code || !RETRYABLE.has(code) || attempt >= MAX_ATTEMPTS) throw error;
      } finally {
        client.release(broken);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }

  /**
   * The current transaction snapshot (xmin:xmax:in-progress ids): it changes whenever a transaction
   * that wrote anything commits or aborts (and when one starts writing, which only costs a cache refill).
   */
  async changeToken(): Promise<string> {
    const row = (await this.pool.query('SELECT pg_current_snapshot()::text AS s')).rows[0] as { s: string };
    return row.s;
  }

  isBusy(error: unknown): boolean {
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === 'string' && (BUSY.has(code) || code === 'ECONNREFUSED' || code === 'ECONNRESET');
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }

  private async migrate(): Promise<void> {
    const migrations = migrationsFor('postgres');
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Two processes starting on a fresh database must not both run migration 1.
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      const row = (await client.query('SELECT version FROM schema_version')).rows[0] as { version: number } | undefined;
      const current = row?.version ?? 0;
      if (current > migrations.length) {
        throw new Error(
          `the server database has schema version ${current}, newer than this build knows (${migrations.length}). Use a newer spend-band or another database.`,
        );
      }
      for (let version = current; version < migrations.length; version++) await client.query(migrations[version]!);
      if (row === undefined)
        await client.query('INSERT INTO schema_version (version) VALUES ($1)', [migrations.length]);
      else if (current !== migrations.length)
        await client.query('UPDATE schema_version SET version = $1', [migrations.length]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
