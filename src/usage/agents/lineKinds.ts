// What the two agents' line parsers share: the kinds of line they report, and the timestamp reader.
export const LINE_USAGE = 0;
/** valid JSON, but not a usage line (a user line, a summary, a tool result that mentions usage) */
export const LINE_OTHER = 1;
/** a usage line we cannot read: malformed JSON, a bad timestamp or token count */
export const LINE_CORRUPT = 2;

const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

function two(b: Uint8Array, i: number): number {
  return (b[i]! - 0x30) * 10 + (b[i + 1]! - 0x30);
}

/**
 * Epoch ms of an ISO 8601 UTC timestamp in b[start, end) such as 2025-09-01T10:00:00.123Z, read
 * from the bytes (no string); other forms (offsets, no seconds…) go through Date.parse.
 */
export function parseIsoTimestamp(b: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (
    len >= 20 &&
    b[end - 1] === 0x5a &&
    b[start + 4] === 0x2d &&
    b[start + 7] === 0x2d &&
    b[start + 10] === 0x54 &&
    b[start + 13] === 0x3a &&
    b[start + 16] === 0x3a
  ) {
    let ok = true;
    for (let k = 0; k < DIGIT_POSITIONS.length; k++) {
      const x = b[start + DIGIT_POSITIONS[k]!]! - 0x30;
      if (x < 0 || x > 9) ok = false;
    }
    const mo = two(b, start + 5);
    const day = two(b, start + 8);
    const h = two(b, start + 11);
    const mi = two(b, start + 14);
    const sec = two(b, start + 17);
    if (mo < 1 || mo > 12 || day < 1 || day > 31 || h > 23 || mi > 59 || sec > 60) ok = false;
    let ms = 0;
    if (len > 20) {
      if (b[start + 19] !== 0x2e) ok = false;
      // fraction: any number of digits; milliseconds are the first three
      let scale = 100;
      for (let i = start + 20; i < end - 1; i++) {
        const x = b[i]! - 0x30;
        if (x < 0 || x > 9) ok = false;
        ms += x * scale;
        scale /= 10;
      }
      ms = Math.floor(ms);
    } else if (b[start + 19] !== 0x5a) ok = false;
    if (ok) return Date.UTC(two(b, start) * 100 + two(b, start + 2), mo - 1, day, h, mi, sec, ms);
  }
  return Date.parse(Buffer.from(b.buffer, b.byteOffset + start, len).toString('latin1'));
}
