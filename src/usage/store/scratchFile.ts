// Files read at positions (FileSource: the index, and anything written out), and the append-only
// scratch file beside the usage index for what does not stay in memory (the dedupe table's spilled
// shards and queued records, the agent sessions' names). A scratch file is created on first use and
// removed when closed; on POSIX it is unlinked as soon as it is open, so a crash leaves nothing behind.
import { closeSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where entries or queued records that are not in memory are read from. */
export interface SegmentSource {
  /** `bytes` bytes at `offset`, in a view that is valid until the next read. */
  read(offset: number, bytes: number): Uint8Array;
}

/** Read `bytes` bytes at file offset `offset` into the start of `into`; a file that ends first is an error. */
function readFully(fd: number, into: Uint8Array, offset: number, bytes: number): void {
  let got = 0;
  while (got < bytes) {
    const n = readSync(fd, into, got, bytes - got, offset + got);
    if (n === 0)
      throw new Error(`the usage index ended early (at byte ${offset + got}); it will be rebuilt on the next scan`);
    got += n;
  }
}

/** A file opened for positioned reads, with one reusable buffer. */
export class FileSource implements SegmentSource {
  private buffer = new Uint8Array(64 * 1024);
  constructor(
    public fd: number,
    readonly path: string,
  ) {}

  read(offset: number, bytes: number): Uint8Array {
    if (bytes > this.buffer.length) this.buffer = new Uint8Array(Math.max(bytes, this.buffer.length * 2));
    // The view starts the buffer (word-aligned): callers read u32 words from it in place.
    readFully(this.fd, this.buffer, offset, bytes);
    return this.buffer.subarray(0, bytes);
  }

  /** `bytes` bytes at `offset` in a buffer of their own (for a large read once: the reusable buffer stays small). */
  readOnce(offset: number, bytes: number): Buffer {
    const out = Buffer.allocUnsafe(bytes);
    readFully(this.fd, out, offset, bytes);
    return out;
  }

  close(): void {
    if (this.fd === -1) return;
    closeSync(this.fd);
    this.fd = -1;
  }

  /** Open the same path again (after close(), when the file was not replaced after all). */
  reopen(): void {
    if (this.fd === -1) this.fd = openSync(this.path, 'r');
  }
}

/**
 * An append-only scratch file, created on first use at `pathFor()` (beside the index) and removed
 * when closed (on POSIX at once, so a crash leaves nothing behind).
 */
export class ScratchFile {
  private source: FileSource | undefined;
  private path = '';
  private end = 0;

  constructor(private readonly pathFor: () => string) {}

  /** Write `bytes` at the end; returns where they start. */
  append(bytes: Uint8Array): number {
    if (!this.source) {
      this.source = this.open();
      if (process.platform !== 'win32') this.unlink();
    }
    const at = this.end;
    let off = 0;
    while (off < bytes.length) off += writeSync(this.source.fd, bytes, off, bytes.length - off, at + off);
    this.end += bytes.length;
    return at;
  }

  read(offset: number, bytes: number): Uint8Array {
    return this.source!.read(offset, bytes);
  }

  /** Beside the index; in the system's temp folder when that folder cannot be written (the scan must not fail for it). */
  private open(): FileSource {
    try {
      this.path = this.pathFor();
      return new FileSource(openSync(this.path, 'w+', 0o600), this.path);
    } catch {
      this.path = join(tmpdir(), `spend-band-usage.${process.pid}.${Math.random().toString(36).slice(2)}.spill`);
      return new FileSource(openSync(this.path, 'w+', 0o600), this.path);
    }
  }

  /** Bytes written (live or dead). */
  get size(): number {
    return this.end;
  }

  /** Nothing in the file is needed any more. */
  empty(): void {
    if (this.source && this.end > 0) {
      ftruncateSync(this.source.fd, 0);
      this.end = 0;
    }
  }

  close(): void {
    if (!this.source) return;
    this.source.close();
    this.source = undefined;
    if (process.platform === 'win32') this.unlink();
  }

  private unlink(): void {
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}
