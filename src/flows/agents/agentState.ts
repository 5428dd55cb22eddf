// The agent-state file: what the agents say about themselves, recorded by `spend-band statusline`
// from Claude Code's statusLine JSON (https://code.claude.com/docs/en/statusline): per session its
// `cost.total_cost_usd` and model, and the plan's `rate_limits` (five_hour / seven_day
// used_percentage and resets_at) where the plan has them. These are the agent's official figures;
// the extension shows them beside our estimate, and `spend-band hook claude` estimates a run from
// the recent sessions' costs. One small JSON file in the cache folder, written whole to a temp
// file and renamed, so a reader never sees half of it. No zod here: the hook and the status line
// must start fast, so the shape is checked by hand.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const AGENT_STATE_FILE = 'agent-state.json';
const MAX_SESSIONS = 200;

export interface RateLimitWindow {
  /** 0–100 */
  usedPercent: number;
  /** ISO date-time, when the agent gave one */
  resetsAt?: string;
}

export interface AgentSession {
  agent: 'claude_code';
  model?: string;
  /** the agent's own session cost, in micros of USD (official: computed by the agent) */
  costMicros?: number;
  updatedAt: string;
}

export interface AgentState {
  version: 1;
  updatedAt: string;
  /** session id → its latest official figures */
  sessions: Record<string, AgentSession>;
  /** the plan's windows as the agent last reported them (five_hour, seven_day, …) */
  rateLimits?: Record<string, RateLimitWindow>;
  rateLimitsAt?: string;
  /** other folders with cached bands (the extension's), so the status line and the hook see them */
  bandsCacheDirs?: string[];
}

/** The CLI's cache folder (cli/paths.ts cacheDir without a flag), where the status line records. */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  return env.SPEND_BAND_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'spend-band');
}

export function agentStatePath(cacheDir: string): string {
  return join(cacheDir, AGENT_STATE_FILE);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The state file, or an empty state when it is missing or not ours (never throws). */
export function readAgentState(cacheDir: string): AgentState {
  const empty: AgentState = { version: 1, updatedAt: new Date(0).toISOString(), sessions: {} };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(agentStatePath(cacheDir), 'utf8'));
  } catch {
    return empty;
  }
  if (!isRecord(json) || json.version !== 1 || !isRecord(json.sessions) || typeof json.updatedAt !== 'string')
    return empty;
  const sessions: Record<string, AgentSession> = {};
  for (const [id, s] of Object.entries(json.sessions)) {
    if (!isRecord(s) || typeof s.updatedAt !== 'string') continue;
    sessions[id] = {
      agent: 'claude_code',
      updatedAt: s.updatedAt,
      ...(typeof s.model === 'string' ? { model: s.model } : {}),
      ...(Number.isSafeInteger(s.costMicros) && (s.costMicros as number) >= 0
        ? { costMicros: s.costMicros as number }
        : {}),
    };
  }
  const state: AgentState = { version: 1, updatedAt: json.updatedAt, sessions };
  if (isRecord(json.rateLimits)) {
    const windows: Record<string, RateLimitWindow> = {};
    for (const [name, w] of Object.entries(json.rateLimits)) {
      if (isRecord(w) && typeof w.usedPercent === 'number' && Number.isFinite(w.usedPercent)) {
        windows[name] = {
          usedPercent: w.usedPercent,
          ...(typeof w.resetsAt === 'string' ? { resetsAt: w.resetsAt } : {}),
        };
      }
    }
    state.rateLimits = windows;
    if (typeof json.rateLimitsAt === 'string') state.rateLimitsAt = json.rateLimitsAt;
  }
  if (Array.isArray(json.bandsCacheDirs))
    state.bandsCacheDirs = json.bandsCacheDirs.filter((d): d is string => typeof d === 'string').slice(0, 8);
  return state;
}

/** The official figures in one statusLine JSON object (fields the docs name; others ignored). */
export function officialFromStatusLine(input: unknown): {
  sessionId?: string;
  model?: string;
  costMicros?: number;
  rateLimits?: Record<string, RateLimitWindow>;
} {
  if (!isRecord(input)) return {};
  const out: { sessionId?: string; model?: string; costMicros?: number; rateLimits?: Record<string, RateLimitWindow> } =
    {};
  if (typeof input.session_id === 'string' && input.session_id.length <= 200) out.sessionId = input.session_id;
  const model = isRecord(input.model) ? (input.model.display_name ?? input.model.id) : undefined;
  if (typeof model === 'string') out.model = model.slice(0, 100);
  const cost = isRecord(input.cost) ? input.cost.total_cost_usd : undefined;
  if (typeof cost === 'number' && Number.isFinite(cost) && cost >= 0) out.costMicros = Math.round(cost * 1_000_000);
  if (isRecord(input.rate_limits)) {
    const windows: Record<string, RateLimitWindow> = {};
    for (const [name, w] of Object.entries(input.rate_limits)) {
      if (!isRecord(w)) continue;
      const used = w.used_percentage;
      if (typeof used !== 'number' || !Number.isFinite(used)) continue;
      const reset = w.resets_at;
      // resets_at is epoch seconds in the docs' example; an ISO string is taken as is.
      const resetsAt =
        typeof reset === 'number' && Number.isFinite(reset)
          ? new Date(reset * 1000).toISOString()
          : typeof reset === 'string' && !Number.isNaN(Date.parse(reset))
            ? reset
            : undefined;
      windows[name.slice(0, 40)] = { usedPercent: used, ...(resetsAt ? { resetsAt } : {}) };
    }
    if (Object.keys(windows).length > 0) out.rateLimits = windows;
  }
  return out;
}

