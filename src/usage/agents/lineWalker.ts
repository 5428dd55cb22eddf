// The WebAssembly walks over agent log lines (lineWalk.c, built to lineWalk.wasm by `npm run
// build:wasm` and bundled by esbuild.mjs) and the memory they read. claudeLine.ts and codexLine.ts
// call them and read what they found from the views here; the slots each agent uses are named in
// lineWalk.c and in its caller.
import wasmBytes from './lineWalk.wasm';
import { decodeString } from './jsonBytes';
import { parseIsoTimestamp } from './lineKinds';

/** Slots of the walk's output (lineWalk.c QUOTES, NUMBERS, FLAGS). */
const QUOTES = 16;
const NUMBERS = 12;
const FLAGS = 8;
/** the walks read up to 16 bytes past a line's end */
const PAD = 16;
const PAGE = 65536;

interface WalkExports {
  memory: WebAssembly.Memory;
  walk_claude_line(line: number, length: number): number;
  walk_codex_line(line: number, length: number): number;
  out_address(): number;
  heap_address(): number;
}

let compiled: WebAssembly.Module | undefined;

/**
 * The compiled walks and their memory. A line already in that memory (a read buffer from
 * walkableBuffer) is walked where it lies; any other is copied in first, into the memory of the
 * thread's copying walker, which grows for a longer line. A walk is synchronous, so one copying
 * walker serves all the parsers of a thread.
 */
export class LineWalker {
  private readonly w: WalkExports;
  readonly heap: number;
  private readonly outAddress: number;
  bytes!: Uint8Array;
  /** quote positions relative to the line's first byte (-1: absent) */
  quotes!: Int32Array;
  numbers!: Float64Array;
  flags!: Int32Array;

  constructor(room: number) {
    this.w = new WebAssembly.Instance((compiled ??= new WebAssembly.Module(wasmBytes)), {})
      .exports as unknown as WalkExports;
    this.heap = this.w.heap_address();
    this.outAddress = this.w.out_address();
    this.views();
    this.makeRoom(room);
  }

  /** A Claude Code line b[start, end): the index after its object relative to `start`, -1 (malformed) or WALK_STOP. */
  walkClaude(b: Buffer, start: number, end: number): number {
    return this.w.walk_claude_line(this.place(b, start, end), end - start);
  }

  /** A Codex rollout line b[start, end), as walkClaude. */
  walkCodex(b: Buffer, start: number, end: number): number {
    return this.w.walk_codex_line(this.place(b, start, end), end - start);
  }

  /** The string at quote slot `slot` of the line walked last, which starts at b[start] ('' when absent). */
  stringAt(b: Buffer, start: number, slot: number): string {
    const open = this.quotes[slot]!;
    return open === -1 ? '' : decodeString(b, open + start, this.quotes[slot + 1]! + start);
  }

  /** Epoch ms of the timestamp at quote slot `slot`, as stringAt (NaN when absent or unreadable). */
  timeAt(b: Buffer, start: number, slot: number): number {
    const open = this.quotes[slot]!;
    return open === -1 ? NaN : parseIsoTimestamp(b, open + start + 1, this.quotes[slot + 1]! + start);
  }

  /** The line's address in this walker's memory (copied there unless it is there already). */
  private place(b: Buffer, start: number, end: number): number {
    if (b.buffer === this.bytes.buffer) return b.byteOffset + start;
    const length = end - start;
    this.makeRoom(length);
    b.copy(this.bytes, this.heap, start, end);
    this.bytes.fill(0, this.heap + length, this.heap + length + PAD);
    return this.heap;
  }

  /** At least `length` bytes (and the padding the walk reads past a line) from `heap` on. Growing detaches every view of the memory. */
  private makeRoom(length: number): void {
    const room = this.bytes.length - this.heap - PAD;
    if (length <= room) return;
    this.w.memory.grow(Math.ceil((length - room) / PAGE));
    this.views();
  }

  private views(): void {
    const buffer = this.w.memory.buffer;
    this.bytes = new Uint8Array(buffer);
    this.quotes = new Int32Array(buffer, this.outAddress, QUOTES);
    this.numbers = new Float64Array(buffer, this.outAddress + QUOTES * 4, NUMBERS);
    this.flags = new Int32Array(buffer, this.outAddress + QUOTES * 4 + NUMBERS * 8, FLAGS);
  }
}

/** The walkers whose memory holds a read buffer (walkableBuffer), by that memory. */
const owners = new WeakMap<ArrayBufferLike, LineWalker>();
let copying: LineWalker | undefined;
// the last answer of walkerFor: nearly every line of a scan is in the same read buffer
let lastMemory: ArrayBufferLike | undefined;
let lastWalker: LineWalker | undefined;

/** The walker for lines held in `memory` (a Buffer's `.buffer`). */
export function walkerFor(memory: ArrayBufferLike): LineWalker {
  if (memory !== lastMemory) {
    lastWalker = owners.get(memory) ?? (copying ??= new LineWalker(0));
    lastMemory = memory;
  }
  return lastWalker!;
}

/**
 * A read buffer of `size` bytes in a walker's own memory, so that the lines read into it are walked
 * without a copy (~15 ms of a 200 MB scan). That memory never grows afterwards, so the buffer stays
 * valid; it is dropped with its last view.
 */
export function walkableBuffer(size: number): Buffer {
  const walker = new LineWalker(size);
  owners.set(walker.bytes.buffer, walker);
  return Buffer.from(walker.bytes.buffer, walker.heap, size);
}
