// The agent sessions the usage belongs to: one per (agent, session id), numbered in the order they
// were first seen (the dedupe entries and the rollups refer to them by number). A session is found
// by a 64-bit hash of its agent and id (two sessions sharing one: about n²/2⁶⁵, 7e-12 at 16 000
// sessions), so the ids themselves need not stay in memory: they are written to a scratch file as
// they come (see scratchFile.ts) and read back only when asked for (the extension's rollups, the
// report's sessions; the CLI's sums never ask). In memory: 25 bytes a session.
import { hashHi, hashLo, hashNumber, hashStart, hashText } from '../agents/jsonBytes';
import { ScratchFile } from './scratchFile';
import { grown } from './typedArrays';

/** Names are read back in pieces of at most this many bytes. */
const PIECE = 256 * 1024;

export class SessionTable {
  count = 0;
  agent = new Uint8Array(256);
  /** the string (in the store's string table) of the folder the session ran in, 0 when not known yet */
  project = new Uint32Array(256);
  private keyHi = new Uint32Array(256);
  private keyLo = new Uint32Array(256);
  /** where each session's id ends in the names file (it starts where the previous one ends) */
  private nameEnd = new Uint32Array(256);
  private slots = new Int32Array(1024).fill(-1);
  private readonly names: ScratchFile;
  /** every session's id, once one was asked for */
  private decoded: string[] | undefined;

  constructor(pathFor: () => string) {
    this.names = new ScratchFile(pathFor);
  }

  /** The session of `agent` with id `id`, made if new; a project learnt later is remembered. */
  sessionOf(agent: number, id: string, project: number): number {
    hashStart();
    hashNumber(agent);
    hashText(id);
    const hi = hashHi();
    const lo = hashLo();
    const known = this.find(hi, lo);
    if (known !== -1) {
      if (this.project[known] === 0 && project !== 0) this.project[known] = project;
      return known;
    }
    const s = this.add(agent, hi, lo, project);
    const bytes = Buffer.from(id, 'utf8');
    this.names.append(bytes);
    this.nameEnd[s] = (s === 0 ? 0 : this.nameEnd[s - 1]!) + bytes.length;
    this.decoded?.push(id);
    return s;
  }

  /** The session's own id (Claude sessionId / Codex rollout id). Reads all ids on first use. */
  name(s: number): string {
    this.decoded ??= this.readNames();
    return this.decoded[s]!;
  }

  private readNames(): string[] {
    const out = new Array<string>(this.count);
    const total = this.namesBytes;
    let piece: Uint8Array = new Uint8Array(0);
    let pieceStart = 0;
    let start = 0;
    for (let s = 0; s < this.count; s++) {
      const end = this.nameEnd[s]!;
      if (end > pieceStart + piece.length) {
        pieceStart = start;
        piece = this.names.read(start, Math.min(total - start, Math.max(PIECE, end - start)));
      }
      out[s] = Buffer.from(piece.buffer, piece.byteOffset, piece.length).toString(
        'utf8',
        start - pieceStart,
        end - pieceStart,
      );
      start = end;
    }
    return out;
  }

  /** The session with this key, or -1. */
  private find(hi: number, lo: number): number {
    const mask = this.slots.length - 1;
    for (let slot = lo & mask; this.slots[slot] !== -1; slot = (slot + 1) & mask) {
      const s = this.slots[slot]!;
      if (this.keyLo[s] === lo && this.keyHi[s] === hi) return s;
    }
    return -1;
  }

  private add(agent: number, hi: number, lo: number, project: number): number {
    const s = this.count++;
    if (s === this.agent.length) {
      this.agent = grown(this.agent, s * 2);
      this.project = grown(this.project, s * 2);
      this.keyHi = grown(this.keyHi, s * 2);
      this.keyLo = grown(this.keyLo, s * 2);
      this.nameEnd = grown(this.nameEnd, s * 2);
    }
    this.agent[s] = agent;
    this.project[s] = project;
    this.keyHi[s] = hi;
    this.keyLo[s] = lo;
    if (this.count * 2 > this.slots.length) {
      this.rehash(this.slots.length * 2);
    } else {
      let slot = lo & (this.slots.length - 1);
      while (this.slots[slot] !== -1) slot = (slot + 1) & (this.slots.length - 1);
      this.slots[slot] = s;
    }
    return s;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (let s = 0; s < this.count; s++) {
      let slot = this.keyLo[s]! & mask;
      while (this.slots[slot] !== -1) slot = (slot + 1) & mask;
      this.slots[slot] = s;
    }
  }

  /** Bytes of all ids. */
  get namesBytes(): number {
    return this.count === 0 ? 0 : this.nameEnd[this.count - 1]!;
  }

  /**
   * The table for the persisted index, as byte chunks in this order: agent (u8), key hi, key lo,
   * project, name end (u32 each), then the ids (namesBytes bytes).
   */
  *chunks(): Generator<Uint8Array> {
    const n = this.count;
    yield this.agent.subarray(0, n);
    for (const col of [this.keyHi, this.keyLo, this.project, this.nameEnd])
      yield new Uint8Array(col.buffer, col.byteOffset, n * 4);
    for (let at = 0; at < this.namesBytes; at += PIECE)
      yield this.names.read(at, Math.min(PIECE, this.namesBytes - at));
  }

  close(): void {
    this.names.close();
  }

  /**
   * The table read back from the index (`read(bytes)` hands out the next bytes in the order of
   * chunks(); the u8 agents come padded to 4 bytes). Undefined when it does not hold together.
   */
  static restore(
    pathFor: () => string,
    count: number,
    namesBytes: number,
    agents: number,
    strings: number,
    read: (bytes: number) => Uint8Array,
  ): SessionTable | undefined {
    const t = new SessionTable(pathFor);
    const agent = read(count + ((4 - (count % 4)) % 4)).slice(0, count);
    const u32 = (): Uint32Array => {
      const out = new Uint32Array(count);
      new Uint8Array(out.buffer).set(read(count * 4));
      return out;
    };
    const keyHi = u32();
    const keyLo = u32();
    const project = u32();
    const nameEnd = u32();
    let end = 0;
    for (let s = 0; s < count; s++) {
      if (agent[s]! >= agents || project[s]! >= strings || nameEnd[s]! < end) return undefined;
      end = nameEnd[s]!;
      if (t.find(keyHi[s]!, keyLo[s]!) !== -1) return undefined; // the same session twice
      t.add(agent[s]!, keyHi[s]!, keyLo[s]!, project[s]!);
      t.nameEnd[s] = end;
    }
    if (end !== namesBytes) return undefined;
    for (let at = 0; at < namesBytes; at += PIECE) t.names.append(read(Math.min(PIECE, namesBytes - at)));
    return t;
  }
}
