// Reading just the fields we need out of a JSON line held in a Buffer, without JSON.parse of the
// whole line: an assistant line of Claude Code carries kilobytes of content (text, tool inputs) and
// a few hundred bytes we want. Strings are skipped by jumping from quote to quote with the native
// Buffer.indexOf, so the content costs about a memchr.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Index after the JSON whitespace at `i`. */
export function skipWs(b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** Is the quote at `q` escaped (preceded by an odd number of backslashes)? */
function escaped(b: Uint8Array, q: number): boolean {
  let k = q - 1;
  while (b[k] === BACKSLASH) k--;
  return (q - 1 - k) % 2 === 1;
}

/** `i` is at an opening quote; returns the index of the closing quote, or -1. */
export function stringEnd(b: Buffer, i: number, end: number): number {
  let q = i;
  for (;;) {
    q = b.indexOf(QUOTE, q + 1);
    if (q === -1 || q >= end) return -1;
    if (!escaped(b, q)) return q;
  }
}

/** `close` is at a closing quote; returns the index of the opening quote, or -1 when it is not after `lo`. */
export function stringStart(b: Buffer, close: number, lo: number): number {
  let q = close;
  for (;;) {
    q = b.lastIndexOf(QUOTE, q - 1);
    if (q <= lo) return -1;
    if (!escaped(b, q)) return q;
  }
}

/** Index before the JSON whitespace that ends at `i` (reading backwards, not past `lo`). */
function skipWsBack(b: Uint8Array, i: number, lo: number): number {
  while (i > lo) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i--;
  }
  return i;
}

/** Letters, digits, sign, point: the bytes of a number, true, false or null. */
function isScalarByte(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x45;
}

/**
 * Reading backwards from the comma at `comma` over object members whose values are strings,
 * numbers, true, false or null (at most 8): the index of the `]` that precedes them, or -1 when
 * anything else comes first or `lo` is reached.
 */
export function closeBeforeScalarMembers(b: Buffer, comma: number, lo: number): number {
  let i = comma - 1;
  for (let members = 0; members <= 8; members++) {
    i = skipWsBack(b, i, lo);
    if (b[i] === CLOSE_BRACKET) return i;
    // the value
    if (b[i] === QUOTE) {
      const open = stringStart(b, i, lo);
      if (open === -1) return -1;
      i = open - 1;
    } else {
      const last = i;
      while (i > lo && isScalarByte(b[i]!)) i--;
      if (i === last) return -1;
    }
    // its key
    i = skipWsBack(b, i, lo);
    if (b[i] !== COLON) return -1;
    i = skipWsBack(b, i - 1, lo);
    if (b[i] !== QUOTE) return -1;
    const keyOpen = stringStart(b, i, lo);
    if (keyOpen === -1) return -1;
    i = skipWsBack(b, keyOpen - 1, lo);
    if (b[i] !== COMMA) return -1;
    i--;
  }
  return -1;
}

/** `i` is at the first byte of a value; returns the index after it, or -1 when it is malformed. */
export function skipValue(b: Buffer, i: number, end: number): number {
  const c = b[i];
  if (c === QUOTE) {
    const q = stringEnd(b, i, end);
    return q === -1 ? -1 : q + 1;
  }
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    while (i < end) {
      const d = b[i]!;
      if (d === QUOTE) {
        const q = stringEnd(b, i, end);
        if (q === -1) return -1;
        i = q + 1;
        continue;
      }
      if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return -1;
  }
  // number, true, false, null
  const start = i;
  while (i < end) {
    const d = b[i]!;
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09)
      break;
    i++;
  }
  return i > start ? i : -1;
}

/** Decoded text of the string whose quotes are at `open` and `close`. */
export function decodeString(b: Buffer, open: number, close: number): string {
  const escaped = b.indexOf(BACKSLASH, open + 1);
  if (escaped === -1 || escaped >= close) return b.toString('utf8', open + 1, close);
  return JSON.parse(b.toString('utf8', open, close + 1)) as string;
}

/** A non-negative integer at `i` (JSON number without fraction), or -1. Fractions and exponents are refused. */
export function readUint(b: Uint8Array, i: number, end: number): number {
  let value = 0;
  let digits = 0;
  while (i < end) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
    digits++;
    i++;
  }
  if (digits === 0 || digits > 15) return -1;
  const next = b[i];
  if (next === 0x2e || next === 0x65 || next === 0x45) return -1;
  return value;
}

/** Does the key whose quotes are at `open`/`close` equal `key` (ASCII)? */
export function keyIs(b: Uint8Array, open: number, close: number, key: Uint8Array): boolean {
  if (close - open - 1 !== key.length) return false;
  for (let j = 0; j < key.length; j++) if (b[open + 1 + j] !== key[j]) return false;
  return true;
}

export const WALK_STOP = -2;

export const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');

/**
 * Walks the members of the object whose `{` is at `i`. For each member `visit(keyOpen, keyClose,
 * valueStart)` returns the index after the value it consumed, -1 to let the walker skip it, or
 * WALK_STOP to end the walk early (the rest of the object is then neither read nor checked).
 * Returns the index after the `}`, -1 when the object is malformed, or WALK_STOP.
 */
export function walkObject(
  b: Buffer,
  i: number,
  end: number,
  visit: (keyOpen: number, keyClose: number, valueStart: number) => number,
): number {
  if (b[i] !== OPEN_BRACE) return -1;
  i = skipWs(b, i + 1, end);
  if (b[i] === CLOSE_BRACE) return i + 1;
  for (;;) {
    if (b[i] !== QUOTE) return -1;
    const keyClose = stringEnd(b, i, end);
    if (keyClose === -1) return -1;
    let j = skipWs(b, keyClose + 1, end);
    if (b[j] !== COLON) return -1;
    j = skipWs(b, j + 1, end);
    if (j >= end) return -1;
    let after = visit(i, keyClose, j);
    if (after === WALK_STOP) return WALK_STOP;
    if (after === -1) after = skipValue(b, j, end);
    if (after === -1) return -1;
    i = skipWs(b, after, end);
    const c = b[i];
    if (c === COMMA) {
      i = skipWs(b, i + 1, end);
      continue;
    }
    if (c === CLOSE_BRACE) return i + 1;
    return -1;
  }
}

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
