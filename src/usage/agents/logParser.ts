// Reads the new bytes of one log file and returns its usage records in columns (typed arrays that a
// worker can transfer without copying). Only complete lines are consumed: a line still being written
// is left for the next scan, and `end` says where the next scan starts.
import { closeSync, openSync, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { ClaudeLineParser } from './claude/claudeLine';
import { walkableBuffer } from './lineWalker';
import { LINE_CORRUPT, LINE_USAGE } from './lineKinds';
import { CodexLineParser, newCodexState, type CodexFileState } from './codex/codexLine';
import { decodeString, hashBytes, hashHi, hashStart } from './jsonBytes';
import {
  TOKEN_CACHE_READ,
  TOKEN_CACHE_WRITE,
  TOKEN_CACHE_WRITE_1H,
  TOKEN_INPUT,
  TOKEN_OUTPUT,
  TOKEN_WORDS,
} from '../tokenColumns';
import { FAST_SUFFIX } from '../prices/prices';

export type Agent = 'claude_code' | 'codex';

export interface FileTask {
  path: string;
  agent: Agent;
  /** byte offset to start at (the start of a line) */
  from: number;
  codex?: CodexFileState | undefined;
}

export interface FileRecords {
  count: number;
  keyHi: Uint32Array;
  keyLo: Uint32Array;
  timestampMs: Float64Array;
  /** input, output, cache_read, cache_write per record */
  tokens: Float64Array;
  /** indexes into `strings` */
  model: Uint32Array;
  session: Uint32Array;
  project: Uint32Array;
  strings: string[];
}

export interface FileResult {
  path: string;
  agent: Agent;
  from: number;
  /** offset after the last complete line consumed */
  end: number;
  /** hash of up to 64 bytes before `end`, to notice a file rewritten under the same name */
  tailHash: number;
  skipped: number;
  records: FileRecords;
  codex?: CodexFileState | undefined;
}

// Every line is handed to its agent's parser, which stops early on a line that cannot carry usage
// (a Claude Code user line, a Codex response item): cheaper than searching each line for a marker
// first, which cost as much as the parsing it saved (a `"usage"` search ran at about 3 GB/s).
const TAIL = 64;

export class RecordBuilder {
  count = 0;
  private cap = 0;
  keyHi = new Uint32Array(0);
  keyLo = new Uint32Array(0);
  timestampMs = new Float64Array(0);
  tokens = new Float64Array(0);
  model = new Uint32Array(0);
  session = new Uint32Array(0);
  project = new Uint32Array(0);
  strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();

  /** Start another file, keeping the arrays: a scan makes no garbage per file. */
  reset(): void {
    this.count = 0;
    this.strings = [];
    this.stringIndex.clear();
    this.lastLength.fill(-1);
  }

  intern(text: string): number {
    let i = this.stringIndex.get(text);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(text);
      this.stringIndex.set(text, i);
    }
    return i;
  }

  // The last bytes seen for each string field, so that a line repeating its file's session id, cwd
  // and model (nearly all of them) costs a byte comparison, not a decode and a map lookup.
  private readonly lastBytes: Buffer[] = [Buffer.alloc(256), Buffer.alloc(256), Buffer.alloc(256)];
  private readonly lastLength = [-1, -1, -1];
  private readonly lastIndex = [0, 0, 0];

  private internRange(slot: number, b: Buffer, open: number, close: number): number {
    if (open < 0) return this.intern('');
    const len = close - open - 1;
    let last = this.lastBytes[slot]!;
    if (this.lastLength[slot] === len && b.compare(last, 0, len, open + 1, close) === 0) return this.lastIndex[slot]!;
    const index = this.intern(decodeString(b, open, close));
    if (len > last.length) last = this.lastBytes[slot] = Buffer.alloc(len * 2);
    b.copy(last, 0, open + 1, close);
    this.lastLength[slot] = len;
    this.lastIndex[slot] = index;
    return index;
  }

  addClaude(p: ClaudeLineParser): void {
    const n = this.slot(p);
    // A fast-mode request is priced apart: its model is named with the fast suffix.
    this.model[n] = p.fast
      ? this.intern((p.modelOpen < 0 ? '' : decodeString(p.b, p.modelOpen, p.modelClose)) + FAST_SUFFIX)
      : this.internRange(0, p.b, p.modelOpen, p.modelClose);
    this.session[n] = this.internRange(1, p.b, p.sessionOpen, p.sessionClose);
    this.project[n] = this.internRange(2, p.b, p.cwdOpen, p.cwdClose);
  }

  addCodex(p: CodexLineParser): void {
    const n = this.slot(p);
    this.model[n] = this.intern(p.model);
    this.session[n] = this.intern(p.sessionId);
    this.project[n] = this.intern(p.cwd);
  }

  private slot(p: ClaudeLineParser | CodexLineParser): number {
    if (this.count === this.cap) this.grow();
    const n = this.count++;
    this.keyHi[n] = p.keyHi;
    this.keyLo[n] = p.keyLo;
    this.timestampMs[n] = p.timestampMs;
    this.tokens[n * TOKEN_WORDS + TOKEN_INPUT] = p.input;
    this.tokens[n * TOKEN_WORDS + TOKEN_OUTPUT] = p.output;
    this.tokens[n * TOKEN_WORDS + TOKEN_CACHE_READ] = p.cacheRead;
    this.tokens[n * TOKEN_WORDS + TOKEN_CACHE_WRITE] = p.cacheWrite;
    this.tokens[n * TOKEN_WORDS + TOKEN_CACHE_WRITE_1H] = Math.min(p.cacheWrite1h, p.cacheWrite);
    return n;
  }

  private grow(): void {
    const cap = Math.max(64, this.cap * 2);
    const grow32 = (a: Uint32Array) => {
      const b = new Uint32Array(cap);
      b.set(a);
      return b;
    };
    const grow64 = (a: Float64Array, width: number) => {
      const b = new Float64Array(cap * width);
      b.set(a);
      return b;
    };
    this.keyHi = grow32(this.keyHi);
    this.keyLo = grow32(this.keyLo);
    this.model = grow32(this.model);
    this.session = grow32(this.session);
    this.project = grow32(this.project);
    this.timestampMs = grow64(this.timestampMs, 1);
    this.tokens = grow64(this.tokens, TOKEN_WORDS);
    this.cap = cap;
  }

  /** The records: copies (to transfer to another thread), or views valid until the next reset(). */
  finish(copy: boolean): FileRecords {
    const n = this.count;
    const take = <T extends Uint32Array | Float64Array>(a: T, len: number): T =>
      copy ? (a.slice(0, len) as T) : (a.subarray(0, len) as T);
    return {
      count: n,
      keyHi: take(this.keyHi, n),
      keyLo: take(this.keyLo, n),
      timestampMs: take(this.timestampMs, n),
      tokens: take(this.tokens, n * TOKEN_WORDS),
      model: take(this.model, n),
      session: take(this.session, n),
      project: take(this.project, n),
      strings: this.strings,
    };
  }
}

