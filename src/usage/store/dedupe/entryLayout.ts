// One dedupe entry, and one queued record alike, as u32 words: the request's 64-bit key, the key of
// the rollup it counts in (agent session, minute, model), then its token counts (tokenColumns.ts).
// An entry carries its rollup's key rather than a rollup number, so counting needs no table of
// rollups: a one-shot scan never builds one (it grew by 16 bytes a rollup, 9 MB at 8 GB of logs).
import type { SegmentSource } from '../scratchFile';
import { TOKEN_WORDS } from '../../tokenColumns';

export const ENTRY_KEY_HI = 0;
export const ENTRY_KEY_LO = 1;
export const ENTRY_SESSION = 2;
export const ENTRY_MINUTE = 3;
export const ENTRY_MODEL = 4;
/** the first token count (TOKEN_INPUT); the others follow in tokenColumns.ts order */
export const ENTRY_TOKENS = 5;
export const ENTRY_WORDS = ENTRY_TOKENS + TOKEN_WORDS;

/** Shards by the key's top bits (see dedupeTable.ts for why 512). */
export const SHARD_BITS = 9;
export const SHARDS = 1 << SHARD_BITS;

/** Entries on disk are read in pieces of at most this many bytes (each reader keeps a buffer this large). */
export const READ_PIECE_BYTES = 256 * 1024;

/**
 * `count` entries stored at `offset` in `source`, read in pieces of at most READ_PIECE_BYTES (a
 * shard of a very large history is never read whole): u32 words in place, valid until the next read.
 */
export function* entryPieces(source: SegmentSource, offset: number, count: number): Generator<Uint32Array> {
  const per = Math.floor(READ_PIECE_BYTES / (ENTRY_WORDS * 4));
  for (let done = 0; done < count; done += per) {
    const n = Math.min(per, count - done);
    yield words(source.read(offset + done * ENTRY_WORDS * 4, n * ENTRY_WORDS * 4));
  }
}

/** Bytes handed out by a SegmentSource, as u32 words in place (valid until its next read). */
export function words(bytes: Uint8Array): Uint32Array {
  return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
}

export function bytesOfWords(w: Uint32Array): Uint8Array {
  return new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
}
