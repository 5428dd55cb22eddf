// Sends tagged sessions to the endpoint in batches. What the server acknowledged is remembered per
// session version on disk, so a session is neither lost (it stays pending until acknowledged, across
// restarts and offline spells) nor sent twice (the batch's Idempotency-Key is derived from its content,
// so a retry after a dropped response replays the same key and the server answers from its record).
// No `vscode` import.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { WorkflowSession } from '../../domain/session';
import {
  MAX_BATCH_ITEMS,
  type SessionTag,
  type SessionTagBatch,
  type SessionTagBatchResult,
} from '../../domain/schemas';
import { sessionVersion } from './sessionJournal';

export type SessionTagSink = (
  batch: SessionTagBatch,
  idempotencyKey: string,
  signal: AbortSignal,
) => Promise<SessionTagBatchResult>;

interface UploadState {
  /** session id → version the server acknowledged (or rejected for good) */
  acknowledged: Record<string, string>;
}

export interface UploadOutcome {
  sent: number;
  accepted: number;
  rejected: { id: string; reason: string }[];
  pending: number;
}

export interface TagOptions {
  hashRepositoryNames: boolean;
  toolVersion: string;
}

/** Repository names are hashed before they leave the machine unless the person opts out. */
export function repoForServer(repo: string | undefined, hash: boolean): string | undefined {
  if (repo === undefined) return undefined;
  return hash ? `sha256:${createHash('sha256').update(repo).digest('hex').slice(0, 16)}` : repo;
}

export function toSessionTag(session: WorkflowSession, options: TagOptions): SessionTag {
  const repo = repoForServer(session.workspace, options.hashRepositoryNames);
  return {
    id: session.id,
    workflow: session.workflow,
    started_at: session.start,
    ended_at: session.end,
    tool: { name: 'vscode', version: options.toolVersion },
    ...(repo !== undefined || session.branch !== undefined
      ? {
          workspace: {
            ...(repo !== undefined ? { repo } : {}),
            ...(session.branch !== undefined ? { branch: session.branch } : {}),
          },
        }
      : {}),
    ...(session.origin ? { labels: { origin: session.origin } } : {}),
  };
}

export function batchKey(batch: SessionTagBatch): string {
  return `tags-${createHash('sha256').update(JSON.stringify(batch)).digest('hex')}`;
}

export class SessionUploader {
  private running: Promise<UploadOutcome> | undefined;

  constructor(
    private readonly statePath: string,
    private readonly options: () => TagOptions,
  ) {}

  private async readState(): Promise<UploadState> {
    try {
      const value = JSON.parse(await readFile(this.statePath, 'utf8')) as UploadState;
      return value && typeof value.acknowledged === 'object' ? value : { acknowledged: {} };
    } catch {
      return { acknowledged: {} };
    }
  }

  private async writeState(state: UploadState): Promise<void> {
    await mkdir(dirname(this.statePath), { recursive: true });
    const temp = `${this.statePath}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(state));
    await rename(temp, this.statePath);
  }

  /** Sessions whose current version the server has not acknowledged yet. */
  async pending(sessions: readonly WorkflowSession[]): Promise<WorkflowSession[]> {
    const state = await this.readState();
    return sessions.filter((s) => state.acknowledged[s.id] !== sessionVersion(s));
  }

  /** Upload what is pending; concurrent calls share one run. Throws the sink's error (offline…) after saving progress. */
  upload(sessions: readonly WorkflowSession[], sink: SessionTagSink, signal: AbortSignal): Promise<UploadOutcome> {
    if (!this.running) {
      this.running = this.run(sessions, sink, signal).finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private async run(
    sessions: readonly WorkflowSession[],
    sink: SessionTagSink,
    signal: AbortSignal,
  ): Promise<UploadOutcome> {
    const state = await this.readState();
    const todo = sessions.filter((s) => state.acknowledged[s.id] !== sessionVersion(s));
    const outcome: UploadOutcome = { sent: 0, accepted: 0, rejected: [], pending: todo.length };
    const options = this.options();
    for (let i = 0; i < todo.length; i += MAX_BATCH_ITEMS) {
      const slice = todo.slice(i, i + MAX_BATCH_ITEMS);
      const batch: SessionTagBatch = { items: slice.map((s) => toSessionTag(s, options)) };
      const result = await sink(batch, batchKey(batch), signal);
      outcome.sent += slice.length;
      const versions = new Map(slice.map((s) => [s.id, sessionVersion(s)]));
      for (const id of result.accepted) {
        const version = versions.get(id);
        if (version) state.acknowledged[id] = version;
      }
      for (const r of result.rejected) {
        // A rejected item will not succeed by resending the same content: remember it, say why.
        const version = versions.get(r.id);
        if (version) state.acknowledged[r.id] = version;
        outcome.rejected.push({ id: r.id, reason: r.problem.detail ?? r.problem.title });
      }
      outcome.accepted += result.accepted.length;
      await this.writeState(state);
    }
    outcome.pending = todo.length - outcome.sent;
    // forget sessions that are gone from the journal (compacted away)
    const live = new Set(sessions.map((s) => s.id));
    let pruned = false;
    for (const id of Object.keys(state.acknowledged)) {
      if (!live.has(id)) {
        delete state.acknowledged[id];
        pruned = true;
      }
    }
    if (pruned) await this.writeState(state);
    return outcome;
  }
}
