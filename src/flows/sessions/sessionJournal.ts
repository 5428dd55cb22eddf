// The append-only journal of workflow sessions in global storage. Every transition is appended at once
// as one JSON line (a later record with the same id replaces an earlier one), so a crash of the
// extension host loses nothing but the heartbeat since the last minute. Heartbeat lines say when an open
// session was last seen alive, which is where a crashed session is closed on the next start.
// No `vscode` import: plain file I/O, tested in Node.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { foldJournal } from '../../domain/sessionMachine';
import type { WorkflowSession } from '../../domain/session';

interface HeartbeatLine {
  heartbeat: string;
  at: string;
}

export interface JournalContents {
  sessions: WorkflowSession[];
  lastSeen: Map<string, number>;
  corruptLines: number;
  bytes: number;
}

function isSession(value: unknown): value is WorkflowSession {
  const v = value as Partial<WorkflowSession>;
  return (
    typeof v?.id === 'string' &&
    typeof v.workflow === 'string' &&
    typeof v.start === 'string' &&
    (v.end === null || typeof v.end === 'string')
  );
}

export function parseJournal(text: string): JournalContents {
  const records: WorkflowSession[] = [];
  const lastSeen = new Map<string, number>();
  let corruptLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      corruptLines++;
      continue;
    }
    const hb = value as Partial<HeartbeatLine>;
    if (typeof hb.heartbeat === 'string' && typeof hb.at === 'string') {
      const at = Date.parse(hb.at);
      if (Number.isFinite(at)) lastSeen.set(hb.heartbeat, Math.max(at, lastSeen.get(hb.heartbeat) ?? 0));
      continue;
    }
    if (isSession(value)) records.push(value);
    else corruptLines++;
  }
  return { sessions: foldJournal(records), lastSeen, corruptLines, bytes: Buffer.byteLength(text) };
}

export class SessionJournal {
  private queue: Promise<void> = Promise.resolve();
  private checkedTail = false;

  constructor(readonly path: string) {}

  async read(): Promise<JournalContents> {
    let text = '';
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return parseJournal(text);
  }

  /** Append records now (serialized); resolves once they are written and flushed. */
  append(records: readonly WorkflowSession[]): Promise<void> {
    if (records.length === 0) return this.queue;
    return this.write(records.map((r) => JSON.stringify(r)));
  }

  heartbeat(sessionId: string, at: Date): Promise<void> {
    const line: HeartbeatLine = { heartbeat: sessionId, at: at.toISOString() };
    return this.write([JSON.stringify(line)]);
  }

  private write(lines: string[]): Promise<void> {
    const next = this.queue.then(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      const handle = await open(this.path, 'a+');
      try {
        let prefix = '';
        if (!this.checkedTail) {
          // A crash mid-line leaves no newline: start on a fresh line so the torn line stays alone.
          const { size } = await handle.stat();
          if (size > 0) {
            const last = Buffer.alloc(1);
            await handle.read(last, 0, 1, size - 1);
            if (last[0] !== 0x0a) prefix = '\n';
          }
          this.checkedTail = true;
        }
        await handle.appendFile(`${prefix}${lines.join('\n')}\n`);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Rewrite the journal with one record per session (and sessions newer than `keepSinceMs`), atomically. */
  async compact(keepSinceMs: number): Promise<void> {
    await this.queue;
    const { sessions, lastSeen } = await this.read();
    const kept = sessions.filter((s) => s.end === null || Date.parse(s.end) >= keepSinceMs);
    const lines = kept.map((s) => JSON.stringify(s));
    for (const s of kept) {
      const seen = lastSeen.get(s.id);
      if (s.end === null && seen !== undefined)
        lines.push(JSON.stringify({ heartbeat: s.id, at: new Date(seen).toISOString() }));
    }
    const temp = `${this.path}.${process.pid}.tmp`;
    await writeFile(temp, lines.length > 0 ? `${lines.join('\n')}\n` : '');
    await rename(temp, this.path);
    this.checkedTail = false;
  }
}

/** A stable fingerprint of a session record's content: what the server has acknowledged. */
export function sessionVersion(session: WorkflowSession): string {
  return createHash('sha256')
    .update(JSON.stringify([session.workflow, session.start, session.end, session.workspace, session.branch]))
    .digest('hex')
    .slice(0, 16);
}
