// Pick the engine from the --db value: a postgres:// (or postgresql://) URL is the shared PostgreSQL
// engine; anything else is a file path (or :memory:) for the embedded SQLite engine, the default.
import { isPostgresUrl, PostgresEngine } from './postgresEngine';
import { SqliteEngine } from './sqliteEngine';
import type { StorageEngine } from './sqlDb';

export function openStorage(location: string): Promise<StorageEngine> {
  if (isPostgresUrl(location)) return PostgresEngine.open(location);
  return Promise.resolve(SqliteEngine.open(location));
}
