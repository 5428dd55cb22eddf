// Where a dedupe table spills: a scratch file beside the usage index, named after the process that
// owns it, so that a later process can tell a stale one from a live one.
import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * A new spill file's path beside the index at `statePath` (its folder made if needed). Spill files
 * left there by a process that is gone are removed first: on POSIX a spill file is unlinked as soon
 * as it is open, but Windows cannot unlink an open file, so a crash there leaves one behind.
 */
export function spillPathBeside(statePath: string): string {
  const dir = dirname(statePath);
  mkdirSync(dir, { recursive: true });
  const prefix = `${basename(statePath)}.`;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith('.spill')) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || processAlive(pid)) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // gone already, or not ours to remove
    }
  }
  return join(dir, `${prefix}${process.pid}.${Math.random().toString(36).slice(2)}.spill`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}
