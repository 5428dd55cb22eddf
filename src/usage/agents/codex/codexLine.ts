// One Codex CLI rollout line → usage. `token_count` events carry the request's own counts
// (`last_token_usage`) and the session's running total (`total_token_usage`); the model comes from
// the latest `turn_context`. Codex re-emits a token_count with an unchanged total (after a rate-limit
// update, for instance): that event adds nothing. Cached input is part of input_tokens, reasoning is
// part of output_tokens, so input here is the uncached part.
import {
  ascii,
  decodeString,
  hashHi,
  hashLo,
  hashNumber,
  hashStart,
  hashText,
  keyIs,
  readUint,
  skipValue,
  stringEnd,
  walkObject,
  WALK_STOP,
} from '../jsonBytes';
import { LINE_CORRUPT, LINE_OTHER, LINE_USAGE, parseIsoTimestamp } from '../lineKinds';

const K_TYPE = ascii('type');
const K_TIMESTAMP = ascii('timestamp');
const K_PAYLOAD = ascii('payload');
/** line types that matter, as they appear between the quotes; event_msg first */
const INTERESTING = [ascii('event_msg'), ascii('turn_context'), ascii('session_meta')];
const K_TOKEN_COUNT = ascii('token_count');
const K_INFO = ascii('info');
const K_MODEL = ascii('model');
const K_CWD = ascii('cwd');
const K_TOTAL = ascii('total_token_usage');
const K_LAST = ascii('last_token_usage');
const USAGE_KEYS = [
  'input_tokens',
  'cached_input_tokens',
  'output_tokens',
  'reasoning_output_tokens',
  'total_tokens',
].map(ascii);

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

  private b: Buffer = Buffer.alloc(0);
  private end = 0;
  private typeOpen = -1;
  private typeClose = -1;
  private payloadStart = -1;
  private payloadEnd = -1;
  private timestampOpen = -1;
  private timestampClose = -1;

  private isTokenCount = false;
  private infoSeen = false;
  private hasTotal = false;
  private hasLast = false;
  private countsBad = false;
  private infoModel = '';
  private readonly total = [0, 0, 0, 0, 0];
  private readonly last = [0, 0, 0, 0, 0];
  private target: number[] = this.total;

  private readonly visitPayload = (ko: number, kc: number, v: number): number => {
    const b = this.b;
    if (keyIs(b, ko, kc, K_TYPE)) {
      if (b[v] !== 0x22) return -1;
      const close = stringEnd(b, v, this.end);
      if (close === -1) return -1;
      this.isTokenCount = keyIs(b, v, close, K_TOKEN_COUNT);
      return close + 1;
    }
    if (keyIs(b, ko, kc, K_INFO) && b[v] === 0x7b) {
      this.infoSeen = true;
      return walkObject(b, v, this.end, this.visitInfo);
    }
    if (keyIs(b, ko, kc, K_MODEL) && b[v] === 0x22) return this.readModel(v);
    return -1;
  };

  private readonly visitInfo = (ko: number, kc: number, v: number): number => {
    const b = this.b;
    if (b[v] === 0x7b && keyIs(b, ko, kc, K_TOTAL)) {
      this.hasTotal = true;
      return this.readCounts(this.total, v);
    }
    if (b[v] === 0x7b && keyIs(b, ko, kc, K_LAST)) {
      this.hasLast = true;
      return this.readCounts(this.last, v);
    }
    if (keyIs(b, ko, kc, K_MODEL) && b[v] === 0x22) return this.readModel(v);
    return -1;
  };

  /** `"model": "…"` in the payload or its info: the model of this token count. */
  private readModel(v: number): number {
    const close = stringEnd(this.b, v, this.end);
    if (close === -1) return -1;
    this.infoModel = decodeString(this.b, v, close);
    return close + 1;
  }

  /** A `total_token_usage` / `last_token_usage` object into `into`. */
  private readCounts(into: number[], v: number): number {
    this.target = into;
    into.fill(0);
    return walkObject(this.b, v, this.end, this.visitUsage);
  }

  private readonly visitUsage = (ko: number, kc: number, v: number): number => {
    const b = this.b;
    for (let k = 0; k < USAGE_KEYS.length; k++) {
      if (keyIs(b, ko, kc, USAGE_KEYS[k]!)) {
        if (b[v] === 0x6e) return -1; // null
        const value = readUint(b, v, this.end);
        if (value < 0) this.countsBad = true;
        else this.target[k] = value;
        return -1;
      }
    }
    return -1;
  };

  private contextCwd = '';

  private readonly visitContext = (ko: number, kc: number, v: number): number => {
    const b = this.b;
    const isModel = keyIs(b, ko, kc, K_MODEL);
    if ((isModel || keyIs(b, ko, kc, K_CWD)) && b[v] === 0x22) {
      const close = stringEnd(b, v, this.end);
      if (close === -1) return -1;
      if (isModel) this.infoModel = decodeString(b, v, close);
      else this.contextCwd = decodeString(b, v, close);
      return close + 1;
    }
    return -1;
  };

  private readonly visitTop = (ko: number, kc: number, v: number): number => {
    const b = this.b;
    if (keyIs(b, ko, kc, K_TYPE) || keyIs(b, ko, kc, K_TIMESTAMP)) {
      if (b[v] !== 0x22) return -1;
      const close = stringEnd(b, v, this.end);
      if (close === -1) return -1;
      if (kc - ko === 5) {
        this.typeOpen = v;
        this.typeClose = close;
        // Most lines are response items (whole files, command outputs): stop before their payload.
        let wanted = false;
        for (let k = 0; k < INTERESTING.length; k++) if (keyIs(b, v, close, INTERESTING[k]!)) wanted = true;
        if (!wanted) return WALK_STOP;
      } else {
        this.timestampOpen = v;
        this.timestampClose = close;
      }
      return close + 1;
    }
    if (keyIs(b, ko, kc, K_PAYLOAD)) {
      const after = skipValue(b, v, this.end);
      this.payloadStart = v;
      this.payloadEnd = after;
      return after;
    }
    return -1;
  };

  /**
   * The line b[start, end): its top level is walked without decoding (response items carry whole
   * files); only the payload of the few line types that matter is handed to JSON.parse.
   */
  parseBytes(b: Buffer, start: number, end: number): number {
    this.b = b;
    this.end = end;
    this.typeOpen =
      this.typeClose =
      this.payloadStart =
      this.payloadEnd =
      this.timestampOpen =
      this.timestampClose =
        -1;
    const walked = walkObject(b, start, end, this.visitTop);
    if (walked === WALK_STOP) return LINE_OTHER;
    if (walked === -1) return LINE_CORRUPT;
    if (this.typeOpen === -1 || this.payloadStart === -1 || b[this.payloadStart] !== 0x7b) return LINE_OTHER;
    let kind = -1;
    for (let k = 0; k < INTERESTING.length; k++) if (keyIs(b, this.typeOpen, this.typeClose, INTERESTING[k]!)) kind = k;
    if (kind === -1) return LINE_OTHER;
    const timestamp =
      this.timestampOpen === -1 ? NaN : parseIsoTimestamp(b, this.timestampOpen + 1, this.timestampClose);
    if (kind === 0) {
      // token_count events are the bulk of what matters: read their numbers from the bytes.
      this.isTokenCount = false;
      this.infoSeen = false;
      this.hasTotal = false;
      this.hasLast = false;
      this.infoModel = '';
      this.countsBad = false;
      if (walkObject(b, this.payloadStart, this.payloadEnd, this.visitPayload) === -1 || this.countsBad)
        return LINE_CORRUPT;
      if (!this.isTokenCount) return LINE_OTHER;
      if (this.infoModel) this.state.model = this.infoModel;
      return this.tokenCount(
        timestamp,
        this.hasTotal ? this.total.slice() : null,
        this.hasLast ? this.last.slice() : null,
        this.infoSeen,
      );
    }
    if (kind === 1) {
      // turn_context: once per turn; only its model and cwd matter.
      this.infoModel = '';
      this.contextCwd = '';
      if (walkObject(b, this.payloadStart, this.payloadEnd, this.visitContext) === -1) return LINE_CORRUPT;
      if (this.infoModel) this.state.model = this.infoModel;
      if (this.contextCwd) this.state.cwd = this.contextCwd;
      return LINE_OTHER;
    }
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(b.toString('utf8', this.payloadStart, this.payloadEnd)) as Record<string, unknown>;
    } catch {
      return LINE_CORRUPT;
    }
    return this.apply(b.toString('latin1', this.typeOpen + 1, this.typeClose), payload);
  }

  /** session_meta and turn_context: where the session runs and which model it uses. */
  private apply(type: unknown, payload: Record<string, unknown>): number {
    const state = this.state;
    if (type === 'session_meta') {
      if (typeof payload.id === 'string' && payload.id) state.sessionId = payload.id;
      if (typeof payload.cwd === 'string') state.cwd = payload.cwd;
      if (typeof payload.model === 'string' && payload.model) state.model = payload.model;
      return LINE_OTHER;
    }
    if (type === 'turn_context') {
      if (typeof payload.model === 'string' && payload.model) state.model = payload.model;
      if (typeof payload.cwd === 'string' && payload.cwd) state.cwd = payload.cwd;
      return LINE_OTHER;
    }
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
