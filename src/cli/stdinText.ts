// Reading the JSON an agent pipes to a hook or status line command, at most `maxBytes`. Read with
// fs.readSync on fd 0, not through process.stdin: creating that stream (and its async iterator) cost
// these short-lived commands ~20 ms of start-up on this machine, more than the rest of their work.
// A stdin the system hands over non-blocking (EAGAIN) is read through the stream as before.
import { fstatSync, readSync } from 'node:fs';

export class StdinTooLarge extends Error {}

/**
 * All of stdin as text. Past `maxBytes`, `onTooLarge: 'throw'` throws StdinTooLarge and `'truncate'`
 * returns the first `maxBytes`. A terminal (nothing piped) reads as '' when `skipTerminal` is set.
 */
export async function readStdinText(
  maxBytes: number,
  options: { onTooLarge: 'throw' | 'truncate'; skipTerminal?: boolean },
): Promise<string> {
  // (fstat, not node:tty: that module alone loads net and streams, ~30 ms here.) /dev/null is a
  // character device too, and reads as '' either way.
  if (options.skipTerminal && isCharacterDevice()) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  const add = (chunk: Buffer): boolean => {
    if (size + chunk.length > maxBytes) {
      if (options.onTooLarge === 'throw') throw new StdinTooLarge(`the input is larger than ${maxBytes} bytes`);
      chunks.push(chunk.subarray(0, maxBytes - size));
      size = maxBytes;
      return false;
    }
    size += chunk.length;
    chunks.push(chunk);
    return true;
  };
  const buffer = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EOF') break;
      if (code !== 'EAGAIN') throw error;
      for await (const chunk of process.stdin as AsyncIterable<Buffer>) if (!add(chunk)) break;
      break;
    }
    if (n === 0) break;
    if (!add(Buffer.from(buffer.subarray(0, n)))) break;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function isCharacterDevice(): boolean {
  try {
    return fstatSync(0).isCharacterDevice();
  } catch {
    return false;
  }
}
