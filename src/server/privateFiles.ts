// The server's database holds every developer's email, usage, session tags (repository and branch
// names) and requests: its folder is created 0700 and its files 0600 (issue #20 finding 9). SQLite
// creates the -wal and -shm files later, with the mode of the database file, so the umask only has to
// be right when the folder and the main file are created; files an older build left wider are tightened.
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Run `open` (synchronous: nothing else runs while the umask is changed) with umask 077. */
export function openPrivately<T>(path: string, open: () => T): T {
  if (path === ':memory:' || path === '') return open();
  let previous: number | undefined;
  try {
    previous = process.umask(0o077);
  } catch {
    // process.umask() is unavailable in worker threads; fall back to chmod below.
  }
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const result = open();
    tighten(path);
    return result;
  } finally {
    if (previous !== undefined) process.umask(previous);
  }
}

/** Remove group/other access from the database and its WAL/SHM files if present (owner's own files only). */
function tighten(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    if (!existsSync(file)) continue;
    const stat = statSync(file);
    if ((stat.mode & 0o077) !== 0 && stat.uid === process.getuid?.()) chmodSync(file, stat.mode & 0o700);
  }
}
