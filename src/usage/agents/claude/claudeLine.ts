// One Claude Code transcript line → the usage it carries. Assistant lines hold `message.usage`,
// `message.model`, `message.id`, `requestId`, `timestamp`, `sessionId`, `cwd`; the walk reads those
// members at their own nesting level only (a tool input may well contain a "model" or "usage" key of
// its own) and skips everything else without decoding it.
//
// Two shortcuts keep the walk off the bulk of the bytes (a transcript is mostly message content):
//   - a user line (top-level `type` "user", or `message.role` "user") carries no usage: the walk
//     stops there, so a tool result of megabytes costs the few hundred bytes before it;
//   - the content of an assistant message is not walked: the message's `usage` is its last member,
//     so the walk jumps from the content to the last `,"usage":` of the line and reads on from there.
//     The jump is kept only if the rest of the line then closes exactly at its end (a `usage` found
//     at another depth leaves brackets over or short) and the skipped bytes hold no second start of
//     a line (a line cut short by a crash, then continued by the next one); otherwise the line is
//     walked again in full. See `contentJump`.
import {
  ascii,
  closeBeforeScalarMembers,
  hashBytes,
  hashHi,
  hashLo,
  hashStart,
  keyIs,
  readUint,
  stringEnd,
  walkObject,
  WALK_STOP,
} from '../jsonBytes';
import { LINE_CORRUPT, LINE_OTHER, LINE_USAGE, parseIsoTimestamp } from '../lineKinds';

const K_MESSAGE = ascii('message');
const K_TIMESTAMP = ascii('timestamp');
const K_SESSION = ascii('sessionId');
const K_REQUEST = ascii('requestId');
const K_CWD = ascii('cwd');
const K_ID = ascii('id');
const K_MODEL = ascii('model');
const K_USAGE = ascii('usage');
const K_INPUT = ascii('input_tokens');
const K_OUTPUT = ascii('output_tokens');
const K_CACHE_WRITE = ascii('cache_creation_input_tokens');
const K_CACHE_READ = ascii('cache_read_input_tokens');
const K_CACHE_CREATION = ascii('cache_creation');
const K_EPHEMERAL_1H = ascii('ephemeral_1h_input_tokens');
const K_EPHEMERAL_5M = ascii('ephemeral_5m_input_tokens');
const K_SPEED = ascii('speed');
const K_DATA = ascii('data');
const K_TYPE = ascii('type');
const K_ROLE = ascii('role');
const K_CONTENT = ascii('content');
const FAST = ascii('fast');
const USER = ascii('user');
/** a message member named usage, as it appears after the member before it */
const USAGE_MEMBER = Buffer.from(',"usage":');

// The string fields whose quote positions a line keeps (two slots each: open, close).
const MODEL = 0;
const SESSION = 2;
const CWD = 4;
const MESSAGE_ID = 6;
const REQUEST = 8;
const FIELDS = 10;

export class ClaudeLineParser {
  // The fields of the last parsed line (reused, so a scan allocates no object per line).
  timestampMs = 0;
  /**
   * Quote positions of the string fields in `b`, open and close at FIELD and FIELD + 1 (-1 when
   * absent); the record builder decodes them only when they change.
   */
  private readonly quotes = new Int32Array(FIELDS).fill(-1);
  get modelOpen(): number {
    return this.quotes[MODEL]!;
  }
  get modelClose(): number {
    return this.quotes[MODEL + 1]!;
  }
  get sessionOpen(): number {
    return this.quotes[SESSION]!;
  }
  get sessionClose(): number {
    return this.quotes[SESSION + 1]!;
  }
  get cwdOpen(): number {
    return this.quotes[CWD]!;
  }
  get cwdClose(): number {
    return this.quotes[CWD + 1]!;
  }
  input = 0;
  output = 0;
  cacheRead = 0;
  cacheWrite = 0;
  /** the part of cacheWrite written with the 1-hour lifetime (`usage.cache_creation.ephemeral_1h_input_tokens`) */
  cacheWrite1h = 0;
  /** `usage.speed: "fast"`: the vendor's fast mode, priced apart */
  fast = false;
  /** 64-bit dedupe key: message.id + requestId, or the line's bytes when it has no message.id */
  keyHi = 0;
  keyLo = 0;

  b: Buffer = Buffer.alloc(0);
  private end = 0;
  private hasUsage = false;
  private bad = false;
  private cacheWrite5m = 0;
  /** the sub-agent's own timestamp on a progress line (NaN when none) */
  private innerTimestampMs = NaN;

  /** the content jump may be tried (not on a second walk, not inside a progress line's data) */
  private jumpAllowed = true;
  /** the content jump was taken on this walk */
  private jumped = false;
  /** where the line starts, and the end of its first key (`{"parentUuid":`), for the jump's check */
  private lineStart = 0;
  private firstKeyEnd = -1;