/** The lines of one file as they arrive in chunks; the partial last line is carried over. */
export class FileParser {
  private buf: Buffer;
  private carry = 0;
  /** file offset of buf[0] */
  private base: number;
  private readonly claude = new ClaudeLineParser();
  private readonly codex: CodexLineParser | undefined;
  private readonly builder: RecordBuilder;
  private readonly copy: boolean;
  skipped = 0;
  /** file offset after the last consumed line */
  consumed: number;

  constructor(
    readonly task: FileTask,
    bufferSize: number,
    /** a read buffer and record builder to reuse across files; results are then views into it */
    scratch?: ParseScratch,
  ) {
    this.buf = scratch && scratch.buffer.length >= bufferSize ? scratch.buffer : Buffer.allocUnsafe(bufferSize);
    this.builder = scratch?.builder ?? new RecordBuilder();
    this.builder.reset();
    this.copy = scratch?.copy ?? true;
    this.base = task.from;
    this.consumed = task.from;
    if (task.agent === 'codex') {
      this.codex = new CodexLineParser(
        task.codex
          ? { ...task.codex, previousTotal: task.codex.previousTotal?.slice() ?? null }
          : newCodexState(task.path),
      );
    }
  }

  /** Where the next read goes: buffer, offset in it, room left, and the file position. */
  readTarget(): { buffer: Buffer; offset: number; length: number; position: number } {
    if (this.carry === this.buf.length) {
      // One line longer than the buffer: grow it (lines of a few MB exist: pasted files, big tool results).
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.carry);
      this.buf = bigger;
    }
    return {
      buffer: this.buf,
      offset: this.carry,
      length: this.buf.length - this.carry,
      position: this.base + this.carry,
    };
  }

  /** `n` bytes arrived at readTarget(); 0 means end of file. */
  feed(n: number): void {
    const limit = this.carry + n;
    if (n === 0) {
      this.finishTail(limit);
      return;
    }
    const view = this.buf.subarray(0, limit);
    let ls = 0;
    for (;;) {
      const nl = view.indexOf(10, ls);
      if (nl === -1) break;
      this.line(ls, nl);
      ls = nl + 1;
    }
    this.consumed = this.base + ls;
    this.buf.copy(this.buf, 0, ls, limit);
    this.base += ls;
    this.carry = limit - ls;
  }

  private line(start: number, end: number): void {
    const b = this.buf;
    while (end > start && (b[end - 1] === 0x0d || b[end - 1] === 0x20 || b[end - 1] === 0x09)) end--;
    // A byte order mark (a file written by an editor on Windows) before the first line's '{'.
    if (b[start] === 0xef && b[start + 1] === 0xbb && b[start + 2] === 0xbf) start += 3;
    while (start < end && (b[start] === 0x20 || b[start] === 0x09)) start++;
    if (start === end) return;
    if (b[start] !== 0x7b || b[end - 1] !== 0x7d) {
      this.skipped++;
      return;
    }
    let status: number;
    if (this.codex) {
      const p = this.codex;
      status = p.parseBytes(b, start, end);
      if (status === LINE_USAGE && p.input + p.output + p.cacheRead + p.cacheWrite > 0) this.builder.addCodex(p);
    } else {
      const p = this.claude;
      status = p.parse(b, start, end);
      if (status === LINE_USAGE && p.input + p.output + p.cacheRead + p.cacheWrite > 0) this.builder.addClaude(p);
    }
    if (status === LINE_CORRUPT) this.skipped++;
  }

  /**
   * End of file with bytes after the last newline: a writer may be mid-line. Consume them only if
   * they form a complete JSON value (then a writer that omits the final newline is still read).
   */
  private finishTail(limit: number): void {
    if (limit === 0) return;
    const text = this.buf.toString('utf8', 0, limit).trim();
    if (!text) return;
    try {
      JSON.parse(text);
    } catch {
      return;
    }
    const savedCarry = limit;
    this.line(0, limit);
    this.consumed = this.base + savedCarry;
    this.base += savedCarry;
    this.carry = 0;
  }

  /** Usage records gathered and not yet taken. */
  get pending(): number {
    return this.builder.count;
  }

  /** The records gathered so far, handed out and forgotten (valid until the next are gathered, without `copy`). */
  takeRecords(): FileRecords {
    const records = this.builder.finish(this.copy);
    this.builder.reset();
    return records;
  }

  result(tailHash: number): FileResult {
    return {
      path: this.task.path,
      agent: this.task.agent,
      from: this.task.from,
      end: this.consumed,
      tailHash,
      skipped: this.skipped,
      records: this.builder.finish(this.copy),
      codex: this.codex?.state,
    };
  }
}

