// One Claude Code transcript line → the usage it carries. Assistant lines hold `message.usage`,
// `message.model`, `message.id`, `requestId`, `timestamp`, `sessionId`, `cwd`; a `progress` line of
// the parent transcript carries a sub-agent's assistant message in `data.message` (its message,
// requestId and timestamp), counted on the same keys as the line in the sub-agent's own file, so
// once whether or not that file exists.
//
// The walk over the line's bytes is lineWalk.c, compiled to WebAssembly (see lineWalker.ts):
// it reads those members at their own nesting level only (a tool input may well contain a "model"
// or "usage" key of its own), stops at a user line (top-level `type` or `message.role` "user": no
// usage, and its tool results are the bulk of a transcript), and skips everything else 16 bytes at a
// time without decoding it. This file turns what it found into a record: the timestamp, the dedupe
// key, and whether the line counts, is something else, or is corrupt.
import { ascii, hashBytes, hashHi, hashLo, hashStart, WALK_STOP } from '../jsonBytes';
import { LINE_CORRUPT, LINE_OTHER, LINE_USAGE } from '../lineKinds';
import { walkerFor } from '../lineWalker';

// Quote positions the walk reports, open and close at FIELD and FIELD + 1 (lineWalk.c `Q_*`).
const MODEL = 0;
const SESSION = 2;
const CWD = 4;
const MESSAGE_ID = 6;
const REQUEST = 8;
const TIMESTAMP = 10;
const INNER_TIMESTAMP = 12;
const QUOTES = 14;
// Token counts in the numbers (lineWalk.c `T_*`), and flags (`F_*`).
const T_INPUT = 0;
const T_OUTPUT = 1;
const T_CACHE_READ = 2;
const T_CACHE_WRITE = 3;
const T_WRITE_1H = 4;
const T_WRITE_5M = 5;
const F_HAS_USAGE = 0;
const F_BAD = 1;
const F_FAST = 2;
// The walk's WALK_STOP (a user line) is jsonBytes.ts's; -1 is a malformed line.

export class ClaudeLineParser {
  // The fields of the last parsed line (reused, so a scan allocates no object per line).
  timestampMs = 0;
  /**
   * Quote positions of the string fields in `b`, open and close at FIELD and FIELD + 1 (-1 when
   * absent); the record builder decodes them only when they change.
   */
  private readonly quotes = new Int32Array(QUOTES).fill(-1);
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

  /** Parse the line b[start, end) (without its newline). */
  parse(b: Buffer, start: number, end: number): number {
    this.b = b;
    const w = walkerFor(b.buffer);
    const after = w.walkClaude(b, start, end);
    if (after === WALK_STOP) return LINE_OTHER;
    // Trailing bytes after the object, or malformed JSON.
    if (after !== end - start) return LINE_CORRUPT;
    if (w.flags[F_HAS_USAGE] === 0) return LINE_OTHER;
    const q = this.quotes;
    for (let k = 0; k < QUOTES; k++) q[k] = w.quotes[k] === -1 ? -1 : w.quotes[k]! + start;
    // On a progress line, the sub-agent's message time (as in its own file) over the progress line's.
    this.timestampMs = w.timeAt(b, start, INNER_TIMESTAMP);
    if (!Number.isFinite(this.timestampMs)) this.timestampMs = w.timeAt(b, start, TIMESTAMP);
    if (w.flags[F_BAD] !== 0 || !Number.isFinite(this.timestampMs)) return LINE_CORRUPT;
    const t = w.numbers;
    this.input = t[T_INPUT]!;
    this.output = t[T_OUTPUT]!;
    this.cacheRead = t[T_CACHE_READ]!;
    this.cacheWrite1h = t[T_WRITE_1H]!;
    // cache_creation_input_tokens is the total of the writes; the split says which lifetime each had.
    // A line with the split and no total (or a smaller one) counts the split.
    this.cacheWrite = Math.max(t[T_CACHE_WRITE]!, t[T_WRITE_5M]! + t[T_WRITE_1H]!);
    this.fast = w.flags[F_FAST] !== 0;
    hashStart();
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