  private readonly visitTop = (ko: number, kc: number, v: number): number => {
    const b = this.b;
    if (this.firstKeyEnd === -1) this.firstKeyEnd = kc + 2;
    if (keyIs(b, ko, kc, K_MESSAGE)) return walkObject(b, v, this.end, this.visitMessage);
    if (keyIs(b, ko, kc, K_TYPE)) return this.stopOnUser(v);
    // A `progress` line of the parent transcript carries a sub-agent's assistant message in
    // data.message (its message, requestId and timestamp): counted on the same keys as the line in
    // the sub-agent's own file, so once whether or not that file exists.
    if (keyIs(b, ko, kc, K_DATA)) return b[v] === 0x7b ? walkObject(b, v, this.end, this.visitData) : -1;
    if (keyIs(b, ko, kc, K_TIMESTAMP)) {
      const close = this.str(v);
      if (close === -1) return -1;
      this.timestampMs = parseIsoTimestamp(b, v + 1, close);
      return close + 1;
    }
    if (keyIs(b, ko, kc, K_SESSION)) return this.keep(v, SESSION);
    if (keyIs(b, ko, kc, K_REQUEST)) return this.keep(v, REQUEST);
    if (keyIs(b, ko, kc, K_CWD)) return this.keep(v, CWD);
    return -1;
  };

  private readonly visitData = (ko: number, kc: number, v: number): number => {
    this.jumpAllowed = false;
    if (keyIs(this.b, ko, kc, K_MESSAGE))
      return this.b[v] === 0x7b ? walkObject(this.b, v, this.end, this.visitProgressMessage) : -1;
    return -1;
  };

  /** data.message of a progress line: the sub-agent's line (message, requestId, timestamp). */
  private readonly visitProgressMessage = (ko: number, kc: number, v: number): number => {
    const b = this.b;
    if (keyIs(b, ko, kc, K_MESSAGE)) return b[v] === 0x7b ? walkObject(b, v, this.end, this.visitMessage) : -1;
    if (keyIs(b, ko, kc, K_REQUEST)) return this.keep(v, REQUEST);
    if (keyIs(b, ko, kc, K_TIMESTAMP)) {
      const close = this.str(v);
      if (close === -1) return -1;
      this.innerTimestampMs = parseIsoTimestamp(b, v + 1, close);
      return close + 1;
    }
    return -1;
  };

  private readonly visitMessage = (ko: number, kc: number, v: number): number => {
    const b = this.b;
    if (keyIs(b, ko, kc, K_USAGE)) {
      this.hasUsage = true;
      return walkObject(b, v, this.end, this.visitUsage);
    }
    if (keyIs(b, ko, kc, K_ID)) return this.keep(v, MESSAGE_ID);
    if (keyIs(b, ko, kc, K_MODEL)) return this.keep(v, MODEL);
    if (keyIs(b, ko, kc, K_ROLE)) return this.stopOnUser(v);
    if (this.jumpAllowed && b[v] === 0x5b && keyIs(b, ko, kc, K_CONTENT)) return this.contentJump(v);
    return -1;
  };

  /**
   * The content array at `v`: instead of walking it, answer the index of the comma before the
   * line's last `,"usage":`, so that the walk reads the usage next. -1 (walk the content) when there
   * is none after `v`, or when the bytes skipped contain the line's own first key again: a line cut
   * short and continued by the next one, which the full walk reports as corrupt.
   */
  private contentJump(v: number): number {
    const b = this.b;
    const tail = b.subarray(v, this.end);
    const at = tail.lastIndexOf(USAGE_MEMBER);
    if (at <= 0) return -1;
    // Between the content and the usage only members with plain values (stop_reason, stop_sequence):
    // a `usage` inside another object (a later top-level member's) has an object's start before it.
    if (closeBeforeScalarMembers(b, v + at, v) === -1) return -1;
    const firstKey = this.firstKeyEnd - this.lineStart;
    if (firstKey > 3 && tail.subarray(0, at).indexOf(b.subarray(this.lineStart, this.firstKeyEnd)) !== -1) return -1;
    this.jumped = true;
    return v + at;
  }

  private readonly visitUsage = (ko: number, kc: number, v: number): number => {
    const b = this.b;
    let field = -1;
    if (keyIs(b, ko, kc, K_INPUT)) field = 0;
    else if (keyIs(b, ko, kc, K_OUTPUT)) field = 1;
    else if (keyIs(b, ko, kc, K_CACHE_READ)) field = 2;
    else if (keyIs(b, ko, kc, K_CACHE_WRITE)) field = 3;
    if (field === -1) {
      if (keyIs(b, ko, kc, K_CACHE_CREATION))
        return b[v] === 0x7b ? walkObject(b, v, this.end, this.visitCacheCreation) : -1;
      if (keyIs(b, ko, kc, K_SPEED)) {
        const close = this.str(v);
        if (close === -1) return -1;
        this.fast = keyIs(b, v, close, FAST);
        return close + 1;
      }
      return -1;
    }
    if (b[v] === 0x6e /* null */) return -1;
    const value = readUint(b, v, this.end);
    if (value < 0) {
      this.bad = true;
      return -1;
    }
    if (field === 0) this.input = value;
    else if (field === 1) this.output = value;
    else if (field === 2) this.cacheRead = value;
    else this.cacheWrite = value;
    return -1; // let the walker skip the number
  };