export const READ_BUFFER_BYTES = 1 << 20;
/**
 * With a batch callback, a file's records are handed out whenever this many are gathered (~1 MB of
 * columns), so that one huge transcript (a long session logs hundreds of MB) costs no more memory
 * than a small one.
 */
export const RECORD_BATCH = 16_384;

/** What one thread reuses from file to file. With `copy: false` a result is valid until the next file. */
export interface ParseScratch {
  buffer: Buffer;
  builder: RecordBuilder;
  copy: boolean;
}

export function newScratch(copy: boolean): ParseScratch {
  return { buffer: walkableBuffer(READ_BUFFER_BYTES), builder: new RecordBuilder(), copy };
}

const TAIL_SCRATCH = Buffer.alloc(TAIL);

/** Hash of the up to 64 bytes before `end` (0 at the start of a file). */
export function tailHashSync(fd: number, end: number): number {
  if (end <= 0) return 0;
  const len = Math.min(TAIL, end);
  const n = readSync(fd, TAIL_SCRATCH, 0, len, end - len);
  return hashOf(TAIL_SCRATCH, n);
}

function hashOf(b: Uint8Array, n: number): number {
  hashStart();
  hashBytes(b, 0, n);
  return hashHi();
}

export async function tailHashAsync(handle: FileHandle, end: number): Promise<number> {
  if (end <= 0) return 0;
  const len = Math.min(TAIL, end);
  const b = Buffer.allocUnsafe(len);
  const { bytesRead } = await handle.read(b, 0, len, end - len);
  return hashOf(b, bytesRead);
}

/**
 * Parse a file synchronously (in a worker thread). A file that vanished yields no records. With
 * `onRecords`, records are handed to it in batches as they are gathered (RECORD_BATCH), and the
 * result holds the last ones.
 */
export function parseFileSync(
  task: FileTask,
  scratch?: ParseScratch,
  onBytes?: (n: number) => void,
  shouldStop?: () => boolean,
  onRecords?: (records: FileRecords) => void,
): FileResult {
  const parser = new FileParser(task, READ_BUFFER_BYTES, scratch);
  let fd: number;
  try {
    fd = openSync(task.path, 'r');
  } catch {
    return parser.result(0);
  }
  try {
    for (;;) {
      if (shouldStop?.()) break;
      const t = parser.readTarget();
      const n = readSync(fd, t.buffer, t.offset, t.length, t.position);
      parser.feed(n);
      onBytes?.(n);
      if (onRecords && parser.pending >= RECORD_BATCH) onRecords(parser.takeRecords());
      if (n === 0) break;
    }
    return parser.result(tailHashSync(fd, parser.consumed));
  } finally {
    closeSync(fd);
  }
}

/**
 * Parse a file with non-blocking reads, yielding after each chunk so that a caller on the extension
 * host's thread never holds it for long. `between` runs after every chunk (progress, cancellation,
 * and the place where a test appends to the file mid-scan).
 */
export async function parseFileAsync(task: FileTask, between?: (n: number) => Promise<void>): Promise<FileResult> {
  const parser = new FileParser(task, READ_BUFFER_BYTES >> 2);
  let handle: FileHandle;
  try {
    handle = await open(task.path, 'r');
  } catch {
    return parser.result(0);
  }
  try {
    for (;;) {
      const t = parser.readTarget();
      const { bytesRead } = await handle.read(t.buffer, t.offset, t.length, t.position);
      parser.feed(bytesRead);
      await between?.(bytesRead);
      if (bytesRead === 0) break;
    }
    return parser.result(await tailHashAsync(handle, parser.consumed));
  } finally {
    await handle.close();
  }
}
