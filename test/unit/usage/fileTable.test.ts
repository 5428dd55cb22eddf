// The per-file table of the usage index, read back in 64 KiB pieces: a path whose UTF-8 bytes straddle
// two pieces comes back whole (a project folder named in any script), and the order is checked.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileRecords, FileTableWriter, type FileState } from '../../../src/usage/store/fileTable';

const state: FileState = {
  agent: 'claude_code',
  dev: 2049,
  ino: 123456,
  size: 1000,
  mtimeMs: 1764400000000.5,
  offset: 1000,
  tailHash: 42,
};

describe('usage: the file table', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a path whose UTF-8 bytes straddle two pieces of the read comes back whole', () => {
    // The first record fills the first piece up to 6 bytes before its end; the second starts with
    // `["/b/` (5 bytes) and then a 3-byte character, which the piece boundary cuts after its first byte.
    const bytes = (path: string) => Buffer.byteLength(`${JSON.stringify([path, state])}\n`);
    const first = `/a/${'x'.repeat(65530 - bytes('/a/.jsonl'))}.jsonl`;
    assert.equal(bytes(first), 65530);
    const second = `/b/${'日本語'.repeat(20)}/sessión.jsonl`;
    const writer = new FileTableWriter(() => join(dir, 'table.spill'));
    writer.add(first, state);
    writer.add(second, { ...state, ino: 7 });
    const table = writer.finish();
    try {
      assert.deepEqual(
        [...fileRecords(table)].map(([path, s]) => [path, s.ino]),
        [
          [first, 123456],
          [second, 7],
        ],
      );
    } finally {
      table.source.close();
    }
  });

  it('a table out of order or shorter than it says is refused', () => {
    const table = (paths: string[]) => {
      const writer = new FileTableWriter(() => join(dir, 'table.spill'));
      for (const path of paths) writer.add(path, state);
      return writer.finish();
    };
    const unordered = table(['/b/x.jsonl', '/a/y.jsonl']);
    const ordered = table(['/a/y.jsonl', '/b/x.jsonl']);
    try {
      assert.throws(() => [...fileRecords(unordered)], /out of order/);
      assert.equal([...fileRecords(ordered)].length, 2);
      assert.throws(() => [...fileRecords({ ...ordered, count: 3 })], /incomplete/);
    } finally {
      unordered.source.close();
      ordered.source.close();
    }
  });
});
