// One Codex CLI rollout line → usage. `token_count` events carry the request's own counts
// (`last_token_usage`) and the session's running total (`total_token_usage`); the model comes from
// the latest `turn_context`. Codex re-emits a token_count with an unchanged total (after a rate-limit
// update, for instance): that event adds nothing. Cached input is part of input_tokens, reasoning is
// part of output_tokens, so input here is the uncached part.
import { hashHi, hashLo, hashStart, hashText } from './jsonBytes';
import { LINE_CORRUPT, LINE_OTHER, LINE_USAGE } from './claudeLine';

/** What a rollout file's reading carries from one line (and one scan) to the next. */
export interface CodexFileState {
  sessionId: string;
  cwd: string;
  model: string;
  /** the last total_token_usage: input, cached input, output, reasoning, total */
  previousTotal: number[] | null;
}

/** rollout-2025-09-01T10-00-00-<uuid>.jsonl → <uuid>; other names → the name without .jsonl */
export function codexSessionIdFromPath(path: string): string {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).replace(/\.jsonl$/, '');
  const uuid = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(name);
  return uuid ? uuid[1]!.toLowerCase() : name;
}

export function newCodexState(path: string): CodexFileState {
  return { sessionId: codexSessionIdFromPath(path), cwd: '', model: '', previousTotal: null };
}

interface RawUsage {
  input_tokens?: unknown;
  cached_input_tokens?: unknown;
  output_tokens?: unknown;
  reasoning_output_tokens?: unknown;
  total_tokens?: unknown;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

function toArray(u: RawUsage): number[] {
  return [count(u.input_tokens), count(u.cached_input_tokens), count(u.output_tokens), count(u.reasoning_output_tokens), count(u.total_tokens)];
}

function sameUsage(a: readonly number[] | null, b: readonly number[]): boolean {
  if (!a) return false;
  for (let i = 0; i < 5; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class CodexLineParser {
  timestampMs = 0;
  model = '';
  sessionId = '';
  cwd = '';
  input = 0;
  output = 0;
  cacheRead = 0;
  cacheWrite = 0;
  keyHi = 0;
  keyLo = 0;

  constructor(public state: CodexFileState) {}

  /** `text` is one line; returns LINE_USAGE when the line added usage (fields set), else OTHER/CORRUPT. */
  parse(text: string): number {
    let line: { timestamp?: unknown; type?: unknown; payload?: Record<string, unknown> };
    try {
      line = JSON.parse(text) as typeof line;
    } catch {
      return LINE_CORRUPT;
    }
    if (!line || typeof line !== 'object') return LINE_CORRUPT;
    const payload = line.payload && typeof line.payload === 'object' ? line.payload : undefined;
    if (!payload) return LINE_OTHER;
    const state = this.state;
    if (line.type === 'session_meta') {
      if (typeof payload.id === 'string' && payload.id) state.sessionId = payload.id;
      if (typeof payload.cwd === 'string') state.cwd = payload.cwd;
      if (typeof payload.model === 'string' && payload.model) state.model = payload.model;
      return LINE_OTHER;
    }
    if (line.type === 'turn_context') {
      if (typeof payload.model === 'string' && payload.model) state.model = payload.model;
      if (typeof payload.cwd === 'string' && payload.cwd) state.cwd = payload.cwd;
      return LINE_OTHER;
    }
    if (line.type !== 'event_msg' || payload.type !== 'token_count') return LINE_OTHER;
    const info = payload.info as { total_token_usage?: RawUsage; last_token_usage?: RawUsage; model?: unknown } | null | undefined;
    if (!info || typeof info !== 'object') return LINE_OTHER; // a rate-limit-only event
    const timestampMs = typeof line.timestamp === 'string' ? Date.parse(line.timestamp) : NaN;
    if (!Number.isFinite(timestampMs)) return LINE_CORRUPT;
    const total = info.total_token_usage && typeof info.total_token_usage === 'object' ? toArray(info.total_token_usage) : null;
    const advanced = total === null || !sameUsage(state.previousTotal, total);
    let raw: number[] | null = null;
    if (advanced && info.last_token_usage && typeof info.last_token_usage === 'object') raw = toArray(info.last_token_usage);
    else if (total) raw = total.map((v, i) => Math.max(0, v - (state.previousTotal?.[i] ?? 0)));
    if (total) state.previousTotal = total;
    if (!raw || (raw[0] === 0 && raw[1] === 0 && raw[2] === 0 && raw[3] === 0)) return LINE_OTHER;
    if (typeof info.model === 'string' && info.model) state.model = info.model;
    if (typeof payload.model === 'string' && payload.model) state.model = payload.model;
    const cached = Math.min(raw[1]!, raw[0]!);
    this.timestampMs = timestampMs;
    this.model = state.model || 'unknown';
    this.sessionId = state.sessionId;
    this.cwd = state.cwd;
    this.input = raw[0]! - cached;
    this.cacheRead = cached;
    this.output = raw[2]!;
    this.cacheWrite = 0;
    // The running total identifies the event within its session, so the same rollout read again
    // (moved to archived_sessions/, rewritten, copied) adds nothing.
    hashStart();
    hashText(`codex\u0000${state.sessionId}\u0000`);
    hashText(total ? total.join(',') : `${timestampMs},${raw.join(',')}`);
    this.keyHi = hashHi();
    this.keyLo = hashLo();
    return LINE_USAGE;
  }
}
