// What the line parsers share besides the walk (lineWalk.c): decoding a JSON string found in a
// Buffer, the walk's "user line" answer, and the 64-bit dedupe key's hash.

const BACKSLASH = 0x5c;

/** Decoded text of the string whose quotes are at `open` and `close`. */
export function decodeString(b: Buffer, open: number, close: number): string {
  const escaped = b.indexOf(BACKSLASH, open + 1);
  if (escaped === -1 || escaped >= close) return b.toString('utf8', open + 1, close);
  return JSON.parse(b.toString('utf8', open, close + 1)) as string;
}

/** The walk ended early: a line that carries no usage (lineWalk.c WALK_STOP). */
export const WALK_STOP = -2;

export const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');

// Two independent 32-bit hashes make a 64-bit key: at a million keys a false duplicate has a
// probability around 3e-8.
let h1 = 0;
let h2 = 0;

export function hashStart(): void {
  h1 = 0x811c9dc5;
  h2 = 0x9747b28c;
}

export function hashBytes(b: Uint8Array, start: number, end: number): void {
  let a = h1;
  let c = h2;
  for (let i = start; i < end; i++) {
    const x = b[i]!;
    a = Math.imul(a ^ x, 0x01000193);
    c = Math.imul(c ^ x, 0x5bd1e995);
    c ^= c >>> 15;
  }
  h1 = a;
  h2 = c;
}

export function hashText(text: string): void {
  let a = h1;
  let c = h2;
  for (let i = 0; i < text.length; i++) {
    const x = text.charCodeAt(i);
    a = Math.imul(a ^ x, 0x01000193);
    c = Math.imul(c ^ x, 0x5bd1e995);
    c ^= c >>> 15;
  }
  h1 = a;
  h2 = c;
}

/** Mix a non-negative integer (up to 2^53) into the hash, without making a string of it. */
export function hashNumber(n: number): void {
  let a = h1;
  let c = h2;
  const lo = n >>> 0;
  const hi = Math.floor(n / 4294967296) >>> 0;
  for (let k = 0; k < 8; k++) {
    const x = ((k < 4 ? lo : hi) >>> ((k & 3) * 8)) & 0xff;
    a = Math.imul(a ^ x, 0x01000193);
    c = Math.imul(c ^ x, 0x5bd1e995);
    c ^= c >>> 15;
  }
  h1 = a;
  h2 = c;
}

export function hashHi(): number {
  return h1 >>> 0;
}

export function hashLo(): number {
  // final mix so that short keys spread over the table
  let c = h2 ^ (h2 >>> 13);
  c = Math.imul(c, 0xc2b2ae35);
  return (c ^ (c >>> 16)) >>> 0;
}
