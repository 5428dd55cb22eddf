// One poller for all VS Code windows: a lock file in global storage names the window that refreshes on
// the timer; it renews a heartbeat, and another window takes over when the heartbeat goes stale (the
// owner crashed or closed). No `vscode` import: plain file I/O.
import { mkdir, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

interface LockContents {
  owner: string;
  pid: number;
  heartbeat: number;
}

export class PollerLock {
  constructor(
    readonly path: string,
    readonly owner: string,
    private readonly staleMs: number,
  ) {}

  private async readLock(): Promise<LockContents | undefined> {
    try {
      const value = JSON.parse(await readFile(this.path, 'utf8')) as Partial<LockContents>;
      if (typeof value.owner === 'string' && typeof value.heartbeat === 'number') return value as LockContents;
    } catch {
      // missing or torn: treated as free
    }
    return undefined;
  }

  /** Take or renew the lock; true when this window is the poller. */
  async acquire(nowMs: number): Promise<boolean> {
    await mkdir(dirname(this.path), { recursive: true });
    const current = await this.readLock();
    if (current && current.owner !== this.owner && nowMs - current.heartbeat < this.staleMs) return false;
    const contents: LockContents = { owner: this.owner, pid: process.pid, heartbeat: nowMs };
    if (!current) {
      // Exclusive create: of two windows starting together, one wins.
      try {
        const handle = await open(this.path, 'wx');
        await handle.writeFile(JSON.stringify(contents));
        await handle.close();
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const raced = await this.readLock();
        if (raced && raced.owner !== this.owner) return false;
      }
    }
    const temp = `${this.path}.${this.owner}.tmp`;
    await writeFile(temp, JSON.stringify(contents));
    await rename(temp, this.path);
    // Two windows taking over a stale lock at once: the last rename wins; the other sees it next time.
    const after = await this.readLock();
    return after?.owner === this.owner;
  }

  async release(): Promise<void> {
    const current = await this.readLock();
    if (current?.owner === this.owner) await unlink(this.path).catch(() => undefined);
  }
}