  private readonly visitCacheCreation = (ko: number, kc: number, v: number): number => {
    const b = this.b;
    const oneHour = keyIs(b, ko, kc, K_EPHEMERAL_1H);
    if (!oneHour && !keyIs(b, ko, kc, K_EPHEMERAL_5M)) return -1;
    if (b[v] === 0x6e /* null */) return -1;
    const value = readUint(b, v, this.end);
    if (value < 0) {
      this.bad = true;
      return -1;
    }
    if (oneHour) this.cacheWrite1h = value;
    else this.cacheWrite5m = value;
    return -1;
  };

  /**
   * A top-level `type` or a `message.role` at `v`: "user" ends the walk (a user line carries no
   * usage, and its tool results are the bulk of a transcript); anything else is read past.
   */
  private stopOnUser(v: number): number {
    const close = this.str(v);
    if (close === -1) return -1;
    return keyIs(this.b, v, close, USER) ? WALK_STOP : close + 1;
  }

  /** The string value at `v` is the field at `slot`: its quotes kept, the index after it returned (-1 for a non-string, left to the walker). */
  private keep(v: number, slot: number): number {
    const close = this.str(v);
    if (close === -1) return -1;
    this.quotes[slot] = v;
    this.quotes[slot + 1] = close;
    return close + 1;
  }

  /** The closing quote of a string value at `v`, or -1 (a non-string value is left to the walker). */
  private str(v: number): number {
    if (this.b[v] !== 0x22) return -1;
    return stringEnd(this.b, v, this.end);
  }

  /** Parse the line b[start, end) (without its newline). */
  parse(b: Buffer, start: number, end: number): number {
    const status = this.walk(b, start, end, true);
    // A line the jump could not read (or read to no usage) is walked again in full, so that the
    // jump never decides what a line holds.
    if (this.jumped && status !== LINE_USAGE) return this.walk(b, start, end, false);
    return status;
  }

  private walk(b: Buffer, start: number, end: number, jump: boolean): number {
    this.b = b;
    this.jumpAllowed = jump;
    this.jumped = false;
    this.lineStart = start;
    this.firstKeyEnd = -1;
    this.end = end;
    this.hasUsage = false;
    this.bad = false;
    this.timestampMs = NaN;
    this.quotes.fill(-1);
    this.input = this.output = this.cacheRead = this.cacheWrite = this.cacheWrite1h = this.cacheWrite5m = 0;
    this.fast = false;
    this.innerTimestampMs = NaN;
    const after = walkObject(b, start, end, this.visitTop);
    if (after === WALK_STOP) return LINE_OTHER;
    // Trailing bytes after the object: the jump landed at another depth, or the line is corrupt.
    if (after === -1 || after !== end) return LINE_CORRUPT;
    if (!this.hasUsage) return LINE_OTHER;
    // On a progress line, the sub-agent's message time (as in its own file) over the progress line's.
    if (Number.isFinite(this.innerTimestampMs)) this.timestampMs = this.innerTimestampMs;
    if (this.bad || !Number.isFinite(this.timestampMs)) return LINE_CORRUPT;
    // cache_creation_input_tokens is the total of the writes; the split says which lifetime each had.
    // A line with the split and no total (or a smaller one) counts the split.
    if (this.cacheWrite < this.cacheWrite5m + this.cacheWrite1h)
      this.cacheWrite = this.cacheWrite5m + this.cacheWrite1h;
    hashStart();
    const q = this.quotes;
    if (q[MESSAGE_ID] !== -1) {
      hashBytes(b, q[MESSAGE_ID]! + 1, q[MESSAGE_ID + 1]!);
      if (q[REQUEST] !== -1) {
        hashBytes(ZERO, 0, 1);
        hashBytes(b, q[REQUEST]! + 1, q[REQUEST + 1]!);
      }
    } else {
      // No id to dedupe on: the same line read twice (a rewritten file) still counts once.
      hashBytes(NO_ID, 0, NO_ID.length);
      hashBytes(b, start, end);
    }
    this.keyHi = hashHi();
    this.keyLo = hashLo();
    return LINE_USAGE;
  }
}

const ZERO = new Uint8Array([0]);
const NO_ID = ascii('\u0000line\u0000');
