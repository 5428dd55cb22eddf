// Pick the engine from the --db / --database value: a file path (or :memory:) is the embedded SQLite
// engine, the default.
import { SqliteEngine } from './sqliteEngine';
import type { StorageEngine } from './sqlDb';

export function openStorage(location: string): Promise<StorageEngine> {
  return Promise.resolve(SqliteEngine.open(location));
}