/** Merge one statusLine reading into the state and write it back (atomic rename). */
export function recordOfficial(
  cacheDir: string,
  official: ReturnType<typeof officialFromStatusLine>,
  now: Date,
): AgentState {
  const state = readAgentState(cacheDir);
  const at = now.toISOString();
  let changed = false;
  if (official.sessionId !== undefined) {
    const before = state.sessions[official.sessionId];
    const model = official.model ?? before?.model;
    const costMicros = official.costMicros ?? before?.costMicros;
    const next: AgentSession = {
      agent: 'claude_code',
      updatedAt: at,
      ...(model !== undefined ? { model } : {}),
      ...(costMicros !== undefined ? { costMicros } : {}),
    };
    changed = !before || before.costMicros !== next.costMicros || before.model !== next.model;
    state.sessions[official.sessionId] = next;
    const ids = Object.keys(state.sessions);
    if (ids.length > MAX_SESSIONS) {
      ids.sort((a, b) => (state.sessions[a]!.updatedAt < state.sessions[b]!.updatedAt ? -1 : 1));
      for (const id of ids.slice(0, ids.length - MAX_SESSIONS)) delete state.sessions[id];
    }
  }
  if (official.rateLimits) {
    changed ||= JSON.stringify(official.rateLimits) !== JSON.stringify(state.rateLimits);
    state.rateLimits = official.rateLimits;
    state.rateLimitsAt = at;
  }
  // The status line runs after every message: rewrite only what changed (and at most every 10 s otherwise).
  if (!changed && Date.parse(state.updatedAt) > now.getTime() - 10_000) return state;
  state.updatedAt = at;
  writeAgentState(cacheDir, state);
  return state;
}

function writeAgentState(cacheDir: string, state: AgentState): void {
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const target = agentStatePath(cacheDir);
  // (pid and Math.random, not node:crypto: loading that took the status line ~15 ms for four bytes)
  const temp = `${target}.${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`;
  writeFileSync(temp, JSON.stringify(state), { mode: 0o600 });
  renameSync(temp, target);
}

/** The extension names the folder where it caches bands, once; the newest cached document wins. */
export function rememberBandsCacheDir(cacheDir: string, dir: string, now: Date): void {
  const state = readAgentState(cacheDir);
  if (state.bandsCacheDirs?.includes(dir)) return;
  state.bandsCacheDirs = [dir, ...(state.bandsCacheDirs ?? [])].slice(0, 8);
  state.updatedAt = now.toISOString();
  writeAgentState(cacheDir, state);
}

/** Recent sessions' official costs, newest first (for an estimate from history). */
export function recentSessionCosts(state: AgentState, limit = 30): number[] {
  return Object.values(state.sessions)
    .filter((s) => s.costMicros !== undefined && s.costMicros > 0)
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))
    .slice(0, limit)
    .map((s) => s.costMicros!);
}

/**
 * The newest bands document the CLI (in `cacheDir`) or the extension (in a folder it remembered here)
 * cached (api/bandsCache.ts writes `bands-<digest>.json` with `document` and `fetched_at`), read
 * without zod; undefined when none. `state`: the agent state already read, if the caller has it.
 */
export function newestCachedBands(
  cacheDir: string,
  state: AgentState = readAgentState(cacheDir),
): { document: CachedDocument; fetchedAt: string } | undefined {
  let best: { document: CachedDocument; fetchedAt: string; mtime: number } | undefined;
  for (const dir of [cacheDir, ...(state.bandsCacheDirs ?? [])]) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => /^bands-[0-9a-f]{24}\.json$/.test(n));
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      try {
        const mtime = statSync(path).mtimeMs;
        if (best && mtime <= best.mtime) continue;
        const json: unknown = JSON.parse(readFileSync(path, 'utf8'));
        if (
          !isRecord(json) ||
          !isRecord(json.document) ||
          !Array.isArray(json.document.bands) ||
          typeof json.fetched_at !== 'string'
        )
          continue;
        best = { document: json.document as unknown as CachedDocument, fetchedAt: json.fetched_at, mtime };
      } catch {
        // a file being replaced or unreadable: the next one will do
      }
    }
  }
  return best ? { document: best.document, fetchedAt: best.fetchedAt } : undefined;
}

/** The parts of a cached BandsDocument the hook and the status line read. */
export interface CachedDocument {
  bands: Array<{
    id: string;
    workflow: string;
    label?: string;
    allocated: { currency: string; amount_micros: number };
    used: { currency: string; amount_micros: number };
    remaining: { currency: string; amount_micros: number };
    period: { start: string; end: string; interval?: string; timezone?: string };
    [key: string]: unknown;
  }>;
  [key: string]: unknown;
}
