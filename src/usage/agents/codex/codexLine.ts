// One Codex CLI rollout line → usage. `token_count` events carry the request's own counts
// (`last_token_usage`) and the session's running total (`total_token_usage`); the model comes from
// the latest `turn_context`. Codex re-emits a token_count with an unchanged total (after a rate-limit
// update, for instance): that event adds nothing. Cached input is part of input_tokens, reasoning is
// part of output_tokens, so input here is the uncached part.
//
// The walk over the line's bytes is lineWalk.c, compiled to WebAssembly (see lineWalker.ts): the top
// level without decoding (response items carry whole files, and the walk stops at their type), then
// the payload of a token_count event or a turn_context; a session_meta payload (once a file) goes to
// JSON.parse here.
import { hashHi, hashLo, hashNumber, hashStart, hashText, WALK_STOP } from '../jsonBytes';
import { LINE_CORRUPT, LINE_OTHER, LINE_USAGE } from '../lineKinds';
import { walkerFor } from '../lineWalker';

// What the walk reports (lineWalk.c `CQ_*`, `CN_*`, `CF_*`, `KIND_*`): quote slots (the payload's
// slot holds its first byte and the index after it), the two count objects, flags.
const CQ_TIMESTAMP = 2;
const CQ_PAYLOAD = 4;
const CQ_MODEL = 6;
const CQ_CWD = 8;
const CN_TOTAL = 0;
const CN_LAST = 5;
const CF_TOKEN_COUNT = 0;
const CF_INFO_SEEN = 1;
const CF_HAS_TOTAL = 2;
const CF_HAS_LAST = 3;
const CF_COUNTS_BAD = 4;
const CF_KIND = 5;
const CF_PAYLOAD_WALK = 6;
const KIND_EVENT = 0;
const KIND_CONTEXT = 1;
const KIND_SESSION_META = 2;

/** What a rollout file's reading carries from one line (and one scan) to the next. */
export interface CodexFileState {
  sessionId: string;
  cwd: string;
  model: string;
  /** the last total_token_usage: input, cached input, output, reasoning, total */
  previousTotal: number[] | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** rollout-2025-09-01T10-00-00-<uuid>.jsonl → <uuid>; other names → the name without .jsonl */
export function codexSessionIdFromPath(path: string): string {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).replace(/\.jsonl$/, '');
  const tail = name.slice(-36);
  return UUID.test(tail) ? tail.toLowerCase() : name;
}

export function newCodexState(path: string): CodexFileState {
  return { sessionId: codexSessionIdFromPath(path), cwd: '', model: '', previousTotal: null };
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
  /** Codex logs no cache writes: always 0 */
  readonly cacheWrite1h = 0;
  /** Codex logs no speed: always false */
  readonly fast = false;
  keyHi = 0;
  keyLo = 0;

  constructor(public state: CodexFileState) {}

  /** The line b[start, end). */
  parseBytes(b: Buffer, start: number, end: number): number {
    const w = walkerFor(b.buffer);
    const walked = w.walkCodex(b, start, end);
    if (walked === WALK_STOP) return LINE_OTHER;
    if (walked === -1) return LINE_CORRUPT;
    const kind = w.flags[CF_KIND]!;
    const q = w.quotes;
    if (kind === KIND_EVENT) {
      // token_count events are the bulk of what matters: their numbers are read from the bytes.
      if (w.flags[CF_PAYLOAD_WALK] === -1 || w.flags[CF_COUNTS_BAD] !== 0) return LINE_CORRUPT;
      if (w.flags[CF_TOKEN_COUNT] === 0) return LINE_OTHER;
      const model = w.stringAt(b, start, CQ_MODEL);
      if (model) this.state.model = model;
      const timestamp = w.timeAt(b, start, CQ_TIMESTAMP);
      const n = w.numbers;
      const counts = (at: number) => [n[at]!, n[at + 1]!, n[at + 2]!, n[at + 3]!, n[at + 4]!];
      return this.tokenCount(
        timestamp,
        w.flags[CF_HAS_TOTAL] !== 0 ? counts(CN_TOTAL) : null,
        w.flags[CF_HAS_LAST] !== 0 ? counts(CN_LAST) : null,
        w.flags[CF_INFO_SEEN] !== 0,
      );
    }
    if (kind === KIND_CONTEXT) {
      // turn_context: once per turn; only its model and cwd matter.
      if (w.flags[CF_PAYLOAD_WALK] === -1) return LINE_CORRUPT;
      const model = w.stringAt(b, start, CQ_MODEL);
      const cwd = w.stringAt(b, start, CQ_CWD);
      if (model) this.state.model = model;
      if (cwd) this.state.cwd = cwd;
      return LINE_OTHER;
    }
    if (kind !== KIND_SESSION_META) return LINE_OTHER;
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(b.toString('utf8', q[CQ_PAYLOAD]! + start, q[CQ_PAYLOAD + 1]! + start)) as Record<
        string,
        unknown
      >;
    } catch {
      return LINE_CORRUPT;
    }
    // session_meta: where the session runs and which model it uses.
    const state = this.state;
    if (typeof payload.id === 'string' && payload.id) state.sessionId = payload.id;
    if (typeof payload.cwd === 'string') state.cwd = payload.cwd;
    if (typeof payload.model === 'string' && payload.model) state.model = payload.model;
    return LINE_OTHER;
  }

  /** A token_count event: `total` is the running total_token_usage, `last` this request's counts. */
  private tokenCount(timestampMs: number, total: number[] | null, last: number[] | null, infoSeen: boolean): number {
    if (!infoSeen) return LINE_OTHER; // a rate-limit-only event
    if (!Number.isFinite(timestampMs)) return LINE_CORRUPT;
    const state = this.state;
    const advanced = total === null || !sameUsage(state.previousTotal, total);
    let raw: number[] | null = null;
    if (advanced && last) raw = last;
    else if (total) raw = total.map((v, i) => Math.max(0, v - (state.previousTotal?.[i] ?? 0)));
    if (total) state.previousTotal = total;
    if (!raw || (raw[0] === 0 && raw[1] === 0 && raw[2] === 0 && raw[3] === 0)) return LINE_OTHER;
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
    hashText('codex\u0000');
    hashText(state.sessionId);
    if (total) {
      for (let i = 0; i < 5; i++) hashNumber(total[i]!);
    } else {
      hashNumber(timestampMs);
      for (let i = 0; i < 5; i++) hashNumber(raw[i]!);
    }
    this.keyHi = hashHi();
    this.keyLo = hashLo();
    return LINE_USAGE;
  }
}
