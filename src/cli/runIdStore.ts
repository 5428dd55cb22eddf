// `spend-band run` keeps, per command line, the pre-flight that is waiting for an approval: its
// client_run_id and the exact question it asked. Running the same command again asks again with them,
// so the endpoint answers from the approved run_approval request (Bands API v1: the same client_run_id
// with the same body follows its request) instead of filing a new request each time. An entry is
// dropped once the run was allowed, denied or refused: the next run is a new run.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PreflightRequest } from '../domain/schemas';

/** A run_approval request expires after a day on the reference server; older entries are stale. */
export const PENDING_RUN_TTL_MS = 24 * 3_600_000;

export interface PendingRun {
  /** which command line it belongs to (the key's inputs, for a person reading the file) */
  command: string[];
  cwd: string;
  workflow: string;
  endpoint: string;
  request: PreflightRequest;
  explanation: string;
  request_id: string;
  saved_at: string;
}

export interface RunKey {
  command: readonly string[];
  cwd: string;
  workflow: string;
  /** the endpoint asked: a run waiting at one endpoint is not a run at another */
  endpoint: string;
}

function folder(cacheDir: string): string {
  return join(cacheDir, 'runs');
}

export function runKey(key: RunKey): string {
  return createHash('sha256')
    .update(JSON.stringify([resolve(key.cwd), key.workflow, key.endpoint, ...key.command]))
    .digest('hex')
    .slice(0, 32);
}

function read(path: string): PendingRun | undefined {
  try {
    const entry = JSON.parse(readFileSync(path, 'utf8')) as PendingRun;
    return typeof entry?.request?.client_run_id === 'string' && typeof entry.request_id === 'string'
      ? entry
      : undefined;
  } catch {
    return undefined;
  }
}

/** The pending run of this command line, if one was saved within the last day. */
export function loadPendingRun(cacheDir: string, key: RunKey, nowMs: number): PendingRun | undefined {
  const path = join(folder(cacheDir), `${runKey(key)}.json`);
  const entry = read(path);
  if (!entry) return undefined;
  if (nowMs - Date.parse(entry.saved_at) > PENDING_RUN_TTL_MS) {
    rmSync(path, { force: true });
    return undefined;
  }
  return entry;
}

/** The pending run with this client_run_id (for `run --run-id`), whatever its command line. */
export function findPendingRun(cacheDir: string, clientRunId: string): PendingRun | undefined {
  let names: string[];
  try {
    names = readdirSync(folder(cacheDir));
  } catch {
    return undefined;
  }
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const entry = read(join(folder(cacheDir), name));
    if (entry && entry.request.client_run_id.toLowerCase() === clientRunId.toLowerCase()) return entry;
  }
  return undefined;
}

export function savePendingRun(
  cacheDir: string,
  key: RunKey,
  entry: Omit<PendingRun, 'command' | 'cwd' | 'workflow' | 'endpoint'>,
): void {
  const dir = folder(cacheDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${runKey(key)}.json`);
  const tmp = `${path}.${process.pid}.tmp`;
  const full: PendingRun = {
    command: [...key.command],
    cwd: resolve(key.cwd),
    workflow: key.workflow,
    endpoint: key.endpoint,
    ...entry,
  };
  writeFileSync(tmp, `${JSON.stringify(full, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Drop the entry a pending run was saved under (found by key or by its run id). */
export function dropPendingRunOf(cacheDir: string, entry: PendingRun): void {
  dropPendingRun(cacheDir, entry);
}

export function dropPendingRun(cacheDir: string, key: RunKey): void {
  rmSync(join(folder(cacheDir), `${runKey(key)}.json`), { force: true });
}
